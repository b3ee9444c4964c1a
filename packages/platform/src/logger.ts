import { Logger } from '@aws-lambda-powertools/logger';

/** One structured logger for every handler; Powertools adds the Lambda context and sampling. */
export const logger = new Logger({ serviceName: 'leadflow' });

import { Logger } from '@aws-lambda-powertools/logger';

/** One structured logger for every handler; the handler kit injects the Lambda context and a correlation id into it. */
export const logger = new Logger({ serviceName: 'leadflow' });

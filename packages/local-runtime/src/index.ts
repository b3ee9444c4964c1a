export { startLocalRuntime, localEventBusName, type LocalRuntime } from './runtime';
export { signLocalToken } from './local-jwt';
export { checkLocalSecrets, demoSecretsFile, localJwtSecret, localSecretSources } from './local-secrets';
export { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local';
export { ensureTable } from './table-setup';
export { lockFileName, processRuns } from './data-dir-lock';
export { localDynamoDbEndpoint } from './local-dynamodb-endpoint';
export { localClientSettings, localCredentials, localRegion } from './local-aws-clients';
export { readLocalRuntimeSettings, type LocalRuntimeSettings } from './local-settings';

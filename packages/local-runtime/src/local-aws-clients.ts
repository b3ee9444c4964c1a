import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { AwsClientSettings } from '@leadflow/platform';

export const localRegion = 'us-east-1';

/** DynamoDB Local and the local AWS endpoint accept any credentials; these never leave the machine. */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** Client settings for the local engines, for the platform's client factory. */
export function localClientSettings(endpoints: AwsClientSettings['endpoints'], options: Pick<AwsClientSettings, 'maxAttempts'> = {}): AwsClientSettings {
  return { region: localRegion, endpoints, credentials: localCredentials, ...options };
}

/** The stream reader only the local runtime needs: in AWS, Lambda's event source mapping reads the stream. */
export function createLocalStreamsClient(endpoint: string): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({ endpoint, region: localRegion, credentials: localCredentials });
}

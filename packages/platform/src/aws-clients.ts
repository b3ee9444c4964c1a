import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { S3Client } from '@aws-sdk/client-s3';
import type { LambdaSettings } from './settings';

/**
 * The one place where endpoints are switched: in Lambda the overrides are absent and the SDK talks to
 * AWS; locally they point at DynamoDB Local and the local runtime's EventBridge and SES endpoints.
 */
export function createDocumentClient(settings: Pick<LambdaSettings, 'region' | 'endpoints'>): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ region: settings.region, endpoint: settings.endpoints.dynamodb });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function createEventBridgeClient(settings: Pick<LambdaSettings, 'region' | 'endpoints'>): EventBridgeClient {
  return new EventBridgeClient({ region: settings.region, endpoint: settings.endpoints.eventbridge });
}

export function createSesClient(settings: Pick<LambdaSettings, 'region' | 'endpoints'>): SESv2Client {
  return new SESv2Client({ region: settings.region, endpoint: settings.endpoints.ses });
}

/** Only Lambda reads Secrets Manager; locally secrets come from files and the environment. */
export function createSecretsManagerClient(settings: Pick<LambdaSettings, 'region'>): SecretsManagerClient {
  return new SecretsManagerClient({ region: settings.region });
}

/** Only Lambda writes to S3; locally reports go to the data directory. */
export function createS3Client(settings: Pick<LambdaSettings, 'region'>): S3Client {
  return new S3Client({ region: settings.region });
}

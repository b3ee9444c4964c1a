import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';

/**
 * Powertools Idempotency's records in the leads table: one partition per `scope`
 * (`IDEMPOTENCY#<scope>`), the hashed idempotency key as sort key, and the table's TTL attribute, so
 * DynamoDB removes a record when Powertools stops honouring it.
 */
export function dynamoDbIdempotencyStore(client: DynamoDBClient, tableName: string, scope: string): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client, keyAttr: 'pk', sortKeyAttr: 'sk', staticPkValue: `IDEMPOTENCY#${scope}`, expiryAttr: 'expiresAt' });
}

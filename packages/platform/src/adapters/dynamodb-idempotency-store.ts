import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { leadsTableKeys } from './leads-table-keys';

/**
 * Powertools Idempotency's records in the leads table, one partition per record
 * (`IDEMPOTENCY#<scope>#<function>#<hashed key>`, sort key `IDEMPOTENCY`), with the table's TTL attribute,
 * so DynamoDB removes a record when Powertools stops honouring it. Powertools' own layout for a table
 * with a sort key puts every record under one fixed partition key, and one partition takes at most
 * about 1,000 writes a second: two per notified lead would cap notifications near 500 a second.
 */
export function dynamoDbIdempotencyStore(client: DynamoDBClient, tableName: string, scope: string): DynamoDBPersistenceLayer {
  return new KeyPerRecordPersistenceLayer(scope, { tableName, awsSdkV3Client: client, keyAttr: 'pk', sortKeyAttr: 'sk', expiryAttr: 'expiresAt' });
}

class KeyPerRecordPersistenceLayer extends DynamoDBPersistenceLayer {
  constructor(
    private readonly scope: string,
    options: ConstructorParameters<typeof DynamoDBPersistenceLayer>[0],
  ) {
    super(options);
  }

  protected override getKey(idempotencyKey: string): Record<string, AttributeValue> {
    const { pk, sk } = leadsTableKeys.idempotency(`${this.scope}#${idempotencyKey}`);
    return { pk: { S: pk }, sk: { S: sk } };
  }
}

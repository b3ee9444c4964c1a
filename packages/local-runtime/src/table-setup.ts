import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException, UpdateTableCommand, UpdateTimeToLiveCommand, type AttributeDefinition, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KeyAttribute, TableDefinition } from '@leadflow/manifest';

const keySchema = (partitionKey: KeyAttribute, sortKey?: KeyAttribute) => [
  { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
  ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
];

/**
 * Creates a manifest table in DynamoDB Local unless it exists, with the keys, indexes, stream and TTL CDK
 * deploys. A table kept in a data directory from an older version gains the indexes added since.
 */
export async function ensureTable(client: DynamoDBClient, physicalName: string, table: TableDefinition): Promise<void> {
  const attributes = new Map<string, AttributeDefinition>();
  for (const key of [table.partitionKey, table.sortKey, ...table.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey])]) {
    if (key) attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  }
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: physicalName }));
    const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    for (const index of table.globalSecondaryIndexes.filter((candidate) => !existing.has(candidate.indexName))) {
      await client.send(
        new UpdateTableCommand({
          TableName: physicalName,
          AttributeDefinitions: [...attributes.values()],
          GlobalSecondaryIndexUpdates: [{ Create: { IndexName: index.indexName, KeySchema: keySchema(index.partitionKey, index.sortKey), Projection: { ProjectionType: 'ALL' } } }],
        }),
      );
      // A table builds one new index at a time (LimitExceededException otherwise), as in AWS.
      await untilIndexActive(client, physicalName, index.indexName);
    }
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(
    new CreateTableCommand({
      TableName: physicalName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes.values()],
      KeySchema: keySchema(table.partitionKey, table.sortKey),
      GlobalSecondaryIndexes: table.globalSecondaryIndexes.length
        ? table.globalSecondaryIndexes.map((index) => ({ IndexName: index.indexName, KeySchema: keySchema(index.partitionKey, index.sortKey), Projection: { ProjectionType: 'ALL' } }))
        : undefined,
      StreamSpecification: table.stream ? { StreamEnabled: true, StreamViewType: table.stream } : undefined,
    }),
  );
  if (table.timeToLiveAttribute) {
    await client.send(new UpdateTimeToLiveCommand({ TableName: physicalName, TimeToLiveSpecification: { Enabled: true, AttributeName: table.timeToLiveAttribute } }));
  }
}

/** Waits until the table's index `indexName` is built, for at most a minute. */
async function untilIndexActive(client: DynamoDBClient, physicalName: string, indexName: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: physicalName }));
    if (Table?.GlobalSecondaryIndexes?.find((index) => index.IndexName === indexName)?.IndexStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`The index ${indexName} of ${physicalName} was still being built after a minute`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

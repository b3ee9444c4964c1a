import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '@leadflow/manifest';
import { ensureTable, startDynamoDbLocal } from '@leadflow/local-runtime';

export interface TestDatabase {
  endpoint: string;
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Every item in the leads table, for asserting what was (not) written. */
  items(): Promise<Array<Record<string, any>>>;
  stop(): Promise<void>;
}

/** An in-memory DynamoDB Local with the manifest's tables, one per test file. */
export async function startTestDatabase(): Promise<TestDatabase> {
  const dynamo = await startDynamoDbLocal({ port: 0 });
  const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  for (const table of Object.values(tables)) await ensureTable(raw, table.name, table);
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return {
    endpoint: dynamo.endpoint,
    client,
    tableName: tables.leads.name,
    items: async () => (await client.send(new ScanCommand({ TableName: tables.leads.name, ConsistentRead: true }))).Items ?? [],
    stop: async () => {
      raw.destroy();
      await dynamo.stop();
    },
  };
}

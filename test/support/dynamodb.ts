import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '@leadflow/manifest';
import { ensureTable, localClientSettings, startDynamoDbLocal } from '@leadflow/local-runtime';
import { createDynamoDbClient, documentClientOf } from '@leadflow/platform';

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
  const raw = createDynamoDbClient(localClientSettings({ dynamodb: dynamo.endpoint }));
  for (const table of Object.values(tables)) await ensureTable(raw, table.name, table);
  const client = documentClientOf(raw);
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

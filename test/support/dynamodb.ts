import { DeleteTableCommand, ListTablesCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '@leadflow/manifest';
import { ensureTable, localClientSettings, startDynamoDbLocal } from '@leadflow/local-runtime';
import { createDynamoDbClient, documentClientOf } from '@leadflow/platform';
import { inject } from 'vitest';

export interface TestDatabase {
  endpoint: string;
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Every item in the leads table, for asserting what was (not) written. */
  items(): Promise<Array<Record<string, any>>>;
  /**
   * Drops the tables and makes them anew, empty and with a new stream, so a test case does not see what another
   * stored (for a `beforeEach` where a job reads the whole table or its stream). About 0.1 s.
   */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * An in-memory DynamoDB Local holding the manifest's tables, empty, for one test file. Under `vitest run` the
 * DynamoDB Local is the one of this file's worker slot (`test/support/shared-dynamodb-local.ts`), kept for the
 * run: every table the files before left in it is dropped first. Elsewhere the file starts its own.
 */
export async function startTestDatabase(): Promise<TestDatabase> {
  const shared = await sharedDynamoDbLocal();
  const dynamo = shared ?? (await startDynamoDbLocal({ port: 0 }));
  const raw = createDynamoDbClient(localClientSettings({ dynamodb: dynamo.endpoint }));
  const createTables = async () => {
    for (const table of Object.values(tables)) await ensureTable(raw, table.name, table);
  };
  if (shared) await dropEveryTable(raw);
  await createTables();
  const client = documentClientOf(raw);
  return {
    endpoint: dynamo.endpoint,
    client,
    tableName: tables.leads.name,
    items: async () => (await client.send(new ScanCommand({ TableName: tables.leads.name, ConsistentRead: true }))).Items ?? [],
    reset: async () => {
      await dropEveryTable(raw);
      await createTables();
    },
    stop: async () => {
      raw.destroy();
      await dynamo.stop();
    },
  };
}

/** This worker slot's DynamoDB Local, which outlives the file (`stop` leaves it running); none outside the `isolated` project. */
async function sharedDynamoDbLocal(): Promise<{ endpoint: string; stop: () => Promise<void> } | undefined> {
  const broker = inject('dynamoDbLocalBroker');
  const slot = process.env.VITEST_POOL_ID;
  if (!broker || !slot) return undefined;
  const response = await fetch(`${broker}/dynamodb-local/${slot}`, { method: 'POST' });
  if (!response.ok) throw new Error(`DynamoDB Local for worker slot ${slot} did not start: ${await response.text()}`);
  const { endpoint } = (await response.json()) as { endpoint: string };
  return { endpoint, stop: async () => undefined };
}

/** Drops every table, the manifest's and any a test made (`older-leads`), so the file (or case) starts from none. */
async function dropEveryTable(raw: DynamoDBClient): Promise<void> {
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await raw.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    names.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start);
  for (const name of names) await raw.send(new DeleteTableCommand({ TableName: name }));
  const left = (await raw.send(new ListTablesCommand({}))).TableNames ?? [];
  if (left.length > 0) throw new Error(`DynamoDB Local still lists ${left.join(', ')} after they were dropped`);
}

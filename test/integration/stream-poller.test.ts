import { localClientSettings } from '@leadflow/local-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { manifestFunctions, type FunctionDefinition, type StreamTrigger } from '@leadflow/manifest';
import { createDynamoDbClient } from '@leadflow/platform';
import { demoConfiguration } from '../support/demo-configuration';
import { ActivityLog } from '../../packages/local-runtime/src/activity-log';
import type { FunctionHost } from '../../packages/local-runtime/src/function-host';
import { PollBackoff } from '../../packages/local-runtime/src/poll-backoff';
import { StreamPoller } from '../../packages/local-runtime/src/stream-poller';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { eventually } from '../support/local-runtime';

/** The functions of the demo configuration, as `npm start` hosts them. */
const functions = manifestFunctions(demoConfiguration());

let database: TestDatabase;
let raw: DynamoDBClient;

beforeAll(async () => {
  database = await startTestDatabase();
  raw = createDynamoDbClient(localClientSettings({ dynamodb: database.endpoint }));
});
afterAll(async () => {
  raw?.destroy();
  await database?.stop();
});

const relay = functions.find((definition) => definition.name === 'relay-outbox') as FunctionDefinition & { trigger: StreamTrigger };

describe('StreamPoller against DynamoDB Local', () => {
  it('reads at once when woken, after a quiet wait it would otherwise sit out, and delivers a page in parallel lanes of small batches', async () => {
    const batches: string[][] = [];
    const host = {
      invoke: async (_name: string, event: { Records: Array<{ dynamodb: { NewImage: { eventId: { S: string } } } }> }) => {
        batches.push(event.Records.map((record) => record.dynamodb.NewImage.eventId.S));
      },
    } as unknown as FunctionHost;
    const definition = { ...relay, trigger: { ...relay.trigger, batchSize: 2, parallelizationFactor: 3 } };
    // A quiet wait of ten minutes: within this test only wake() can make the poller read again.
    const poller = new StreamPoller(definition, database.tableName, raw, database.endpoint, host, new ActivityLog(), undefined, new PollBackoff(600_000, 600_000));
    await poller.start();
    try {
      const eventIds = Array.from({ length: 9 }, (_, index) => `e${index}`);
      for (const eventId of eventIds) {
        await database.client.send(new PutCommand({ TableName: database.tableName, Item: { pk: `OUTBOX#${eventId}`, sk: 'OUTBOX', entity: 'outbox', eventId } }));
      }
      // A record the relay's filter drops never reaches it.
      await database.client.send(new PutCommand({ TableName: database.tableName, Item: { pk: 'LEAD#x', sk: 'LEAD', entity: 'lead' } }));
      poller.wake();
      await eventually(async () => (batches.flat().length === eventIds.length ? true : undefined));
      expect(batches.flat().sort()).toEqual(eventIds);
      expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(2);
    } finally {
      await poller.stop();
    }
  });

  it('reads nothing while paused, and on resume delivers from where it stopped, each record once', async () => {
    const delivered: string[] = [];
    const host = {
      invoke: async (_name: string, event: { Records: Array<{ dynamodb: { NewImage: { eventId: { S: string } } } }> }) => {
        delivered.push(...event.Records.map((record) => record.dynamodb.NewImage.eventId.S));
      },
    } as unknown as FunctionHost;
    const poller = new StreamPoller(relay, database.tableName, raw, database.endpoint, host, new ActivityLog(), undefined, new PollBackoff(5, 10));
    await poller.start();
    try {
      const put = (eventId: string) => database.client.send(new PutCommand({ TableName: database.tableName, Item: { pk: `OUTBOX#${eventId}`, sk: 'OUTBOX', entity: 'outbox', eventId } }));
      await put('before-pause');
      await eventually(async () => (delivered.includes('before-pause') ? true : undefined));
      await poller.pause();
      await put('while-paused');
      poller.wake();
      // Polling every 5-10 ms, an unpaused poller would have read it many times over.
      await new Promise((done) => setTimeout(done, 300));
      expect(delivered).not.toContain('while-paused');
      poller.resume();
      await eventually(async () => (delivered.includes('while-paused') ? true : undefined));
      expect(delivered.filter((eventId) => eventId === 'before-pause' || eventId === 'while-paused')).toEqual(['before-pause', 'while-paused']);
    } finally {
      await poller.stop();
    }
  });
});

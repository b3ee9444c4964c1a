import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { localClientSettings } from '@leadflow/local-runtime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
// A new poller reads the stream from its start: a new table, a new stream, holds only the case's own records.
beforeEach(() => database.reset());

const relay = functions.find((definition) => definition.name === 'relay-outbox') as FunctionDefinition & { trigger: StreamTrigger };

/**
 * A stream endpoint in front of DynamoDB Local that, once `holdNextRead()` is called, keeps the answer
 * to the next `GetRecords` (read as usual) until the promise's `release` is called.
 */
async function holdingStreamEndpoint(target: string) {
  const upstream = new URL(target);
  let holdNext: ((release: () => void) => void) | undefined;
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const forwarded = request({ host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers: incoming.headers }, (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => body.push(chunk));
        answer.on('end', () => {
          const send = () => outgoing.writeHead(answer.statusCode ?? 500, answer.headers).end(Buffer.concat(body));
          // Only a GetRecords answer takes the hold: the shard listing the poller makes now and then must not use it up.
          const hold = String(incoming.headers['x-amz-target']).endsWith('.GetRecords') ? holdNext : undefined;
          if (hold) {
            holdNext = undefined;
            hold(send);
          } else send();
        });
      });
      forwarded.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Resolves, with the function that lets the answer go, once the next `GetRecords` has been read and held. */
    holdNextRead: () => new Promise<() => void>((held) => (holdNext = held)),
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}

/** A host whose every invocation adds the event ids of its records to `delivered`. */
const recordingHost = (delivered: string[]) =>
  ({
    invoke: async (_name: string, event: { Records: Array<{ dynamodb: { NewImage: { eventId: { S: string } } } }> }) => {
      delivered.push(...event.Records.map((record) => record.dynamodb.NewImage.eventId.S));
    },
  }) as unknown as FunctionHost;

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
    const host = recordingHost(delivered);
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

  it('bisects a failing batch, as the deployed mapping does: the records beside a bad one go through, and only it is dead-lettered', async () => {
    const delivered: string[] = [];
    const host = {
      invoke: async (_name: string, event: { Records: Array<{ dynamodb: { NewImage: { eventId: { S: string } } } }> }) => {
        const eventIds = event.Records.map((record) => record.dynamodb.NewImage.eventId.S);
        if (eventIds.includes('bisect-bad')) throw new Error('bisect-bad is malformed');
        delivered.push(...eventIds);
      },
    } as unknown as FunctionHost;
    const definition = { ...relay, trigger: { ...relay.trigger, batchSize: 8, parallelizationFactor: 1, maxRetryAttempts: 1, bisectBatchOnError: true } };
    const activity = new ActivityLog();
    const poller = new StreamPoller(definition, database.tableName, raw, database.endpoint, host, activity, undefined, new PollBackoff(5, 10));
    await poller.start();
    try {
      const eventIds = ['bisect-0', 'bisect-1', 'bisect-2', 'bisect-bad', 'bisect-4', 'bisect-5', 'bisect-6', 'bisect-7'];
      // Written while paused, after a read that found the stream empty, so that one read finds these 8: one batch.
      await poller.drain();
      await poller.pause();
      for (const eventId of eventIds) {
        await database.client.send(new PutCommand({ TableName: database.tableName, Item: { pk: `OUTBOX#${eventId}`, sk: 'OUTBOX', entity: 'outbox', eventId } }));
      }
      poller.resume();
      await poller.drain();
      expect(delivered.filter((eventId) => eventId.startsWith('bisect-'))).toEqual(eventIds.filter((eventId) => eventId !== 'bisect-bad'));
      const deadLetters = activity.deadLetters.list();
      expect(deadLetters).toHaveLength(1);
      expect((deadLetters[0].payload as { Records: Array<{ dynamodb: { NewImage: { eventId: { S: string } } } }> }).Records.map((record) => record.dynamodb.NewImage.eventId.S)).toEqual(['bisect-bad']);
    } finally {
      await poller.stop();
    }
  });

  it('drains only with a read begun after the call: a read under way may predate the last write', async () => {
    const delivered: string[] = [];
    const host = recordingHost(delivered);
    const streams = await holdingStreamEndpoint(database.endpoint);
    // Quiet waits grow from 1 ms to ten minutes, so drain() looks every millisecond.
    const poller = new StreamPoller(relay, database.tableName, raw, streams.url, host, new ActivityLog(), undefined, new PollBackoff(1, 600_000));
    await poller.start();
    try {
      const held = streams.holdNextRead();
      poller.wake();
      const release = await held;
      // Written after that read found the stream empty, before its answer arrives, and before drain() is called.
      await database.client.send(new PutCommand({ TableName: database.tableName, Item: { pk: 'OUTBOX#after-the-read', sk: 'OUTBOX', entity: 'outbox', eventId: 'after-the-read' } }));
      const drained = poller.drain(5_000).then(() => [...delivered]);
      release();
      expect(await drained).toContain('after-the-read');
    } finally {
      await poller.stop();
      await streams.close();
    }
  });
});

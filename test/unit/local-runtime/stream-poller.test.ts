import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  TrimmedDataAccessException,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { manifestFunctions, type FunctionDefinition, type StreamTrigger } from '@leadflow/manifest';
import { demoConfiguration } from '../../support/demo-configuration';
import { ActivityLog } from '../../../packages/local-runtime/src/activity-log';
import { StoppedBeforeAttemptError } from '../../../packages/local-runtime/src/concurrency-limit';
import type { FunctionHost } from '../../../packages/local-runtime/src/function-host';
import { PollBackoff } from '../../../packages/local-runtime/src/poll-backoff';
import { StreamPoller } from '../../../packages/local-runtime/src/stream-poller';

const streams = mockClient(DynamoDBStreamsClient);
// Unit files share a worker's modules: the stub goes with this file.
afterAll(() => streams.restore());

const relay = manifestFunctions(demoConfiguration()).find((definition) => definition.name === 'relay-outbox') as FunctionDefinition & { trigger: StreamTrigger };
const streamArn = 'arn:aws:dynamodb:ddblocal:000000000000:table/leads/stream/2026-03-02T10:00:00.000';
/** Only DescribeTable is asked of DynamoDB itself: the stream's ARN. */
const dynamodb = { send: async () => ({ Table: { LatestStreamArn: streamArn } }) } as unknown as DynamoDBClient;

const outboxRecord = (eventId: string, sequenceNumber: string): StreamRecord => {
  const keys = { pk: { S: `OUTBOX#${eventId}` }, sk: { S: 'OUTBOX' } };
  return { eventID: sequenceNumber, eventName: 'INSERT', dynamodb: { Keys: keys, NewImage: { ...keys, entity: { S: 'outbox' }, eventId: { S: eventId } }, SequenceNumber: sequenceNumber } };
};

/** A host whose every invocation adds the event ids of its records to `delivered`. */
const recordingHost = (delivered: string[]) =>
  ({
    invoke: async (_name: string, event: { Records: Array<{ dynamodb: { NewImage: { eventId: { S: string } } } }> }) => {
      delivered.push(...event.Records.map((record) => record.dynamodb.NewImage.eventId.S));
    },
  }) as unknown as FunctionHost;

/** Each shard's iterator gives one page of `records`, then empty pages for as long as it is read. */
function shardReads(shardId: string, records: StreamRecord[]) {
  streams.on(GetRecordsCommand, { ShardIterator: `${shardId}/first` }).resolves({ Records: records, NextShardIterator: `${shardId}/next` });
  streams.on(GetRecordsCommand, { ShardIterator: `${shardId}/next` }).resolves({ Records: [], NextShardIterator: `${shardId}/next` });
}

const pollerFor = (host: FunctionHost, checkpointFile?: string) => new StreamPoller(relay, 'leads', dynamodb, 'http://127.0.0.1:1', host, new ActivityLog(), checkpointFile, new PollBackoff(5, 20));

/** A stream listing `shardIds`, the last of them healthy with one record, and a started poller delivering to `delivered`. */
async function startedOnHealthyShard(shardIds: string[]) {
  streams.on(DescribeStreamCommand).resolves({ StreamDescription: { StreamArn: streamArn, Shards: shardIds.map((ShardId) => ({ ShardId })) } });
  streams.on(GetShardIteratorCommand, { ShardId: 'shard-ok', ShardIteratorType: 'TRIM_HORIZON' }).resolves({ ShardIterator: 'shard-ok/first' });
  shardReads('shard-ok', [outboxRecord('on-the-healthy-shard', '500')]);
  const delivered: string[] = [];
  const poller = pollerFor(recordingHost(delivered));
  await poller.start();
  return { delivered, poller };
}

describe('StreamPoller, shard by shard', () => {
  let warn: MockInstance<typeof console.warn>;
  let error: MockInstance<typeof console.error>;
  const logged = () => [...warn.mock.calls, ...error.mock.calls].map((args) => args.join(' ')).join('\n');

  beforeEach(() => {
    warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => {
    streams.reset();
    vi.restoreAllMocks();
  });

  it('reads a shard whose checkpoint the stream trimmed from its oldest record, drops a checkpointed shard the stream no longer lists, and reads the others all the same', async () => {
    const checkpointFile = join(mkdtempSync(join(tmpdir(), 'stream-poller-')), 'checkpoint.json');
    const checkpoints = { 'shard-trimmed': { checkpoint: '100', closed: false }, 'shard-gone': { checkpoint: '150', closed: false }, 'shard-ok': { checkpoint: '200', closed: false } };
    writeFileSync(checkpointFile, JSON.stringify({ streamArn, shards: checkpoints }));
    streams.on(DescribeStreamCommand).resolves({ StreamDescription: { StreamArn: streamArn, Shards: [{ ShardId: 'shard-trimmed' }, { ShardId: 'shard-ok' }] } });
    streams
      .on(GetShardIteratorCommand, { ShardId: 'shard-trimmed', ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' })
      .rejects(new TrimmedDataAccessException({ message: 'The operation attempted to read past the oldest stream record in a shard.', $metadata: {} }));
    streams.on(GetShardIteratorCommand, { ShardId: 'shard-trimmed', ShardIteratorType: 'TRIM_HORIZON' }).resolves({ ShardIterator: 'shard-trimmed/first' });
    streams.on(GetShardIteratorCommand, { ShardId: 'shard-gone' }).rejects(new ResourceNotFoundException({ message: 'Requested resource not found: Shard does not exist', $metadata: {} }));
    streams.on(GetShardIteratorCommand, { ShardId: 'shard-ok', ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: '200' }).resolves({ ShardIterator: 'shard-ok/first' });
    shardReads('shard-trimmed', [outboxRecord('after-the-trim', '300')]);
    shardReads('shard-ok', [outboxRecord('on-the-healthy-shard', '500')]);

    const delivered: string[] = [];
    const poller = pollerFor(recordingHost(delivered), checkpointFile);
    await poller.start();
    try {
      await poller.drain(2_000);
    } finally {
      await poller.stop();
    }
    expect(delivered.sort()).toEqual(['after-the-trim', 'on-the-healthy-shard']);
    expect(logged()).toMatch(/shard shard-trimmed no longer holds its checkpoint 100 .* records written after the checkpoint and since trimmed are skipped/);
    expect(logged()).toMatch(/shard shard-gone is no longer in the stream/);
    expect((JSON.parse(readFileSync(checkpointFile, 'utf8')) as { shards: unknown }).shards).toEqual({
      'shard-trimmed': { checkpoint: '300', closed: false },
      'shard-ok': { checkpoint: '500', closed: false },
    });
  });

  it('stops reading a listed shard the stream says does not exist, and reads the next one', async () => {
    streams.on(GetShardIteratorCommand, { ShardId: 'shard-vanished' }).rejects(new ResourceNotFoundException({ message: 'Requested resource not found: Shard does not exist', $metadata: {} }));
    const { delivered, poller } = await startedOnHealthyShard(['shard-vanished', 'shard-ok']);
    try {
      await poller.drain(2_000);
      await poller.drain(2_000);
    } finally {
      await poller.stop();
    }
    expect(delivered).toEqual(['on-the-healthy-shard']);
    expect(logged()).toMatch(/shard shard-vanished no longer exists; it is not read again/);
    // Listed again since, it is not taken for a new shard and read from its start.
    expect(streams.commandCalls(DescribeStreamCommand).length).toBeGreaterThan(1);
    expect(streams.commandCalls(GetShardIteratorCommand, { ShardId: 'shard-vanished' })).toHaveLength(1);
  });

  it('goes on reading the other shards while one fails, and does not count such a read as the stream being quiet', async () => {
    streams.on(GetShardIteratorCommand, { ShardId: 'shard-failing' }).rejects(new Error('socket hang up'));
    const { delivered, poller } = await startedOnHealthyShard(['shard-failing', 'shard-ok']);
    try {
      expect(delivered).toEqual(['on-the-healthy-shard']);
      await expect(poller.drain(200)).rejects.toThrow(/did not drain within 200 ms/);
    } finally {
      await poller.stop();
    }
    expect(logged()).toMatch(/shard shard-failing: socket hang up/);
  });
});

describe('StreamPoller, partial batch responses', () => {
  type Invocation = { Records: Array<{ dynamodb: { NewImage: { eventId: { S: string } }; SequenceNumber: string } }> };
  const eventIds = ['r1', 'r2', 'r3', 'r4', 'r5'];
  const sequenceOf = (eventId: string) => String(100 + eventIds.indexOf(eventId));
  // One lane, so the five records make one batch in stream order; two retries, so a test waits 0.3 s at most.
  const definitionWith = (changes: Partial<StreamTrigger>) => ({ ...relay, trigger: { ...relay.trigger, parallelizationFactor: 1, maxRetryAttempts: 2, ...changes } });

  /** Delivers the five records once, with `answer` giving the function's answer to each invocation; the event ids of every invocation, and the dead letters. */
  async function deliver(trigger: Partial<StreamTrigger>, answer: (eventIds: string[]) => unknown) {
    streams.on(DescribeStreamCommand).resolves({ StreamDescription: { StreamArn: streamArn, Shards: [{ ShardId: 'shard-1' }] } });
    streams.on(GetShardIteratorCommand, { ShardId: 'shard-1', ShardIteratorType: 'TRIM_HORIZON' }).resolves({ ShardIterator: 'shard-1/first' });
    shardReads(
      'shard-1',
      eventIds.map((eventId) => outboxRecord(eventId, sequenceOf(eventId))),
    );
    const invocations: string[][] = [];
    const host = {
      invoke: async (_name: string, event: Invocation) => {
        const delivered = event.Records.map((record) => record.dynamodb.NewImage.eventId.S);
        invocations.push(delivered);
        return answer(delivered);
      },
    } as unknown as FunctionHost;
    const checkpointFile = join(mkdtempSync(join(tmpdir(), 'stream-poller-')), 'checkpoint.json');
    const activity = new ActivityLog();
    const poller = new StreamPoller(definitionWith(trigger), 'leads', dynamodb, 'http://127.0.0.1:1', host, activity, checkpointFile, new PollBackoff(5, 20));
    await poller.start();
    try {
      await poller.drain(5_000);
    } finally {
      await poller.stop();
    }
    const deadLetters = activity.deadLetters.list().map((letter) => ({ error: letter.error, eventIds: (letter.payload as Invocation).Records.map((record) => record.dynamodb.NewImage.eventId.S) }));
    const checkpoint = (JSON.parse(readFileSync(checkpointFile, 'utf8')) as { shards: Record<string, { checkpoint: string }> }).shards['shard-1'].checkpoint;
    return { invocations, deadLetters, checkpoint };
  }

  afterEach(() => {
    streams.reset();
  });

  it('takes the records before the one the function names as done, and retries from that record', async () => {
    let failedOnce = false;
    const { invocations, deadLetters, checkpoint } = await deliver({}, (delivered) => {
      if (failedOnce || !delivered.includes('r3')) return { batchItemFailures: [] };
      failedOnce = true;
      return { batchItemFailures: [{ itemIdentifier: sequenceOf('r3') }] };
    });
    expect(invocations).toEqual([eventIds, ['r3', 'r4', 'r5']]);
    expect(deadLetters).toEqual([]);
    expect(checkpoint).toBe(sequenceOf('r5'));
  });

  it('counts each retry from the failed record, and dead-letters what is left of the batch when they run out', async () => {
    const { invocations, deadLetters } = await deliver({}, (delivered) => ({ batchItemFailures: delivered.includes('r3') ? [{ itemIdentifier: sequenceOf('r4') }, { itemIdentifier: sequenceOf('r3') }] : [] }));
    // The first try and two retries; of several failures named, the earliest counts.
    expect(invocations).toEqual([eventIds, ['r3', 'r4', 'r5'], ['r3', 'r4', 'r5']]);
    expect(deadLetters).toEqual([{ error: expect.stringMatching(/reported record 102 as failed/), eventIds: ['r3', 'r4', 'r5'] }]);
  });

  it('retries the whole batch on an itemIdentifier that is empty, missing or names no record of it, and takes an empty answer for success', async () => {
    for (const failure of [{ itemIdentifier: '' }, { itemIdentifier: null }, { itemIdentifer: sequenceOf('r3') }, { itemIdentifier: '999' }]) {
      let answered = false;
      const { invocations, deadLetters } = await deliver({}, () => {
        if (answered) return {};
        answered = true;
        return { batchItemFailures: [failure] };
      });
      expect(invocations, JSON.stringify(failure)).toEqual([eventIds, eventIds]);
      expect(deadLetters).toEqual([]);
      streams.reset();
    }
  });

  it('ignores the answer when the mapping does not report batch item failures, as Lambda does', async () => {
    const { invocations, deadLetters } = await deliver({ reportBatchItemFailures: false }, () => ({ batchItemFailures: [{ itemIdentifier: sequenceOf('r3') }] }));
    expect(invocations).toEqual([eventIds]);
    expect(deadLetters).toEqual([]);
  });
});

describe('StreamPoller stopping', () => {
  afterEach(() => {
    streams.reset();
    vi.restoreAllMocks();
  });

  it('returns from stop() only once no batch of the page runs: the lane waiting to retry and the lanes beside it end, and none starts a batch after', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const oneByOne = { ...relay, trigger: { ...relay.trigger, batchSize: 1 } };
    const ids = ['fails', ...Array.from({ length: 60 }, (_, index) => `ok-${index}`)];
    streams.on(DescribeStreamCommand).resolves({ StreamDescription: { StreamArn: streamArn, Shards: [{ ShardId: 'shard-ok' }] } });
    streams.on(GetShardIteratorCommand, { ShardId: 'shard-ok', ShardIteratorType: 'TRIM_HORIZON' }).resolves({ ShardIterator: 'shard-ok/first' });
    shardReads(
      'shard-ok',
      ids.map((id, index) => outboxRecord(id, String(100 + index))),
    );
    const invoked: string[] = [];
    let running = 0;
    let failures = 0;
    const host = {
      invoke: async (_name: string, event: { Records: Array<{ dynamodb: { NewImage: { eventId: { S: string } } } }> }) => {
        const id = event.Records[0].dynamodb.NewImage.eventId.S;
        invoked.push(id);
        running += 1;
        try {
          await new Promise((done) => setTimeout(done, 30));
          if (id === 'fails') {
            failures += 1;
            throw new Error('the target is down');
          }
        } finally {
          running -= 1;
        }
      },
    } as unknown as FunctionHost;
    const poller = new StreamPoller(oneByOne, 'leads', dynamodb, 'http://127.0.0.1:1', host, new ActivityLog(), undefined, new PollBackoff(5, 20));
    const starting = poller.start();
    // The failing lane waits to retry (0.1 s) while the lanes beside it deliver.
    while (failures === 0 || running === 0) await new Promise((done) => setTimeout(done, 5));
    expect(invoked.filter((id) => id === 'fails')).toHaveLength(1);

    await poller.stop();
    expect(running).toBe(0);
    const whenStopped = invoked.length;
    await starting;
    await new Promise((done) => setTimeout(done, 200));
    expect(invoked).toHaveLength(whenStopped);
    expect(whenStopped).toBeLessThan(ids.length + 1);
  });

  it('delivers no batch still waiting for a slot of the function host once stopping: it stays after the checkpoint, neither retried nor dead-lettered', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const noRetries = { ...relay, trigger: { ...relay.trigger, maxRetryAttempts: 0 } };
    streams.on(DescribeStreamCommand).resolves({ StreamDescription: { StreamArn: streamArn, Shards: [{ ShardId: 'shard-ok' }] } });
    streams.on(GetShardIteratorCommand, { ShardId: 'shard-ok', ShardIteratorType: 'TRIM_HORIZON' }).resolves({ ShardIterator: 'shard-ok/first' });
    shardReads('shard-ok', [outboxRecord('waiting', '100')]);
    let waiting = 0;
    // As the function host does: a batch waiting for a slot is refused when the stop comes, and never starts.
    const host = {
      invoke: (_name: string, _event: unknown, _origin: string, stopping?: AbortSignal) => {
        waiting += 1;
        return new Promise<void>((_start, refuse) => stopping?.addEventListener('abort', () => refuse(new StoppedBeforeAttemptError())));
      },
    } as unknown as FunctionHost;
    const activity = new ActivityLog();
    const checkpointFile = join(mkdtempSync(join(tmpdir(), 'stream-poller-')), 'checkpoint.json');
    const poller = new StreamPoller(noRetries, 'leads', dynamodb, 'http://127.0.0.1:1', host, activity, checkpointFile, new PollBackoff(5, 20));
    const starting = poller.start();
    await vi.waitFor(() => expect(waiting).toBe(1));
    await poller.stop();
    await starting;
    expect(waiting).toBe(1);
    expect(activity.deadLetters.list()).toEqual([]);
    expect(existsSync(checkpointFile)).toBe(false);
    expect(error).not.toHaveBeenCalled();
  });

  it.each([
    ['splits no failed batch once stopping', 1, [['b1', 'b2', 'b3', 'b4']]],
    [
      'delivers no second half once stopping during the first',
      2,
      [
        ['b1', 'b2', 'b3', 'b4'],
        ['b1', 'b2'],
      ],
    ],
  ])('bisecting a failing batch, %s: its records stay after the checkpoint', async (_case, stopDuringInvocation, expectedInvocations) => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const eventIds = ['b1', 'b2', 'b3', 'b4'];
    const bisecting = { ...relay, trigger: { ...relay.trigger, parallelizationFactor: 1, batchSize: 10, bisectBatchOnError: true, maxRetryAttempts: 0 } };
    streams.on(DescribeStreamCommand).resolves({ StreamDescription: { StreamArn: streamArn, Shards: [{ ShardId: 'shard-ok' }] } });
    streams.on(GetShardIteratorCommand, { ShardId: 'shard-ok', ShardIteratorType: 'TRIM_HORIZON' }).resolves({ ShardIterator: 'shard-ok/first' });
    shardReads(
      'shard-ok',
      eventIds.map((id, index) => outboxRecord(id, String(100 + index))),
    );
    const invocations: string[][] = [];
    let stopping: Promise<void> | undefined;
    const activity = new ActivityLog();
    const host = {
      invoke: async (_name: string, event: { Records: Array<{ dynamodb: { NewImage: { eventId: { S: string } } } }> }) => {
        const delivered = event.Records.map((record) => record.dynamodb.NewImage.eventId.S);
        invocations.push(delivered);
        if (invocations.length === stopDuringInvocation) stopping = poller.stop();
        // The whole batch fails, so it is split; each half goes through.
        if (delivered.length === eventIds.length) throw new Error('one record of the batch is bad');
      },
    } as unknown as FunctionHost;
    const checkpointFile = join(mkdtempSync(join(tmpdir(), 'stream-poller-')), 'checkpoint.json');
    const poller = new StreamPoller(bisecting, 'leads', dynamodb, 'http://127.0.0.1:1', host, activity, checkpointFile, new PollBackoff(5, 20));
    await poller.start();
    await stopping;
    expect(invocations).toEqual(expectedInvocations);
    expect(activity.deadLetters.list()).toEqual([]);
    expect(existsSync(checkpointFile)).toBe(false);
  });
});

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  TrimmedDataAccessException,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { matches } from '@leadflow/event-pattern';
import type { FunctionDefinition, StreamTrigger } from '@leadflow/manifest';
import type { ActivityLog } from './activity-log';
import { StoppedBeforeAttemptError } from './concurrency-limit';
import type { FunctionHost } from './function-host';
import { createLocalStreamsClient, localRegion } from './local-aws-clients';
import { PollBackoff } from './poll-backoff';
import { stopController, waitUnlessStopped } from './work-under-way';

interface ShardCursor {
  iterator?: string;
  /** Last sequence number handed to the function successfully: where a restart resumes. */
  checkpoint?: string;
  closed: boolean;
}

/** A batch's attempt, retry or split was cut short by `stop()`; its records stay after the checkpoint. */
class PollerStoppedError extends Error {}

/**
 * Reads a table's DynamoDB stream in DynamoDB Local and invokes the stream-triggered functions, as a
 * Lambda event source mapping does: filter patterns applied per record, batches, up to
 * `parallelizationFactor` batches of a shard at once (records with the same key stay in order), partial batch
 * responses (a batch retried from the record the function names), a failing batch bisected down to the record
 * that fails, retries, then the dead-letter list. Checkpoints are saved
 * to a file after each page, so a restart loses no records (a page being delivered when the process died is
 * delivered again, as Lambda may redeliver a batch; consumers de-duplicate by event id). Each shard is read on its own: one whose
 * checkpoint the stream has trimmed is read from its oldest record, one that is gone is dropped, and a
 * shard that fails is retried at the next read without holding back the others.
 *
 * It reads again at once while reads find records and backs off when the stream is quiet; `wake()`
 * (called whenever a handler finishes, as it may have written) cuts a quiet wait short.
 */
export class StreamPoller {
  private readonly streams: DynamoDBStreamsClient;
  private readonly shards = new Map<string, ShardCursor>();
  private streamArn?: string;
  private timer?: NodeJS.Timeout;
  private polling?: Promise<boolean>;
  private wakeRequested = false;
  private readonly stopping = stopController();
  private paused = false;
  private idleSince = Date.now();
  private shardsDiscoveredAt = 0;

  constructor(
    private readonly definition: FunctionDefinition & { trigger: StreamTrigger },
    private readonly tableName: string,
    private readonly dynamodb: DynamoDBClient,
    endpoint: string,
    private readonly host: FunctionHost,
    private readonly activity: ActivityLog,
    private readonly checkpointFile: string | undefined,
    private readonly backoff = new PollBackoff(10, 250),
  ) {
    this.streams = createLocalStreamsClient(endpoint);
  }

  /** The function whose table stream this reads. */
  get functionName(): string {
    return this.definition.name;
  }

  async start(): Promise<void> {
    const { Table } = await this.dynamodb.send(new DescribeTableCommand({ TableName: this.tableName }));
    this.streamArn = Table?.LatestStreamArn;
    if (!this.streamArn) throw new Error(`Table ${this.tableName} has no stream; ${this.definition.name} needs one`);
    if (this.checkpointFile && existsSync(this.checkpointFile)) {
      const saved = JSON.parse(readFileSync(this.checkpointFile, 'utf8')) as { streamArn: string; shards: Record<string, ShardCursor> };
      if (saved.streamArn === this.streamArn) for (const [shardId, cursor] of Object.entries(saved.shards)) this.shards.set(shardId, { checkpoint: cursor.checkpoint, closed: cursor.closed });
    }
    await this.poll();
  }

  /** Something may have written to the table: read now rather than at the end of a quiet wait. */
  wake(): void {
    if (this.stopped || this.paused) return;
    this.backoff.wake();
    if (this.polling) {
      this.wakeRequested = true;
    } else if (this.timer) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.poll(), 0);
    }
  }

  private async poll(): Promise<void> {
    if (this.stopped || this.paused) return;
    this.timer = undefined;
    this.wakeRequested = false;
    this.polling = this.pollOnce().catch((error: Error) => {
      console.error(`[local-runtime] stream poller for ${this.definition.name}: ${error.message}`);
      return false;
    });
    const foundRecords = await this.polling;
    this.polling = undefined;
    if (this.stopped || this.paused) return;
    this.timer = setTimeout(() => void this.poll(), this.wakeRequested ? 0 : this.backoff.next(foundRecords));
  }

  /**
   * Stops reading once the current read is delivered, as disabling an event source mapping does: new
   * records wait in the stream, and `resume()` reads them from the checkpoint. The benchmark holds
   * routing back with it to measure capture alone.
   */
  async pause(): Promise<void> {
    this.paused = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.polling;
  }

  resume(): void {
    if (!this.paused || this.stopped) return;
    this.paused = false;
    this.backoff.wake();
    void this.poll();
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Starts no more reads, batches or retries; `stop` then waits for the batches under way. */
  halt(): void {
    this.stopping.abort();
    clearTimeout(this.timer);
  }

  async stop(): Promise<void> {
    this.halt();
    await this.polling;
    this.streams.destroy();
  }

  /**
   * Resolves once a poll that started after the call finds nothing new: what was written before the call
   * has been handled. (A poll already under way may have read the stream before the last write.)
   */
  async drain(timeoutMs = 10_000): Promise<void> {
    const since = Date.now();
    this.wake();
    while (this.idleSince <= since) {
      if (Date.now() - since > timeoutMs) throw new Error(`Stream for ${this.definition.name} did not drain within ${timeoutMs} ms`);
      await new Promise((done) => setTimeout(done, this.backoff.minMs));
    }
  }

  /**
   * Reads every open shard once and delivers what it finds; true if it found records. A shard that fails
   * is logged and read again next time; the others are read all the same, and the read does not count
   * as finding the stream quiet (`drain()` waits on).
   */
  private async pollOnce(): Promise<boolean> {
    const startedAt = Date.now();
    await this.discoverShards();
    let sawRecords = false;
    let shardFailed = false;
    for (const [shardId, cursor] of this.shards) {
      if (this.stopped) break;
      if (cursor.closed) continue;
      try {
        if (await this.readShard(shardId, cursor)) sawRecords = true;
      } catch (error) {
        shardFailed = true;
        if (error instanceof PollerStoppedError) break;
        console.error(`[local-runtime] stream poller for ${this.definition.name}, shard ${shardId}: ${(error as Error).message}`);
      }
    }
    if (!sawRecords && !shardFailed) this.idleSince = startedAt;
    return sawRecords;
  }

  /** Reads one page of a shard and delivers it; true if it held records. */
  private async readShard(shardId: string, cursor: ShardCursor): Promise<boolean> {
    cursor.iterator ??= await this.iteratorFor(shardId, cursor);
    if (!cursor.iterator) return false;
    let page;
    try {
      page = await this.streams.send(new GetRecordsCommand({ ShardIterator: cursor.iterator, Limit: 1000 }));
    } catch (error) {
      // A new iterator is taken at the next read, from the checkpoint (or the oldest record, if that was trimmed).
      if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
        cursor.iterator = undefined;
        return false;
      }
      if (error instanceof ResourceNotFoundException) {
        this.dropGoneShard(shardId, cursor);
        return false;
      }
      throw error;
    }
    const records = page.Records ?? [];
    if (records.length) {
      await this.deliverPage(records);
      cursor.checkpoint = records[records.length - 1].dynamodb?.SequenceNumber ?? cursor.checkpoint;
      this.saveCheckpoints();
    }
    cursor.iterator = page.NextShardIterator;
    if (!cursor.iterator) {
      cursor.closed = true;
      this.saveCheckpoints();
    }
    return records.length > 0;
  }

  /**
   * Splits a page into `parallelizationFactor` lanes by item key, as Lambda does, and delivers each
   * lane's batches in order while the lanes run side by side: a backlog drains that many times faster.
   */
  private async deliverPage(records: StreamRecord[]): Promise<void> {
    const { batchSize, parallelizationFactor } = this.definition.trigger;
    const lanes = Array.from({ length: parallelizationFactor }, (): StreamRecord[] => []);
    for (const record of records) lanes[laneOf(record, parallelizationFactor)].push(record);
    // Every lane is waited for, so a stop returns only once no batch of the page is running.
    const settled = await Promise.allSettled(
      lanes.map(async (lane) => {
        for (let start = 0; start < lane.length; start += batchSize) {
          if (this.stopped) throw new PollerStoppedError();
          await this.deliver(lane.slice(start, start + batchSize));
        }
      }),
    );
    const failed = settled.find((lane): lane is PromiseRejectedResult => lane.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Shards change rarely (DynamoDB rolls them over every few hours), so they are listed once a second at most.
   * A shard the stream no longer lists (trimmed 24 hours after it closed, or checkpointed by a run long ago)
   * is dropped: it cannot be read, and a checkpoint file would otherwise keep it for ever.
   */
  private async discoverShards(): Promise<void> {
    if (Date.now() - this.shardsDiscoveredAt < 1000 && [...this.shards.values()].some((cursor) => !cursor.closed)) return;
    this.shardsDiscoveredAt = Date.now();
    const listed = new Set<string>();
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: exclusiveStartShardId }));
      for (const shard of StreamDescription?.Shards ?? []) if (shard.ShardId) listed.add(shard.ShardId);
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    let dropped = false;
    for (const [shardId, cursor] of this.shards) {
      if (listed.has(shardId)) continue;
      if (!cursor.closed) console.warn(`[local-runtime] stream poller for ${this.definition.name}: shard ${shardId} is no longer in the stream; records not yet read from it are lost.`);
      this.shards.delete(shardId);
      dropped = true;
    }
    for (const shardId of listed) if (!this.shards.has(shardId)) this.shards.set(shardId, { closed: false });
    if (dropped) this.saveCheckpoints();
  }

  /**
   * An iterator from the checkpoint, or from the oldest record the shard holds when there is none, or when
   * the checkpoint is older than the stream keeps records (24 hours): what lay between is skipped, as
   * Lambda's event source mapping skips it. Undefined if the shard is gone.
   */
  private async iteratorFor(shardId: string, cursor: ShardCursor): Promise<string | undefined> {
    const iterator = async (from: string | undefined) => {
      const position = from ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: from } : { ShardIteratorType: 'TRIM_HORIZON' as const };
      const { ShardIterator } = await this.streams.send(new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ...position }));
      return ShardIterator;
    };
    try {
      return await iterator(cursor.checkpoint);
    } catch (error) {
      if (error instanceof ResourceNotFoundException) {
        this.dropGoneShard(shardId, cursor);
        return undefined;
      }
      if (!(error instanceof TrimmedDataAccessException) || !cursor.checkpoint) throw error;
      console.warn(
        `[local-runtime] stream poller for ${this.definition.name}: shard ${shardId} no longer holds its checkpoint ${cursor.checkpoint} (older than the stream's retention); reading from its oldest record, so records written after the checkpoint and since trimmed are skipped.`,
      );
      // The checkpoint is behind everything the shard still holds: reading from its start delivers nothing twice.
      cursor.checkpoint = undefined;
      return iterator(undefined);
    }
  }

  /** A shard the stream says does not exist is not read again; the next listing drops it, or takes a new one. */
  private dropGoneShard(shardId: string, cursor: ShardCursor): void {
    console.warn(`[local-runtime] stream poller for ${this.definition.name}: shard ${shardId} no longer exists; it is not read again.`);
    cursor.closed = true;
    cursor.iterator = undefined;
    this.shardsDiscoveredAt = 0;
    this.saveCheckpoints();
  }

  /** Invokes the function with the records its filters accept. */
  private async deliver(batch: StreamRecord[]): Promise<void> {
    const records = batch.map((record) => this.toLambdaRecord(record)).filter((record) => this.definition.trigger.filterPatterns.some((pattern) => matches(pattern, record)));
    if (records.length > 0) await this.deliverRecords(records);
  }

  /**
   * Invokes the function with `records`, as Lambda's event source mapping does. With `reportBatchItemFailures`
   * the function's answer is read (`failedRecordOf`): the records before the first one it names are done, never
   * delivered again, and the batch is retried from that record, a retry that counts. With `bisectBatchOnError`
   * a batch whose invocation fails (an error, not an answer) is split in half and each half delivered in turn,
   * down to the single record that fails: the split costs no retry, so only that record is retried and
   * dead-lettered, and the records beside it go through in order. Otherwise the batch is retried, then what is
   * left of it dead-lettered.
   */
  private async deliverRecords(batch: LambdaStreamRecord[]): Promise<void> {
    const { bisectBatchOnError, maxRetryAttempts, reportBatchItemFailures } = this.definition.trigger;
    let records = batch;
    for (let attempt = 0; ; attempt += 1) {
      let failure: string;
      try {
        const answer = await this.host.invoke(this.definition.name, { Records: records }, 'delivery', this.stopping.signal);
        const failed = reportBatchItemFailures ? failedRecordOf(answer, records) : undefined;
        if (!failed) return;
        records = records.slice(failed.index);
        failure = failed.reason;
      } catch (error) {
        // Refused by the function host while waiting for a slot: never attempted, so neither retried nor split.
        if (error instanceof StoppedBeforeAttemptError) throw new PollerStoppedError();
        if (bisectBatchOnError && records.length > 1) {
          const half = Math.ceil(records.length / 2);
          for (const part of [records.slice(0, half), records.slice(half)]) {
            // As a retry, a split starts nothing once stopping: the batch stays after the checkpoint.
            if (this.stopped) throw new PollerStoppedError();
            await this.deliverRecords(part);
          }
          return;
        }
        failure = (error as Error).message;
      }
      if (attempt >= maxRetryAttempts) {
        this.activity.deadLetter({ at: new Date().toISOString(), origin: `stream of table ${this.tableName}`, target: this.definition.name, error: failure, payload: { Records: records } });
        return;
      }
      // Stopping mid-retry leaves the batch unchecked-off: the next start reads it again from the checkpoint.
      if (!(await waitUnlessStopped(Math.min(100 * 2 ** attempt, 2000), this.stopping.signal))) throw new PollerStoppedError();
    }
  }

  private toLambdaRecord(record: StreamRecord) {
    const change = record.dynamodb;
    return {
      eventID: record.eventID,
      eventName: record.eventName,
      eventVersion: record.eventVersion ?? '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: localRegion,
      dynamodb: {
        ...change,
        ApproximateCreationDateTime: change?.ApproximateCreationDateTime ? Math.floor(change.ApproximateCreationDateTime.getTime() / 1000) : undefined,
      },
      eventSourceARN: this.streamArn,
    };
  }

  private saveCheckpoints(): void {
    if (!this.checkpointFile) return;
    const shards = Object.fromEntries([...this.shards].map(([shardId, cursor]) => [shardId, { checkpoint: cursor.checkpoint, closed: cursor.closed }]));
    // Write then rename: a process killed mid-write leaves the previous checkpoint, never a truncated file.
    writeFileSync(`${this.checkpointFile}.next`, JSON.stringify({ streamArn: this.streamArn, shards }, null, 2));
    renameSync(`${this.checkpointFile}.next`, this.checkpointFile);
  }
}

/** A stream record as Lambda hands it to the function. */
type LambdaStreamRecord = ReturnType<StreamPoller['toLambdaRecord']>;

/**
 * The record a function's answer names as failed, by Lambda's rules for `ReportBatchItemFailures` on a stream:
 * none when the answer, or its `batchItemFailures`, is absent, null or empty (the batch succeeded); the
 * earliest record named when there are several (the lowest sequence number, as a shard's batch is in
 * sequence order); the whole batch, from its first record, when an entry's `itemIdentifier` is empty, null or
 * missing (a wrong key name). An `itemIdentifier` that names no record of the batch is not covered by Lambda's
 * documentation: it too fails the whole batch, so that nothing is skipped.
 */
function failedRecordOf(answer: unknown, records: readonly LambdaStreamRecord[]): { index: number; reason: string } | undefined {
  const failures = typeof answer === 'object' && answer !== null ? (answer as { batchItemFailures?: unknown }).batchItemFailures : undefined;
  if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0)) return undefined;
  const whole = (why: string) => ({ index: 0, reason: `The function failed the whole batch: ${why}` });
  if (!Array.isArray(failures)) return whole('batchItemFailures is not a list');
  let earliest = records.length;
  for (const failure of failures as unknown[]) {
    const itemIdentifier = typeof failure === 'object' && failure !== null ? (failure as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof itemIdentifier !== 'string' || itemIdentifier === '') return whole(`a batch item failure without an itemIdentifier (${JSON.stringify(failure)})`);
    const index = records.findIndex((record) => record.dynamodb.SequenceNumber === itemIdentifier);
    if (index === -1) return whole(`batch item failure ${itemIdentifier} names no record of the batch`);
    earliest = Math.min(earliest, index);
  }
  return { index: earliest, reason: `The function reported record ${records[earliest].dynamodb.SequenceNumber} as failed (batchItemFailures)` };
}

/** The lane of a record: a stable hash of its item key, so one item's changes are delivered in order. */
function laneOf(record: StreamRecord, lanes: number): number {
  if (lanes === 1) return 0;
  const key = JSON.stringify(record.dynamodb?.Keys ?? {});
  let hash = 0;
  for (let index = 0; index < key.length; index += 1) hash = (hash * 31 + key.charCodeAt(index)) | 0;
  return Math.abs(hash) % lanes;
}

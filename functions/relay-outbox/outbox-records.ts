import type { DynamoDBStreamEvent } from 'aws-lambda';
import { outboxItemSchema, type OutboxEvent } from '@leadflow/platform';
import { dynamoDbStreamEnvelope } from '@leadflow/platform/dynamodb-stream-envelope';

/** One record of a stream batch, in the batch's order: its outbox event, or why it has none that can be relayed. */
export interface OutboxRecord {
  /** `dynamodb.SequenceNumber`, what a `batchItemFailures` entry names; empty if the record lacks one. */
  sequenceNumber: string;
  /** Undefined for a record without a new image (a removal), which there is nothing to relay for, and for an unreadable one. */
  event?: OutboxEvent;
  /** Why the record's new image is not an outbox event the bus may carry: the record fails, never reaching the bus. */
  problem?: Error;
}

/** The envelope is typed for Parser's zod classic schemas; it validates with zod/mini's, as the `parser` middleware hands it. */
const outboxImageSchema = outboxItemSchema as unknown as Parameters<typeof dynamoDbStreamEnvelope.safeParse<OutboxEvent>>[1];

/**
 * Reads each record on its own with the stream envelope's checks (the record, its unmarshalled new image
 * against `outboxItemSchema`), so one bad record fails itself rather than the batch around it.
 */
export function readOutboxRecords(event: DynamoDBStreamEvent): OutboxRecord[] {
  return event.Records.map((record, index) => {
    const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
    const read = dynamoDbStreamEnvelope.safeParse({ Records: [record] }, outboxImageSchema);
    if (!read.success) return { sequenceNumber, problem: new Error(`Stream record at index ${index} (sequence number ${sequenceNumber || 'none'}) is not an outbox event the bus may carry`, { cause: read.error }) };
    return { sequenceNumber, event: read.data[0]?.NewImage };
  });
}

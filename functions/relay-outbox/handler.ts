import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { countCapturedLeads, lambdaDependenciesOf, logger, loggedHandler, refusedEventsError, relayOutboxEvents, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';
import { readOutboxRecords } from './outbox-records';

/**
 * The relay half of the transactional outbox: every outbox item inserted with a lead change is put on
 * the bus (ten per `PutEvents`, all calls at once), and the accepted ones are deleted in batches. It
 * answers with the first record it could not relay (`batchItemFailures`, the manifest's
 * `reportBatchItemFailures`): Lambda takes the records before it as done and retries from it, so they are
 * not published again. A record whose image is not an outbox event the bus may carry stops the relay
 * there, since everything from it on comes back; events the bus keeps refusing stay in the outbox. When
 * the failure is the batch's first record nothing could be checkpointed, so the relay throws instead and
 * the mapping's bisection isolates the record. Events are published at least once (an event accepted after
 * the failure comes back with it) and consumers de-duplicate on `detail.eventId`. Real captured leads are
 * counted once their record is done (`countCapturedLeads`), and only when the relay answers: when it throws, the
 * whole batch comes back.
 */
export function createHandler(dependencies: DependencyResolver<'publisher' | 'outbox' | 'metrics'>) {
  return loggedHandler(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const records = readOutboxRecords(event);
    const firstUnreadable = records.findIndex((record) => record.problem !== undefined);
    // Records from an unreadable one on come back with it: relaying them now would publish them once more for every retry.
    const events = (firstUnreadable === -1 ? records : records.slice(0, firstUnreadable)).flatMap((record) => (record.event ? [record.event] : []));
    const deps = dependencies();
    const { refused } = events.length > 0 ? await relayOutboxEvents(deps, events) : { refused: [] };
    const refusedIds = new Set(refused.map((failure) => failure.eventId));
    const firstRefused = records.findIndex((record) => record.event !== undefined && refusedIds.has(record.event.eventId));
    const failedAt = [firstRefused, firstUnreadable].filter((index) => index !== -1).reduce((first, index) => Math.min(first, index), records.length);
    // Only the records before the failure are done; the others come back, and are counted when they are done.
    const done = records.slice(0, failedAt).flatMap((record) => (record.event ? [record.event] : []));
    if (failedAt === records.length) {
      countCapturedLeads(deps.metrics, done);
      return { batchItemFailures: [] };
    }
    const failed = records[failedAt];
    // An unreadable record has its problem; a readable one failed because the bus kept refusing it.
    const error = failed.problem ?? refusedEventsError(refused, events.length);
    // Nothing before it to checkpoint (or no sequence number to name): an error lets the mapping bisect the batch down to the record.
    // Nothing is counted then, as every record of the batch comes back and is counted when it is done.
    if (failedAt === 0 || failed.sequenceNumber === '') throw error;
    countCapturedLeads(deps.metrics, done);
    logger.error('Outbox record not relayed: the stream retries from it', { sequenceNumber: failed.sequenceNumber, recordsDone: failedAt, records: records.length, error });
    return { batchItemFailures: [{ itemIdentifier: failed.sequenceNumber }] };
  });
}

export const handler = createHandler(lambdaDependenciesOf({ publisher: providers.publisher, outbox: providers.outbox, metrics: providers.metrics }));

import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { LeadEvent } from '@leadflow/domain';
import { outboxItem } from '@leadflow/platform';
import type { TestDatabase } from './dynamodb';

/** One event of a backlog: its id, type and detail (only what the test needs: nothing here publishes it). */
export interface BacklogEvent {
  eventId: string;
  detailType: string;
  detail: Record<string, unknown>;
}

/**
 * Writes `count` unpublished outbox items straight into the table, as a relay that is down leaves them behind:
 * `eventAt(index)` makes each, written `spacingMs` apart from `from`, 25 to a batch and 16 batches at a time.
 */
export async function writeOutboxBacklog(database: TestDatabase, count: number, backlog: { from: Date; spacingMs: number; eventAt: (index: number) => BacklogEvent }): Promise<void> {
  const items = Array.from({ length: count }, (_, index) => {
    const { eventId, detailType, detail } = backlog.eventAt(index);
    const time = new Date(backlog.from.getTime() + index * backlog.spacingMs).toISOString();
    return outboxItem({ type: detailType, time, detail: { ...detail, eventId } } as unknown as LeadEvent);
  });
  const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, index) => items.slice(index * 25, index * 25 + 25));
  for (let start = 0; start < batches.length; start += 16) {
    await Promise.all(batches.slice(start, start + 16).map((batch) => database.client.send(new BatchWriteCommand({ RequestItems: { [database.tableName]: batch.map((Item) => ({ PutRequest: { Item } })) } }))));
  }
}

import { leadEventSource, type LeadEvent } from '@leadflow/domain';
import type { OutboxEvent } from '../ports/outbox';
import { leadsTableKeys, unpublishedOutboxPartition } from './leads-table-keys';
import { shardedPartition } from './sparse-index-shards';

/** The table item that holds one outbox event until the relay confirms it was published. */
export function outboxItem(event: LeadEvent): Record<string, unknown> {
  return {
    ...leadsTableKeys.outbox(event.detail.eventId),
    entity: 'outbox',
    eventId: event.detail.eventId,
    source: leadEventSource,
    detailType: event.type,
    detail: event.detail,
    time: event.time,
    createdAt: event.time,
    outboxPartition: shardedPartition(unpublishedOutboxPartition, event.detail.eventId),
  };
}

export function outboxEventFromItem(item: Record<string, unknown>): OutboxEvent {
  return {
    eventId: String(item.eventId),
    source: String(item.source),
    detailType: String(item.detailType),
    detail: item.detail as Record<string, unknown>,
    time: String(item.time),
  };
}

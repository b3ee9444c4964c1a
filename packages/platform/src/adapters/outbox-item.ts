import '@leadflow/domain/zod-locale';
import * as z from 'zod/mini';
import { leadEventDetailSchemas, leadEventSource, type LeadEvent } from '@leadflow/domain';
import type { OutboxEvent } from '../ports/outbox';
import { leadsTableKeys, unpublishedOutboxPartition } from './leads-table-keys';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryEveryShard, shardedPartition } from './sparse-index-shards';

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

/** The transaction item that writes one outbox event beside the change it records; an event id already written fails the transaction. */
export function outboxPut(tableName: string, event: LeadEvent) {
  return { Put: { TableName: tableName, Item: outboxItem(event), ConditionExpression: 'attribute_not_exists(pk)' } };
}

const isLeadEventType = (type: string): type is keyof typeof leadEventDetailSchemas => Object.hasOwn(leadEventDetailSchemas, type);

/**
 * An outbox item as read back (from the stream or a query), checked before it is published: a known
 * lead event type whose detail meets that type's contract. Anything else is refused, never relayed.
 */
export const outboxItemSchema = z.pipe(
  z.object({ entity: z.literal('outbox'), eventId: z.string().check(z.minLength(1)), source: z.literal(leadEventSource), detailType: z.string(), detail: z.record(z.string(), z.unknown()), time: z.iso.datetime() }),
  z.transform((item, context): OutboxEvent => {
    if (!isLeadEventType(item.detailType)) {
      context.issues.push({ code: 'custom', path: ['detailType'], message: `unknown lead event type ${item.detailType}`, input: item.detailType });
      return z.NEVER;
    }
    const detail = leadEventDetailSchemas[item.detailType].safeParse(item.detail);
    if (!detail.success) {
      for (const issue of detail.error.issues) context.issues.push({ ...issue, path: ['detail', ...issue.path], input: item.detail } as z.core.$ZodRawIssue);
      return z.NEVER;
    }
    return { eventId: item.eventId, source: item.source, detailType: item.detailType, detail: detail.data, time: item.time };
  }),
);

/** Outbox items still unpublished (in the sparse `outbox-by-time` index) created before `createdBefore`, oldest first, at most `limit`, as stored. */
export function unpublishedOutboxItems(client: DynamoDBDocumentClient, tableName: string, createdBefore: string, limit: number): Promise<Array<Record<string, unknown>>> {
  return queryEveryShard(client, {
    tableName,
    indexName: 'outbox-by-time',
    partitionAttribute: 'outboxPartition',
    prefix: unpublishedOutboxPartition,
    sortAttribute: 'createdAt',
    sortCondition: '#sort < :before',
    values: { ':before': createdBefore },
    limit,
  });
}

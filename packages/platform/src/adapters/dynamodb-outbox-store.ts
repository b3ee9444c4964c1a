import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { defaultRetention, expiresAfterDays, toIssueList, type Retention } from '@leadflow/domain';
import { logger } from '../logger';
import type { OutboxEvent, OutboxStore } from '../ports/outbox';
import { batchDeleteAll } from './dynamodb-batches';
import { leadsTableKeys } from './leads-table-keys';
import { outboxItemSchema, unpublishedOutboxItems } from './outbox-item';

/**
 * The `outbox-by-time` partition of the items set aside as unpublishable: no relay reads it (they read
 * `unpublished#<shard>`), and an erasure finds the lead's items there.
 */
export const setAsideOutboxPartition = 'set-aside';

/** Published events are deleted, so the sparse index holds only what still needs publishing. */
export class DynamoDbOutboxStore implements OutboxStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retention: Pick<Retention, 'unpublishableEventDays'> = defaultRetention,
  ) {}

  /**
   * An item that is not a lead event the bus may carry is never published. It is set aside instead: moved
   * out of the unpublished partitions (so it cannot hold up the events behind it, run after run) to
   * `setAsideOutboxPartition`, where an erasure of its lead finds it, and kept with the reason, for an
   * operator, who is told by an error in the log, until `retention.unpublishableEventDays` after its event's time.
   */
  async listUnpublished(createdBefore: string, limit: number): Promise<OutboxEvent[]> {
    for (;;) {
      const items = await unpublishedOutboxItems(this.client, this.tableName, createdBefore, limit);
      const events: OutboxEvent[] = [];
      for (const item of items) {
        const read = outboxItemSchema.safeParse(item);
        if (read.success) events.push(read.data);
        else
          await this.setAside(
            item,
            createdBefore,
            toIssueList(read.error)
              .map((issue) => `${issue.path}: ${issue.message}`)
              .join('; '),
          );
      }
      // A page of nothing but set-aside items says nothing of what comes after them: read on.
      if (events.length > 0 || items.length === 0) return events;
    }
  }

  /** `readBefore`: the time the items were read as of, which counts the expiry of an item whose own time cannot be read. */
  private async setAside(item: Record<string, unknown>, readBefore: string, problem: string): Promise<void> {
    logger.error('Outbox item set aside: it is not a lead event the bus may carry, so it is never published', { pk: item.pk, problem });
    const since = [item.createdAt, readBefore].find((at): at is string => typeof at === 'string' && !Number.isNaN(Date.parse(at)));
    const expiresAt = since === undefined ? undefined : expiresAfterDays(since, this.retention.unpublishableEventDays);
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: `SET unpublishable = :problem, outboxPartition = :setAside${expiresAt === undefined ? '' : ', expiresAt = :expiresAt'}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':problem': problem, ':setAside': setAsideOutboxPartition, ...(expiresAt === undefined ? {} : { ':expiresAt': expiresAt }) },
      }),
    );
  }

  /** Deletes in `BatchWriteItem` calls of 25 keys, all calls at once: one call for a typical relay batch. */
  async markPublished(eventIds: readonly string[]): Promise<void> {
    await batchDeleteAll(
      this.client,
      this.tableName,
      eventIds.map((eventId) => leadsTableKeys.outbox(eventId)),
    );
  }
}

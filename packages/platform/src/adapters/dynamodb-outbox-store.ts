import { BatchWriteCommand, type BatchWriteCommandInput, type BatchWriteCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OutboxEvent, OutboxStore } from '../ports/outbox';
import { leadsTableKeys, unpublishedOutboxPartition } from './leads-table-keys';
import { outboxEventFromItem } from './outbox-item';
import { queryEveryShard } from './sparse-index-shards';

/** Published events are deleted, so the sparse index holds only what still needs publishing. */
export class DynamoDbOutboxStore implements OutboxStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listUnpublished(createdBefore: string, limit: number): Promise<OutboxEvent[]> {
    const items = await queryEveryShard(this.client, {
      tableName: this.tableName,
      indexName: 'outbox-by-time',
      partitionAttribute: 'outboxPartition',
      prefix: unpublishedOutboxPartition,
      sortAttribute: 'createdAt',
      sortCondition: '#sort < :before',
      values: { ':before': createdBefore },
      limit,
    });
    return items.map(outboxEventFromItem);
  }

  /** Deletes in `BatchWriteItem` calls of 25 keys, all calls at once: one call for a typical relay batch. */
  async markPublished(eventIds: readonly string[]): Promise<void> {
    const calls: Array<readonly string[]> = [];
    for (let start = 0; start < eventIds.length; start += 25) calls.push(eventIds.slice(start, start + 25));
    await Promise.all(calls.map((ids) => this.deleteAll(ids)));
  }

  private async deleteAll(eventIds: readonly string[]): Promise<void> {
    let pending: BatchWriteCommandInput['RequestItems'] = {
      [this.tableName]: eventIds.map((eventId) => ({ DeleteRequest: { Key: leadsTableKeys.outbox(eventId) } })),
    };
    // BatchWrite may leave items unprocessed under throttling; keep going until none are left.
    while (pending && Object.keys(pending).length > 0) {
      const result: BatchWriteCommandOutput = await this.client.send(new BatchWriteCommand({ RequestItems: pending }));
      pending = result.UnprocessedItems;
    }
  }
}

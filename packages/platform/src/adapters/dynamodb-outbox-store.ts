import { BatchWriteCommand, UpdateCommand, type BatchWriteCommandInput, type BatchWriteCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { toIssueList } from '@leadflow/domain';
import { logger } from '../logger';
import type { OutboxEvent, OutboxStore } from '../ports/outbox';
import { leadsTableKeys } from './leads-table-keys';
import { outboxItemSchema, unpublishedOutboxItems } from './outbox-item';

/** Published events are deleted, so the sparse index holds only what still needs publishing. */
export class DynamoDbOutboxStore implements OutboxStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * An item that is not a lead event the bus may carry is never published. It is set aside instead: taken
   * out of the index (so it cannot hold up the events behind it, run after run) and kept in the table
   * with the reason, for an operator, who is told by an error in the log.
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
            toIssueList(read.error)
              .map((issue) => `${issue.path}: ${issue.message}`)
              .join('; '),
          );
      }
      // A page of nothing but set-aside items says nothing of what comes after them: read on.
      if (events.length > 0 || items.length === 0) return events;
    }
  }

  private async setAside(item: Record<string, unknown>, problem: string): Promise<void> {
    logger.error('Outbox item set aside: it is not a lead event the bus may carry, so it is never published', { pk: item.pk, problem });
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET unpublishable = :problem REMOVE outboxPartition',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':problem': problem },
      }),
    );
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

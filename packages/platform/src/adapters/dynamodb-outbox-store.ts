import { BatchWriteCommand, type BatchWriteCommandInput, type BatchWriteCommandOutput, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OutboxEvent, OutboxStore } from '../ports/outbox';
import { leadsTableKeys, unpublishedOutboxPartition } from './leads-table-keys';
import { outboxEventFromItem } from './outbox-item';

/** Published events are deleted, so the sparse index holds only what still needs publishing. */
export class DynamoDbOutboxStore implements OutboxStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listUnpublished(createdBefore: string, limit: number): Promise<OutboxEvent[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'outbox-by-time',
        KeyConditionExpression: 'outboxPartition = :unpublished AND createdAt < :before',
        ExpressionAttributeValues: { ':unpublished': unpublishedOutboxPartition, ':before': createdBefore },
        Limit: limit,
      }),
    );
    return Items.map(outboxEventFromItem);
  }

  async markPublished(eventIds: readonly string[]): Promise<void> {
    for (let start = 0; start < eventIds.length; start += 25) {
      let pending: BatchWriteCommandInput['RequestItems'] = {
        [this.tableName]: eventIds.slice(start, start + 25).map((eventId) => ({ DeleteRequest: { Key: leadsTableKeys.outbox(eventId) } })),
      };
      // BatchWrite may leave items unprocessed under throttling; keep going until none are left.
      while (pending && Object.keys(pending).length > 0) {
        const result: BatchWriteCommandOutput = await this.client.send(new BatchWriteCommand({ RequestItems: pending }));
        pending = result.UnprocessedItems;
      }
    }
  }
}

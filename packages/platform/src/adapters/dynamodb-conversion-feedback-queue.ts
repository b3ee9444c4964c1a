import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conversionFeedbackSchemaItem, type ConversionFeedback, type FeedbackPlatform } from '@leadflow/domain';
import type { ConversionFeedbackQueue } from '../ports/conversion-feedback';
import { leadsTableKeys } from './leads-table-keys';

/**
 * The feedback queue in the leads table: pending conversions in `FEEDBACK#PENDING#<platform>`, sent ones
 * in `FEEDBACK#SENT#<platform>`, given-up ones in `FEEDBACK#DEAD#<platform>`, each keyed by `feedbackId`.
 * A due read queries only the pending partition, which holds what has not been delivered yet.
 */
export class DynamoDbConversionFeedbackQueue implements ConversionFeedbackQueue {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async enqueue(item: ConversionFeedback): Promise<boolean> {
    const keys = (state: 'PENDING' | 'SENT' | 'DEAD') => leadsTableKeys.conversionFeedback(state, item.platform, item.feedbackId);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { ConditionCheck: { TableName: this.tableName, Key: keys('SENT'), ConditionExpression: 'attribute_not_exists(pk)' } },
            { ConditionCheck: { TableName: this.tableName, Key: keys('DEAD'), ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.tableName, Item: { ...keys('PENDING'), entity: 'conversion-feedback', ...item }, ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException) return false;
      throw error;
    }
  }

  async due(platform: FeedbackPlatform, now: string, limit: number): Promise<ConversionFeedback[]> {
    const found: ConversionFeedback[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: 'dueAt <= :now',
          ExpressionAttributeValues: { ':pk': leadsTableKeys.conversionFeedback('PENDING', platform, '').pk, ':now': now },
          ConsistentRead: true,
          ExclusiveStartKey: cursor,
        }),
      );
      found.push(...(page.Items ?? []).map(itemOf));
      cursor = page.LastEvaluatedKey;
    } while (cursor && found.length < limit);
    return found.sort((a, b) => a.dueAt.localeCompare(b.dueAt)).slice(0, limit);
  }

  async markSent(items: readonly ConversionFeedback[], sentAt: string): Promise<void> {
    // Two writes per conversion, fifty conversions per transaction.
    for (let start = 0; start < items.length; start += 50) {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: items
            .slice(start, start + 50)
            .flatMap((item) => [
              { Delete: { TableName: this.tableName, Key: leadsTableKeys.conversionFeedback('PENDING', item.platform, item.feedbackId) } },
              { Put: { TableName: this.tableName, Item: { ...leadsTableKeys.conversionFeedback('SENT', item.platform, item.feedbackId), entity: 'conversion-feedback', ...item, sentAt } } },
            ]),
        }),
      );
    }
  }

  async reschedule(item: ConversionFeedback): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...leadsTableKeys.conversionFeedback('PENDING', item.platform, item.feedbackId), entity: 'conversion-feedback', ...item } }));
  }

  async deadLetter(item: ConversionFeedback, at: string): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.tableName, Key: leadsTableKeys.conversionFeedback('PENDING', item.platform, item.feedbackId) } },
          { Put: { TableName: this.tableName, Item: { ...leadsTableKeys.conversionFeedback('DEAD', item.platform, item.feedbackId), entity: 'conversion-feedback', ...item, deadLetteredAt: at } } },
        ],
      }),
    );
  }
}

function itemOf(item: Record<string, unknown>): ConversionFeedback {
  const { pk: _pk, sk: _sk, entity: _entity, sentAt: _sentAt, deadLetteredAt: _dead, ...rest } = item;
  return conversionFeedbackSchemaItem.parse(rest);
}

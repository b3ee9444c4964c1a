import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from './dynamodb-batches';
import { conversionFeedbackSchemaItem, defaultRetention, expiresAfterDays, feedbackPlatforms, feedbackStages, type ConversionFeedback, type FeedbackPlatform, type Retention } from '@leadflow/domain';
import type { ConversionFeedbackQueue, QueuedConversionFeedback } from '../ports/conversion-feedback';
import { conversionFeedbackKeysOfLead, leadsTableKeys } from './leads-table-keys';
import { failedConditions, retryOnTransactionConflict } from './dynamodb-writes';

type FeedbackState = 'PENDING' | 'SENT' | 'DEAD';

/**
 * The feedback queue in the leads table: pending conversions in `FEEDBACK#PENDING#<platform>`, sent ones
 * in `FEEDBACK#SENT#<platform>`, given-up ones in `FEEDBACK#DEAD#<platform>`, each keyed by `feedbackId`.
 * A due read queries only the pending partition, which holds what has not been delivered yet. Every item
 * holds a click id or a Meta lead id, so it carries `expiresAt` (the table's TTL), `retention.conversionFeedbackDays`
 * after the stage was reached, in whichever state it is.
 */
export class DynamoDbConversionFeedbackQueue implements ConversionFeedbackQueue {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retention: Pick<Retention, 'conversionFeedbackDays'> = defaultRetention,
  ) {}

  private itemIn(state: FeedbackState, item: ConversionFeedback, extra: Record<string, string> = {}): Record<string, unknown> {
    return {
      ...leadsTableKeys.conversionFeedback(state, item.platform, item.feedbackId),
      entity: 'conversion-feedback',
      ...item,
      ...extra,
      expiresAt: expiresAfterDays(item.occurredAt, this.retention.conversionFeedbackDays),
    };
  }

  async enqueue(item: ConversionFeedback): Promise<boolean> {
    const keys = (state: FeedbackState) => leadsTableKeys.conversionFeedback(state, item.platform, item.feedbackId);
    try {
      await retryOnTransactionConflict(() =>
        this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              { ConditionCheck: { TableName: this.tableName, Key: keys('SENT'), ConditionExpression: 'attribute_not_exists(pk)' } },
              { ConditionCheck: { TableName: this.tableName, Key: keys('DEAD'), ConditionExpression: 'attribute_not_exists(pk)' } },
              // The caller read the lead as valid; an erasure since then (it makes the lead invalid) must not find a conversion written after it.
              {
                ConditionCheck: {
                  TableName: this.tableName,
                  Key: leadsTableKeys.lead(item.leadId),
                  ConditionExpression: 'attribute_exists(pk) AND #status <> :invalid',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':invalid': 'invalid' },
                },
              },
              { Put: { TableName: this.tableName, Item: this.itemIn('PENDING', item), ConditionExpression: 'attribute_not_exists(pk)' } },
            ],
          }),
        ),
      );
      return true;
    } catch (error) {
      // Queued, sent or given up on before, or the lead erased: nothing to queue. A conflict with another write
      // to the lead (its follow-up tracking takes the same event) is retried, and thrown once that is spent, so the event is retried.
      if (failedConditions(error)) return false;
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
      let batch = items.slice(start, start + 50);
      while (batch.length > 0) {
        try {
          await this.client.send(
            new TransactWriteCommand({
              TransactItems: batch.flatMap((item) => [
                { Delete: { TableName: this.tableName, Key: leadsTableKeys.conversionFeedback('PENDING', item.platform, item.feedbackId), ConditionExpression: 'attribute_exists(pk)' } },
                { Put: { TableName: this.tableName, Item: this.itemIn('SENT', item, { sentAt }) } },
              ]),
            }),
          );
          break;
        } catch (error) {
          // A conversion no longer pending was erased with its lead while it was being sent: it is not written back.
          const gone = failedConditions(error);
          if (!gone) throw error;
          batch = batch.filter((_, index) => !gone[index * 2]);
        }
      }
    }
  }

  async reschedule(item: ConversionFeedback): Promise<void> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: this.itemIn('PENDING', item), ConditionExpression: 'attribute_exists(pk)' }));
    } catch (error) {
      // Erased with its lead while it was being sent: it stays gone.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async deadLetter(item: ConversionFeedback, at: string): Promise<void> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.tableName, Key: leadsTableKeys.conversionFeedback('PENDING', item.platform, item.feedbackId), ConditionExpression: 'attribute_exists(pk)' } },
            { Put: { TableName: this.tableName, Item: this.itemIn('DEAD', item, { deadLetteredAt: at }) } },
          ],
        }),
      );
    } catch (error) {
      if (!failedConditions(error)) throw error;
    }
  }

  async feedbackFor(leadId: string): Promise<QueuedConversionFeedback[]> {
    // 18 keys, within one batch's 100.
    const found = (await batchGetAll(this.client, this.tableName, conversionFeedbackKeysOfLead(leadId))).map(queuedItemOf);
    const order = (item: QueuedConversionFeedback) => [feedbackPlatforms.indexOf(item.platform), feedbackStages.indexOf(item.stage), ['pending', 'sent', 'dead'].indexOf(item.state)];
    return found.sort((a, b) => {
      const [x, y] = [order(a), order(b)];
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    });
  }
}

function itemOf(item: Record<string, unknown>): ConversionFeedback {
  const { pk: _pk, sk: _sk, entity: _entity, sentAt: _sentAt, deadLetteredAt: _dead, expiresAt: _expiresAt, ...rest } = item;
  return conversionFeedbackSchemaItem.parse(rest);
}

function queuedItemOf(item: Record<string, unknown>): QueuedConversionFeedback {
  const conversion = itemOf(item);
  const state = String(item.pk).split('#')[1];
  if (state === 'SENT') return { ...conversion, state: 'sent', sentAt: String(item.sentAt) };
  if (state === 'DEAD') return { ...conversion, state: 'dead', deadLetteredAt: String(item.deadLetteredAt) };
  return { ...conversion, state: 'pending' };
}

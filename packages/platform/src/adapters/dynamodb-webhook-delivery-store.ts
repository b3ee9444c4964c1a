import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { webhookDeliverySchema, type WebhookDelivery, type WebhookDeliveryState } from '@leadflow/domain';
import type { WebhookDeliveryStore } from '../ports/webhook-deliveries';
import { leadsTableKeys, webhookDuePartition } from './leads-table-keys';
import { queryEveryShard, shardedPartition } from './sparse-index-shards';

/** How long a delivered delivery stays in the log (and can be replayed) before the table's TTL removes it. */
const deliveredRetentionDays = 30;

/**
 * Deliveries in the leads table under `WEBHOOK#<destination>` / `DELIVERY#<event id>`: a destination's
 * partition is its delivery log. A pending delivery also carries `webhookDuePartition` (sharded) and
 * `webhookDueAt`, so the retry schedule reads only what is due from the sparse index.
 */
export class DynamoDbWebhookDeliveryStore implements WebhookDeliveryStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async open(delivery: WebhookDelivery): Promise<boolean> {
    return this.conditionalPut(delivery, 'attribute_not_exists(pk)', {});
  }

  async due(now: string, limit: number): Promise<WebhookDelivery[]> {
    const items = await queryEveryShard(this.client, {
      tableName: this.tableName,
      indexName: 'webhook-deliveries-by-due-time',
      partitionAttribute: 'webhookDuePartition',
      prefix: webhookDuePartition,
      sortAttribute: 'webhookDueAt',
      sortCondition: '#sort <= :now',
      values: { ':now': now },
      limit,
    });
    return items.map(deliveryOf);
  }

  async claim(delivery: WebhookDelivery, until: string): Promise<WebhookDelivery | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: leadsTableKeys.webhookDelivery(delivery.destinationId, delivery.eventId),
          UpdateExpression: 'SET nextAttemptAt = :until, webhookDueAt = :until',
          ConditionExpression: '#state = :pending AND nextAttemptAt = :seen',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':until': until, ':pending': 'pending', ':seen': delivery.nextAttemptAt },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? deliveryOf(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async record(delivery: WebhookDelivery, claimedUntil: string): Promise<boolean> {
    return this.conditionalPut(delivery, '#state = :pending AND nextAttemptAt = :claimed', { ':pending': 'pending', ':claimed': claimedUntil });
  }

  async list(destinationId: string, filter: { states?: readonly WebhookDeliveryState[]; since?: string } = {}): Promise<WebhookDelivery[]> {
    const conditions: string[] = [];
    const values: Record<string, unknown> = { ':pk': leadsTableKeys.webhookDelivery(destinationId, '').pk };
    if (filter.states) {
      conditions.push(`#state IN (${filter.states.map((_, index) => `:state${index}`).join(', ')})`);
      filter.states.forEach((state, index) => (values[`:state${index}`] = state));
    }
    if (filter.since) {
      // What a receiver got since then is what was delivered since then, whenever it was first queued.
      conditions.push('((#state = :delivered AND deliveredAt >= :since) OR (#state <> :delivered AND createdAt >= :since))');
      values[':since'] = filter.since;
      values[':delivered'] = 'delivered';
    }
    const found: WebhookDelivery[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: conditions.length ? conditions.join(' AND ') : undefined,
          ExpressionAttributeNames: conditions.length ? { '#state': 'state' } : undefined,
          ExpressionAttributeValues: values,
          ExclusiveStartKey: cursor,
        }),
      );
      found.push(...(page.Items ?? []).map(deliveryOf));
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async requeue(replayed: WebhookDelivery, expectedState: WebhookDeliveryState): Promise<boolean> {
    return this.conditionalPut(replayed, '#state = :expected', { ':expected': expectedState });
  }

  private async conditionalPut(delivery: WebhookDelivery, condition: string, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: itemOf(delivery),
          ConditionExpression: condition,
          ExpressionAttributeNames: condition.includes('#state') ? { '#state': 'state' } : undefined,
          ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function itemOf(delivery: WebhookDelivery): Record<string, unknown> {
  const keys = leadsTableKeys.webhookDelivery(delivery.destinationId, delivery.eventId);
  const due =
    delivery.state === 'pending' && delivery.nextAttemptAt ? { webhookDuePartition: shardedPartition(webhookDuePartition, `${delivery.destinationId}#${delivery.eventId}`), webhookDueAt: delivery.nextAttemptAt } : {};
  const expiry = delivery.state === 'delivered' && delivery.deliveredAt ? { expiresAt: Math.floor(Date.parse(delivery.deliveredAt) / 1000) + deliveredRetentionDays * 86_400 } : {};
  return { ...keys, entity: 'webhook-delivery', ...delivery, ...due, ...expiry };
}

function deliveryOf(item: Record<string, unknown>): WebhookDelivery {
  const { pk: _pk, sk: _sk, entity: _entity, webhookDuePartition: _partition, webhookDueAt: _dueAt, expiresAt: _expiresAt, ...delivery } = item;
  return webhookDeliverySchema.parse(delivery);
}

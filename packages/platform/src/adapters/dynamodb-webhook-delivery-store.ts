import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { wasErased, webhookBodyWithoutPerson, webhookDeliverySchema, type LeadHistoryEntry, type WebhookDelivery, type WebhookDeliveryState } from '@leadflow/domain';
import type { WebhookDeliveryStore } from '../ports/webhook-deliveries';
import { leadReferencesPartition, leadsTableKeys, webhookDuePartition } from './leads-table-keys';
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

  async open(delivery: WebhookDelivery): Promise<WebhookDelivery | undefined> {
    const personal = webhookBodyWithoutPerson(delivery.eventType, delivery.body);
    const reference = personal && leadsTableKeys.webhookDeliveryReference(personal.leadId, delivery.destinationId, delivery.eventId);
    // Referenced before it is stored, so an erasure that reads the references after this finds the delivery;
    // a redelivered event finds its reference there already, with the expiry it may have been given since.
    if (reference) {
      const target = leadsTableKeys.webhookDelivery(delivery.destinationId, delivery.eventId);
      await ignoringFailedCondition(
        this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...reference, entity: 'lead-reference', leadId: personal.leadId, target }, ConditionExpression: 'attribute_not_exists(pk)' })),
      );
    }
    if (!(await this.conditionalPut(delivery, 'attribute_not_exists(pk)', {}))) return undefined;
    if (!personal || !reference) return delivery;
    // Read after the write: an erasure that read the references before it had already erased the lead, so it shows here.
    const { Item: lead } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: leadsTableKeys.lead(personal.leadId), ProjectionExpression: '#history, expiresAt', ExpressionAttributeNames: { '#history': 'history' }, ConsistentRead: true }),
    );
    if (lead && !wasErased({ history: (lead.history ?? []) as LeadHistoryEntry[] })) {
      // The reference is kept as long as the lead: it expires with a lead that expires (unless an erasure took it meanwhile).
      if (lead.expiresAt !== undefined) {
        await ignoringFailedCondition(
          this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: reference,
              UpdateExpression: 'SET expiresAt = :expiresAt',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':expiresAt': Number(lead.expiresAt) },
            }),
          ),
        );
      }
      return delivery;
    }
    // The person was erased (or the lead has gone): the delivery keeps and sends nothing of them.
    const body = await withoutPerson(this.client, this.tableName, leadsTableKeys.webhookDelivery(delivery.destinationId, delivery.eventId));
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: reference }));
    return { ...delivery, body: body ?? personal.body };
  }

  async deliveriesOfLead(leadId: string): Promise<WebhookDelivery[]> {
    const found: WebhookDelivery[] = [];
    for (const { target } of await webhookDeliveryReferences(this.client, this.tableName, leadId)) {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: target, ConsistentRead: true }));
      if (Item) found.push(deliveryOf(Item));
    }
    return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
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
    // The body as claimed: an erasure that rewrote it meanwhile is not undone (the delivery is attempted again once the claim lapses).
    return this.conditionalPut(delivery, '#state = :pending AND nextAttemptAt = :claimed AND body = :body', { ':pending': 'pending', ':claimed': claimedUntil, ':body': delivery.body });
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
    return this.conditionalPut(replayed, '#state = :expected AND body = :body', { ':expected': expectedState, ':body': replayed.body });
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

/** The keys of the lead's deliveries whose body held what the person answered (`webhookDeliveryReference`), with their references. */
async function webhookDeliveryReferences(client: DynamoDBDocumentClient, tableName: string, leadId: string): Promise<Array<{ reference: Record<string, string>; target: Record<string, string> }>> {
  const found: Array<{ reference: Record<string, string>; target: Record<string, string> }> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :webhook)',
        ExpressionAttributeValues: { ':pk': leadReferencesPartition(leadId), ':webhook': 'WEBHOOK#' },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) if (item.target) found.push({ reference: { pk: String(item.pk), sk: String(item.sk) }, target: item.target as Record<string, string> });
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return found;
}

/**
 * Takes what the person answered out of every webhook delivery of the lead that holds it (delivered, pending
 * or dead: a pending one is then sent without it), and drops the references. Run by an erasure once the lead
 * is erased; running it again changes nothing.
 */
export async function eraseWebhookDeliveriesOfLead(client: DynamoDBDocumentClient, tableName: string, leadId: string): Promise<void> {
  for (const { reference, target } of await webhookDeliveryReferences(client, tableName, leadId)) {
    await withoutPerson(client, tableName, target);
    await client.send(new DeleteCommand({ TableName: tableName, Key: reference }));
  }
}

/** Rewrites one delivery's body without the person (conditional on the body read, read again if it changed); the new body, if it held any. */
async function withoutPerson(client: DynamoDBDocumentClient, tableName: string, Key: Record<string, string>): Promise<string | undefined> {
  for (;;) {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }));
    const erased = Item && webhookBodyWithoutPerson(String(Item.eventType), String(Item.body));
    if (!erased) return undefined;
    try {
      await client.send(
        new UpdateCommand({ TableName: tableName, Key, UpdateExpression: 'SET body = :erased', ConditionExpression: 'body = :seen', ExpressionAttributeValues: { ':erased': erased.body, ':seen': String(Item.body) } }),
      );
      return erased.body;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

/** Runs a conditional write whose failed condition means there is nothing to do. */
async function ignoringFailedCondition(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

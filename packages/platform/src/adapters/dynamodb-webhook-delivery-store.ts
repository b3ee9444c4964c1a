import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  defaultRetention,
  earlierExpiry,
  wasErased,
  webhookBodyWithoutPerson,
  webhookDeliveryExpiresAt,
  webhookDeliverySchema,
  type LeadHistoryEntry,
  type Retention,
  type WebhookDelivery,
  type WebhookDeliveryState,
} from '@leadflow/domain';
import type { WebhookDeliveryStore } from '../ports/webhook-deliveries';
import { retryOnTransactionConflict, type TransactItem } from './dynamodb-writes';
import { leadReferencesOf } from './dynamodb-lead-references';
import { leadsTableKeys, webhookDuePartition } from './leads-table-keys';
import { dueItemsOfEveryShard, shardedPartition } from './sparse-index-shards';

/**
 * Deliveries in the leads table under `WEBHOOK#<destination>` / `DELIVERY#<event id>`: a destination's
 * partition is its delivery log. A pending delivery also carries `webhookDuePartition` (sharded) and
 * `webhookDueAt`, so the retry schedule reads only what is due from the sparse index. A delivered or dead
 * one carries `expiresAt` (the table's TTL), `retention.webhookDeliveryDays` after it ended
 * (`webhookDeliveryExpiresAt`), and so does its reference under the lead, unless the lead expires first.
 */
export class DynamoDbWebhookDeliveryStore implements WebhookDeliveryStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retention: Pick<Retention, 'webhookDeliveryDays'> = defaultRetention,
  ) {}

  async open(delivery: WebhookDelivery): Promise<WebhookDelivery | undefined> {
    const personal = webhookBodyWithoutPerson(delivery.eventType, delivery.body);
    const reference = personal && leadsTableKeys.webhookDeliveryReference(personal.leadId, delivery.destinationId, delivery.eventId);
    // The reference and the delivery are written together: an erasure that reads the references after this finds the
    // delivery, and a redelivered event (its delivery there already) writes neither, so it cannot bring back a reference an
    // erasure took, with no expiry, nor touch the expiry the reference may have been given since.
    const referenceItem = personal && reference && { ...reference, entity: 'lead-reference', leadId: personal.leadId, target: leadsTableKeys.webhookDelivery(delivery.destinationId, delivery.eventId) };
    if (!(await this.openWithReference(delivery, referenceItem))) return undefined;
    if (!personal || !reference) return delivery;
    // Read after the write: an erasure that read the references before it had already erased the lead, so it shows here.
    const { Item: lead } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: leadsTableKeys.lead(personal.leadId), ProjectionExpression: '#history, expiresAt', ExpressionAttributeNames: { '#history': 'history' }, ConsistentRead: true }),
    );
    if (lead && !wasErased({ history: (lead.history ?? []) as LeadHistoryEntry[] })) {
      // The reference is kept as long as the lead: it expires with a lead that expires (the pending delivery does not yet).
      if (lead.expiresAt !== undefined) await this.writeWithReferenceExpiry([], reference, personal.leadId, undefined);
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
    const items = await dueItemsOfEveryShard(this.client, {
      tableName: this.tableName,
      indexName: 'webhook-deliveries-by-due-time',
      partitionAttribute: 'webhookDuePartition',
      prefix: webhookDuePartition,
      sortAttribute: 'webhookDueAt',
      dueBy: now,
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
    const put = this.putOf(delivery, '#state = :pending AND nextAttemptAt = :claimed AND body = :body', { ':pending': 'pending', ':claimed': claimedUntil, ':body': delivery.body });
    // Retried, it stays pending and unexpiring; delivered or dead, it expires, and its reference with it.
    return delivery.state === 'pending' ? this.conditionalPut(put) : this.putWithReferenceExpiry(delivery, put);
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
    if (!replayed.nextAttemptAt) throw new Error(`The replay of ${replayed.destinationId}/${replayed.eventId} is not due: a replay is due at once`);
    // One past its expiry at the replay (DynamoDB deletes expired items within days, not at once) stays gone: it is not brought back.
    const put = this.putOf(replayed, '#state = :expected AND body = :body AND (attribute_not_exists(expiresAt) OR expiresAt > :replayedAt)', {
      ':expected': expectedState,
      ':body': replayed.body,
      ':replayedAt': Math.floor(Date.parse(replayed.nextAttemptAt) / 1000),
    });
    // Pending again, it loses its expiry, and its reference loses it in the same write: neither vanishes while it is retried.
    return this.putWithReferenceExpiry(replayed, put);
  }

  /**
   * Writes the delivery and, when its body holds what the person answered, its reference's expiry in the same
   * transaction (`writeWithReferenceExpiry`), so the reference neither outlives the delivery nor goes before it.
   */
  private async putWithReferenceExpiry(delivery: WebhookDelivery, put: PutCommandInput): Promise<boolean> {
    const personal = webhookBodyWithoutPerson(delivery.eventType, delivery.body);
    if (personal) {
      const reference = leadsTableKeys.webhookDeliveryReference(personal.leadId, delivery.destinationId, delivery.eventId);
      const written = await this.writeWithReferenceExpiry([{ Put: put }], reference, personal.leadId, webhookDeliveryExpiresAt(delivery, this.retention));
      if (written !== 'no_reference') return written === 'written';
    }
    return this.conditionalPut(put);
  }

  /**
   * Writes `first` (the delivery's own write, if any) and the reference's expiry in one transaction: the earlier of its
   * lead's and `deliveryExpiresAt` (none when neither expires), conditional on the lead's expiry being still as read.
   * The lead store gives the references a changed lead expiry alike, checking the delivery's (`webhookReferenceExpiryItems`),
   * so whichever writes last saw the other. `refused`: a condition of `first` failed; `no_reference`: the reference is gone
   * (taken by an erasure, or never written for a delivery older than references), and nothing was written.
   */
  private async writeWithReferenceExpiry(first: TransactItem[], reference: Record<string, string>, leadId: string, deliveryExpiresAt: number | undefined): Promise<'written' | 'refused' | 'no_reference'> {
    const Key = leadsTableKeys.lead(leadId);
    for (let tries = 1; ; tries += 1) {
      const { Item: lead } = await this.client.send(new GetCommand({ TableName: this.tableName, Key, ProjectionExpression: 'expiresAt', ConsistentRead: true }));
      const leadExpiresAt = expiryOf(lead);
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              ...first,
              { ConditionCheck: { TableName: this.tableName, Key, ...expiryUnchanged(leadExpiresAt) } },
              { Update: { TableName: this.tableName, Key: reference, ...expiryUpdate(earlierExpiry(leadExpiresAt, deliveryExpiresAt)), ConditionExpression: 'attribute_exists(pk)' } },
            ],
          }),
        );
        return 'written';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException) || tries >= 5) throw error;
        const failed = (error.CancellationReasons ?? []).map((reason) => reason.Code === 'ConditionalCheckFailed');
        if (failed.slice(0, first.length).some(Boolean)) return 'refused';
        if (failed[first.length + 1]) return 'no_reference';
        // The lead's expiry changed since it was read, or a concurrent write held an item: read it again.
      }
    }
  }

  /** Writes a new delivery, with its lead's reference to it (`reference`, if any) in the same transaction; `false` when the delivery exists. */
  private async openWithReference(delivery: WebhookDelivery, reference: Record<string, unknown> | undefined): Promise<boolean> {
    const put = this.putOf(delivery, 'attribute_not_exists(pk)', {});
    if (!reference) return this.conditionalPut(put);
    try {
      // The reference unconditionally: one left by a delivery that has since gone (expired) is pointed at the new one.
      // The same event delivered twice at once: one transaction wins, the other then finds the delivery.
      await retryOnTransactionConflict(() => this.client.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, { Put: { TableName: this.tableName, Item: reference } }] })));
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  /** The delivery's item, written only if `condition` holds. */
  private putOf(delivery: WebhookDelivery, condition: string, values: Record<string, unknown>): PutCommandInput {
    return {
      TableName: this.tableName,
      Item: itemOf(delivery, this.retention),
      ConditionExpression: condition,
      ExpressionAttributeNames: condition.includes('#state') ? { '#state': 'state' } : undefined,
      ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
    };
  }

  private async conditionalPut(put: PutCommandInput): Promise<boolean> {
    try {
      await this.client.send(new PutCommand(put));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function itemOf(delivery: WebhookDelivery, retention: Pick<Retention, 'webhookDeliveryDays'>): Record<string, unknown> {
  const keys = leadsTableKeys.webhookDelivery(delivery.destinationId, delivery.eventId);
  const due =
    delivery.state === 'pending' && delivery.nextAttemptAt ? { webhookDuePartition: shardedPartition(webhookDuePartition, `${delivery.destinationId}#${delivery.eventId}`), webhookDueAt: delivery.nextAttemptAt } : {};
  const expiresAt = webhookDeliveryExpiresAt(delivery, retention);
  return { ...keys, entity: 'webhook-delivery', ...delivery, ...due, ...(expiresAt === undefined ? {} : { expiresAt }) };
}

function deliveryOf(item: Record<string, unknown>): WebhookDelivery {
  const { pk: _pk, sk: _sk, entity: _entity, webhookDuePartition: _partition, webhookDueAt: _dueAt, expiresAt: _expiresAt, ...delivery } = item;
  return webhookDeliverySchema.parse(delivery);
}

/** How the sort key of a lead's reference to a webhook delivery begins (`webhookDeliveryReference`). */
const webhookReferencePrefix = 'WEBHOOK#';

/** Whether a key under `LEADREFS#<leadId>` is a reference to a webhook delivery, whose expiry `webhookReferenceExpiryItems` gives. */
export function isWebhookDeliveryReference(key: Record<string, string>): boolean {
  return String(key.sk).startsWith(webhookReferencePrefix);
}

/** The keys of the lead's deliveries whose body held what the person answered (`webhookDeliveryReference`), with their references. */
async function webhookDeliveryReferences(client: DynamoDBDocumentClient, tableName: string, leadId: string): Promise<Array<{ reference: Record<string, string>; target: Record<string, string> }>> {
  return (await leadReferencesOf(client, tableName, leadId, webhookReferencePrefix)).flatMap(({ reference, target }) => (target ? [{ reference, target }] : []));
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

/**
 * Rewrites one delivery's body without the person, and drops its `lastError`, which may quote the receiver's answer to
 * the event, the person's answers with it (`lastStatus` stays); conditional on the body read, read again if it changed.
 * The new body, if it held any. An attempt recorded meanwhile writes back the body it claimed, so its error goes too;
 * one recorded after finds the body changed and writes nothing.
 */
async function withoutPerson(client: DynamoDBDocumentClient, tableName: string, Key: Record<string, string>): Promise<string | undefined> {
  for (;;) {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }));
    const erased = Item && webhookBodyWithoutPerson(String(Item.eventType), String(Item.body));
    if (!erased) return undefined;
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key,
          UpdateExpression: 'SET body = :erased REMOVE lastError',
          ConditionExpression: 'body = :seen',
          ExpressionAttributeValues: { ':erased': erased.body, ':seen': String(Item.body) },
        }),
      );
      return erased.body;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

/**
 * For a lead whose expiry becomes `leadExpiresAt` (`undefined`: kept): the transaction items giving each of its
 * `references` to a webhook delivery (as the lead store read them) the earlier of that and its delivery's expiry,
 * each with a check that the delivery's expiry is still as read here (a delivery that ended or was replayed
 * meanwhile fails the lead's transaction, which is then read again). A reference whose delivery is gone follows the lead alone.
 */
export async function webhookReferenceExpiryItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  references: ReadonlyArray<{ reference: Record<string, string>; target: Record<string, string> }>,
  leadExpiresAt: number | undefined,
): Promise<TransactItem[]> {
  const deliveries = await Promise.all(references.map(({ target }) => client.send(new GetCommand({ TableName: tableName, Key: target, ProjectionExpression: 'expiresAt', ConsistentRead: true }))));
  return references.flatMap(({ reference, target }, index) => {
    const deliveryExpiresAt = expiryOf(deliveries[index].Item);
    return [
      { ConditionCheck: { TableName: tableName, Key: target, ...expiryUnchanged(deliveryExpiresAt) } },
      // An update of a missing item would create it: conditional on the reference (still) being there.
      { Update: { TableName: tableName, Key: reference, ...expiryUpdate(earlierExpiry(leadExpiresAt, deliveryExpiresAt)), ConditionExpression: 'attribute_exists(pk)' } },
    ];
  });
}

/** An item's `expiresAt`, if it (still) has one. */
function expiryOf(item: Record<string, unknown> | undefined): number | undefined {
  return item?.expiresAt === undefined ? undefined : Number(item.expiresAt);
}

/** A condition that an item's `expiresAt` is still `seen` (absent when `undefined`; a missing item has none). */
function expiryUnchanged(seen: number | undefined): { ConditionExpression: string; ExpressionAttributeValues?: Record<string, unknown> } {
  return seen === undefined ? { ConditionExpression: 'attribute_not_exists(expiresAt)' } : { ConditionExpression: 'expiresAt = :seenExpiresAt', ExpressionAttributeValues: { ':seenExpiresAt': seen } };
}

/** The update that sets `expiresAt`, or removes it when the item is kept. */
function expiryUpdate(expiresAt: number | undefined): { UpdateExpression: string; ExpressionAttributeValues?: Record<string, unknown> } {
  return expiresAt === undefined ? { UpdateExpression: 'REMOVE expiresAt' } : { UpdateExpression: 'SET expiresAt = :expiresAt', ExpressionAttributeValues: { ':expiresAt': expiresAt } };
}

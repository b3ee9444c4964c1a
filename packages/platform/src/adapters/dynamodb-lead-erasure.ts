import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { consentPersonalFields, defaultRetention, leadExpiresAt, openLeadStatuses, pendingFetchPlatformSchema, personalFieldsOfEvent, type Lead, type Retention } from '@leadflow/domain';
import type { LeadErasureRequest, LeadErasures } from '../ports/lead-erasures';
import { DynamoDbConsentLedger } from './dynamodb-consent-ledger';
import { leadIntakeKeys } from './dynamodb-lead-intake-records';
import { deliveryKeysHeldBy, holderOf, leadExpiry, leadUpdate, readLead } from './dynamodb-lead-store';
import { transactionItemLimit } from './dynamodb-limits';
import { setAsideOutboxPartition } from './dynamodb-outbox-store';
import { eraseWebhookDeliveriesOfLead } from './dynamodb-webhook-delivery-store';
import { failedConditions, retryOnTransactionConflict, WriteContentionError } from './dynamodb-writes';
import { conversionFeedbackKeysOfLead, leadsTableKeys, unpublishedOutboxPartition } from './leads-table-keys';
import { outboxPut } from './outbox-item';
import { openLeadDecrement } from './rep-load-updates';
import { partitionsOf } from './sparse-index-shards';

/**
 * Data-subject erasure on the single `leads` table, apart from `DynamoDbLeadStore` so that only the functions
 * that erase (the erase-lead endpoint, the platform intakes) bundle it. It reads and writes the lead's items
 * as the lead store does, through the helpers the two share (`readLead`, `holderOf`, `deliveryKeysHeldBy`,
 * `leadUpdate`, `leadExpiry`), and with the same `retention`: the erased lead and what it keeps expire as the
 * lead store would expire them.
 */
export class DynamoDbLeadErasure implements LeadErasures {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retention: Retention = defaultRetention,
    /** The most outbox items an erasure reads to find the lead's events (see `outboxEventsHoldingPerson`). */
    private readonly outboxReadLimit = defaultErasureOutboxReadLimit,
  ) {}

  async erasePerson(input: LeadErasureRequest): Promise<{ leadId: string; erased: boolean } | undefined> {
    // Optimistic: the lead is rewritten only if nobody changed it since it was read; otherwise read it again.
    for (let tries = 1; ; tries += 1) {
      try {
        return await retryOnTransactionConflict(() => this.eraseOnce(input));
      } catch (error) {
        if (!failedConditions(error) || tries >= 5) throw error;
      }
    }
  }

  private async eraseOnce(input: LeadErasureRequest): Promise<{ leadId: string; erased: boolean } | undefined> {
    const leadId = 'leadId' in input ? input.leadId : await holderOf(this.client, this.tableName, input.dedupKey);
    if (!leadId) return undefined;
    const lead = await readLead(this.client, this.tableName, leadId);
    if (!lead) return undefined;
    const erasure = input.erase(lead);
    if (!erasure) {
      // Asked again: what an interrupted erasure left of the person in webhook deliveries is taken out now, and
      // the conversions queued for the ad platforms that erasures before they were reached left (found by key, as below).
      await this.client.send(new TransactWriteCommand({ TransactItems: conversionFeedbackKeysOfLead(leadId).map((Key) => ({ Delete: { TableName: this.tableName, Key } })) }));
      await eraseWebhookDeliveriesOfLead(this.client, this.tableName, leadId);
      return { leadId, erased: false };
    }
    // Only keys this lead holds are released: a test or invalid lead never claimed its person's keys.
    const heldKeys: string[] = [];
    for (const key of erasure.personKeys) if ((await holderOf(this.client, this.tableName, key)) === leadId) heldKeys.push(key);
    const [consents, intakeKey, pendingEvents, deliveryKeys] = await Promise.all([
      new DynamoDbConsentLedger(this.client, this.tableName).entriesFor(leadId),
      this.intakeDeliveryOf(lead),
      this.outboxEventsHoldingPerson(lead),
      deliveryKeysHeldBy(this.client, this.tableName, lead),
    ]);
    const update = leadUpdate(lead, erasure.lead, leadExpiry(erasure.lead, this.retention));
    const expiresAt = leadExpiresAt(erasure.lead, this.retention);
    // An erased lead is nobody's work any more: it leaves its pool's listing and frees its owner's holding capacity.
    const freesOwner = lead.ownerId !== undefined && openLeadStatuses.includes(lead.status) && !openLeadStatuses.includes(erasure.lead.status);
    // Each removal is conditional on the item still being there, so a relay or TTL deleting one meanwhile makes the erasure read again.
    const removeFields = (Key: Record<string, string>, fields: readonly string[], path: string[] = []) => ({
      Update: {
        TableName: this.tableName,
        Key,
        UpdateExpression: `REMOVE ${fields.map((field) => [...path, field].map((part) => `#${part}`).join('.')).join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.fromEntries([...path, ...fields].map((part) => [`#${part}`, part])),
      },
    });
    const erasureItems = [
      {
        Update: {
          TableName: this.tableName,
          Key: leadsTableKeys.lead(leadId),
          ...update,
          // The timeline is written whole (its typed words taken out): no entry may have been added since it was read.
          ConditionExpression: 'updatedAt = :seenUpdatedAt AND size(#history) = :seenHistoryLength',
          ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#history': 'history' },
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':seenUpdatedAt': lead.updatedAt, ':seenHistoryLength': lead.history.length },
        },
      },
      ...(freesOwner && lead.ownerId ? [openLeadDecrement(this.tableName, lead.ownerId)] : []),
      ...heldKeys.map((key) => ({
        Delete: { TableName: this.tableName, Key: leadsTableKeys.dedup(key), ConditionExpression: 'leadId = :leadId', ExpressionAttributeValues: { ':leadId': leadId } },
      })),
      ...(intakeKey ? [removeFields(intakeKey, ['rawDelivery'])] : []),
      ...pendingEvents.unpublished.map(({ eventId, fields }) => removeFields(leadsTableKeys.outbox(eventId), fields, ['detail'])),
      // Never to be published, an item set aside is kept for an operator only: not once its person asked to be forgotten.
      ...pendingEvents.setAside.map((Key) => ({ Delete: { TableName: this.tableName, Key } })),
      // The conversions queued for the ad platforms hold the Meta lead id or the click id: found by key, whatever their state, and deleted.
      ...conversionFeedbackKeysOfLead(leadId).map((Key) => ({ Delete: { TableName: this.tableName, Key } })),
      outboxPut(this.tableName, erasure.event),
    ];
    // Every ledger entry loses what identifies the person and expires with the erased (invalid) lead.
    const consentItems = consents.map((entry) => {
      const stripped = removeFields(leadsTableKeys.consent(entry), consentPersonalFields);
      if (expiresAt === undefined) return stripped;
      const { UpdateExpression, ExpressionAttributeNames } = stripped.Update;
      return {
        Update: {
          ...stripped.Update,
          UpdateExpression: `SET #expiresAt = :expiresAt ${UpdateExpression}`,
          ExpressionAttributeNames: { ...ExpressionAttributeNames, '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: { ':expiresAt': expiresAt },
        },
      };
    });
    // The delivery keys stay, so a platform's redelivery of the erased lead is recognised and does not bring the person back; they expire with the erased lead.
    const expiring = (Key: Record<string, string>, condition: string, values: Record<string, unknown> = {}) => ({
      Update: { TableName: this.tableName, Key, UpdateExpression: 'SET expiresAt = :expiresAt', ConditionExpression: condition, ExpressionAttributeValues: { ':expiresAt': expiresAt, ...values } },
    });
    // A key's fingerprint is a digest of what the person's delivery said, so it goes with the person (the id sent again is then a replay, whatever it says).
    const keptKey = (Key: Record<string, string>) => ({
      Update: {
        TableName: this.tableName,
        Key,
        UpdateExpression: `${expiresAt === undefined ? '' : 'SET expiresAt = :expiresAt '}REMOVE fingerprint`,
        ConditionExpression: 'leadId = :leadId',
        ExpressionAttributeValues: { ':leadId': leadId, ...(expiresAt === undefined ? {} : { ':expiresAt': expiresAt }) },
      },
    });
    const deliveryKeyItems = [...deliveryKeys.keys.map(keptKey), ...(expiresAt === undefined ? [] : deliveryKeys.references.map(({ reference }) => expiring(reference, 'attribute_exists(pk)')))];
    // The few delivery keys first, so they change in the lead's own transaction.
    const followers = [...deliveryKeyItems, ...consentItems];
    // A person who came back many times has more consent entries than one transaction holds (100 items): those
    // that do not fit beside the rest are stripped first, a transaction at a time (stripping them early is never wrong,
    // and the expiry they get is the erased lead's, which the erasure, retried until done, gives it).
    const room = Math.max(0, transactionItemLimit - erasureItems.length);
    for (let start = room; start < followers.length; start += transactionItemLimit) {
      await this.client.send(new TransactWriteCommand({ TransactItems: followers.slice(start, start + transactionItemLimit) }));
    }
    await this.client.send(new TransactWriteCommand({ TransactItems: [...erasureItems, ...followers.slice(0, room)] }));
    // After the lead is erased, not before: a delivery opened meanwhile either is found here or finds the lead erased (see the delivery store's `open`).
    await eraseWebhookDeliveriesOfLead(this.client, this.tableName, leadId);
    return { leadId, erased: true };
  }

  /** The key of the intake record of the platform delivery that created the lead, when it still holds the raw delivery. */
  private async intakeDeliveryOf(lead: Lead): Promise<Record<string, string> | undefined> {
    const platform = pendingFetchPlatformSchema.safeParse(lead.source.kind);
    if (!platform.success || !lead.source.platformLeadId) return undefined;
    const Key = leadIntakeKeys(platform.data, lead.source.platformLeadId);
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }));
    return Item?.rawDelivery !== undefined ? Key : undefined;
  }

  /**
   * The lead's events still waiting in the outbox whose detail holds what the person answered (see
   * `personalEventDetailFields`), and its items set aside as unpublishable (`setAsideOutboxPartition`), whatever
   * they hold. They are read from the `outbox-by-time` index, every partition, from a little before the lead's
   * capture (none of its events is older), the database keeping only the lead's: so everything written since the
   * capture and still unpublished is read, a few events while the relay keeps up, the backlog when it has been
   * down. Rather than erase and leave some behind, an erasure that would read more than `outboxReadLimit`
   * items is refused before it writes anything (`OutboxBacklogError`: asked again once the relay has caught up, it is done).
   */
  private async outboxEventsHoldingPerson(lead: Lead): Promise<{ unpublished: Array<{ eventId: string; fields: string[] }>; setAside: Array<Record<string, string>> }> {
    const since = new Date(Date.parse(lead.capturedAt) - writerClockSkewMs).toISOString();
    let read = 0;
    const readPartition = async (partition: string) => {
      const items: Array<Record<string, unknown>> = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'outbox-by-time',
            KeyConditionExpression: '#partition = :partition AND #createdAt >= :since',
            FilterExpression: '#detail.#leadId = :leadId',
            ExpressionAttributeNames: { '#partition': 'outboxPartition', '#createdAt': 'createdAt', '#detail': 'detail', '#leadId': 'leadId' },
            ExpressionAttributeValues: { ':partition': partition, ':since': since, ':leadId': lead.leadId },
            ExclusiveStartKey: startKey,
          }),
        );
        read += page.ScannedCount ?? 0;
        if (read > this.outboxReadLimit) throw new OutboxBacklogError(lead.leadId, this.outboxReadLimit);
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items;
    };
    const [setAside, ...unpublished] = await Promise.all([setAsideOutboxPartition, ...partitionsOf(unpublishedOutboxPartition)].map(readPartition));
    return {
      unpublished: unpublished.flat().flatMap((item) => {
        const detail = item.detail as Record<string, unknown>;
        const fields = personalFieldsOfEvent(String(item.detailType)).filter((field) => detail[field] !== undefined);
        return fields.length ? [{ eventId: String(item.eventId), fields }] : [];
      }),
      setAside: setAside.map((item) => ({ pk: String(item.pk), sk: String(item.sk) })),
    };
  }
}

/**
 * The most outbox items an erasure reads to find the lead's events: at about 1 KB an event, some 500 pages of
 * 1 MB, spread over the 17 partitions read at once (the relay down for a while at a busy time).
 */
const defaultErasureOutboxReadLimit = 500_000;

/** How far before the lead's capture its events are looked for: the clocks of the functions writing them differ by less. */
const writerClockSkewMs = 5 * 60 * 1000;

/**
 * An erasure would read more of the outbox than it may to find the lead's unpublished events: it wrote nothing,
 * and asked again once the relay has published the backlog, it is done (an HTTP handler answers `503`).
 */
export class OutboxBacklogError extends WriteContentionError {
  constructor(leadId: string, limit: number) {
    super(`Lead ${leadId} was not erased: finding its unpublished events would read more than ${limit} outbox items; ask again once the event relay has caught up`);
  }
}

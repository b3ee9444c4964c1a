import { DeleteCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { consentPersonalFields, defaultRetention, holdsPersonalData, leadExpiresAt, openLeadStatuses, pendingFetchPlatformSchema, personalFieldsOfEvent, type Lead, type Retention } from '@leadflow/domain';
import { mapWithConcurrency } from '../map-with-concurrency';
import type { LeadErasureRequest, LeadErasures } from '../ports/lead-erasures';
import { storedConsentEntries } from './dynamodb-consent-ledger';
import { leadIntakeKeys } from './dynamodb-lead-intake-records';
import { deliveryKeysHeldBy, holderOf, leadExpiry, leadUpdate, readLead, writeAfterTheLead } from './dynamodb-lead-store';
import { setAsideOutboxPartition } from './dynamodb-outbox-store';
import { eraseWebhookDeliveriesOfLead } from './dynamodb-webhook-delivery-store';
import { failedConditions, ignoringFailedCondition, retryOnTransactionConflict, WriteContentionError } from './dynamodb-writes';
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
      // Asked again: the conversions queued for the ad platforms that erasures before they were reached left (found by key, as below),
      // and whatever an interrupted erasure left after the lead's transaction, are taken out now.
      await this.client.send(new TransactWriteCommand({ TransactItems: conversionFeedbackKeysOfLead(leadId).map((Key) => ({ Delete: { TableName: this.tableName, Key } })) }));
      await this.afterTheErasure(lead);
      return { leadId, erased: false };
    }
    // Only keys this lead holds are released: a test or invalid lead never claimed its person's keys.
    const heldKeys: string[] = [];
    for (const key of erasure.personKeys) if ((await holderOf(this.client, this.tableName, key)) === leadId) heldKeys.push(key);
    const [intakeKey, pendingEvents] = await Promise.all([this.intakeDeliveryOf(lead), this.outboxEventsHoldingPerson(lead)]);
    // However many there are, the lead's events are stripped ahead of its own transaction, which then always fits:
    // an event stripped of the person is still right for a lead whose erasure fails and is asked again.
    await this.stripOutbox(pendingEvents);
    const update = leadUpdate(lead, erasure.lead, leadExpiry(erasure.lead, this.retention));
    // An erased lead is nobody's work any more: it leaves its pool's listing and frees its owner's holding capacity.
    const freesOwner = lead.ownerId !== undefined && openLeadStatuses.includes(lead.status) && !openLeadStatuses.includes(erasure.lead.status);
    // A bounded set, at most 24 items: the lead, its owner's counter, its email and phone keys, the intake record, the 18 conversion keys and the event.
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
      ...(intakeKey ? [removeFields(this.tableName, intakeKey, ['rawDelivery'])] : []),
      // The conversions queued for the ad platforms hold the Meta lead id or the click id: found by key, whatever their state, and deleted.
      ...conversionFeedbackKeysOfLead(leadId).map((Key) => ({ Delete: { TableName: this.tableName, Key } })),
      outboxPut(this.tableName, erasure.event),
    ];
    await this.client.send(new TransactWriteCommand({ TransactItems: erasureItems }));
    await this.afterTheErasure(erasure.lead);
    return { leadId, erased: true };
  }

  /**
   * The lead's events still in the outbox lose the fields holding the person, and its items set aside as unpublishable
   * are deleted, each on its own: an event the relay published (deleted) meanwhile has nothing left to strip.
   */
  private async stripOutbox(pendingEvents: OutboxItemsOfLead): Promise<void> {
    await mapWithConcurrency(pendingEvents.unpublished, outboxWriteConcurrency, ({ eventId, fields }) =>
      ignoringFailedCondition(this.client.send(new UpdateCommand(removeFields(this.tableName, leadsTableKeys.outbox(eventId), fields, ['detail']).Update))),
    );
    // Never to be published, an item set aside is kept for an operator only: not once its person asked to be forgotten.
    await mapWithConcurrency(pendingEvents.setAside, outboxWriteConcurrency, (Key) => this.client.send(new DeleteCommand({ TableName: this.tableName, Key })));
  }

  /**
   * What follows the erased lead's own transaction, only once it is written (each item as it is for an erased lead
   * only), and again whenever the erasure is asked again, so an interrupted one is finished: every consent ledger
   * entry still holding the person loses its IP and user agent, and every entry, the delivery keys the lead holds
   * and its references expire with the erased lead; then its webhook deliveries are scrubbed.
   */
  private async afterTheErasure(erased: Lead): Promise<void> {
    const { leadId } = erased;
    const expiresAt = leadExpiresAt(erased, this.retention);
    const [consents, deliveryKeys] = await Promise.all([storedConsentEntries(this.client, this.tableName, leadId), deliveryKeysHeldBy(this.client, this.tableName, erased)]);
    // Each update is conditional on its item (still) being there: an update of a missing item would create it.
    const update = (Key: Record<string, string>, remove: readonly string[], condition = 'attribute_exists(pk)', values: Record<string, unknown> = {}) => {
      const assignments = [expiresAt === undefined ? '' : 'SET #expiresAt = :expiresAt', remove.length ? `REMOVE ${remove.map((field) => `#${field}`).join(', ')}` : ''];
      const names = [...(expiresAt === undefined ? [] : ['expiresAt']), ...remove];
      const allValues = { ...values, ...(expiresAt === undefined ? {} : { ':expiresAt': expiresAt }) };
      return {
        Update: {
          TableName: this.tableName,
          Key,
          UpdateExpression: assignments.filter(Boolean).join(' '),
          ConditionExpression: condition,
          ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
          ...(Object.keys(allValues).length ? { ExpressionAttributeValues: allValues } : {}),
        },
      };
    };
    const followers = [
      // The delivery keys stay, so a platform's redelivery of the erased lead is recognised and does not bring the person back.
      // A key's fingerprint is a digest of what the person's delivery said, so it goes with the person (the id sent again is then a replay, whatever it says).
      ...deliveryKeys.keys.map((Key) => update(Key, ['fingerprint'], 'leadId = :leadId', { ':leadId': leadId })),
      ...(expiresAt === undefined ? [] : deliveryKeys.references.map(({ reference }) => update(reference, []))),
      // The ledger keeps the fact of consent; an entry already without the person and with the lead's expiry is left as it is.
      ...consents.filter(({ entry, expiresAt: kept }) => holdsPersonalData(entry) || kept !== expiresAt).map(({ entry }) => update(leadsTableKeys.consent(entry), consentPersonalFields)),
    ];
    await writeAfterTheLead(this.client, followers);
    // After the lead is erased, not before: a delivery opened meanwhile either is found here or finds the lead erased (see the delivery store's `open`).
    await eraseWebhookDeliveriesOfLead(this.client, this.tableName, leadId);
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
  private async outboxEventsHoldingPerson(lead: Lead): Promise<OutboxItemsOfLead> {
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

/** A lead's unpublished events holding the person (with the fields that do), and the keys of its items set aside as unpublishable. */
interface OutboxItemsOfLead {
  unpublished: Array<{ eventId: string; fields: string[] }>;
  setAside: Array<Record<string, string>>;
}

/** An update taking `fields` (under `path`) out of an item, conditional on the item still being there (a relay or TTL may delete it meanwhile). */
function removeFields(TableName: string, Key: Record<string, string>, fields: readonly string[], path: string[] = []) {
  return {
    Update: {
      TableName,
      Key,
      UpdateExpression: `REMOVE ${fields.map((field) => [...path, field].map((part) => `#${part}`).join('.')).join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: Object.fromEntries([...path, ...fields].map((part) => [`#${part}`, part])),
    },
  };
}

/** How many of an erasure's writes to the outbox run at once (the client keeps 50 sockets; see `mapWithConcurrency`). */
const outboxWriteConcurrency = 16;

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

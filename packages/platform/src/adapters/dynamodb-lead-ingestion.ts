import { DeleteCommand, GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  agendaKey,
  defaultRetention,
  expiresAfterDays,
  leadExpiresAt,
  phoneSharedWithAnother,
  retentionEnded,
  wasErased,
  type ConsentLedgerEntry,
  type ConsentsGiven,
  type DedupKey,
  type Lead,
  type PreparedIntake,
  type Retention,
} from '@leadflow/domain';
import { DeliveryIdReusedError, type IntakeOutcome, type LeadIngestion } from '../ports/lead-ingestion';
import { consentLedgerItem } from './dynamodb-consent-ledger';
import { holderOf, leadExpiry, readLead } from './dynamodb-lead-store';
import { failedConditions, isTransactionConflict, oversizedItems, retryOnTransactionConflict, WriteContentionError, type TransactItem } from './dynamodb-writes';
import { leadsTableKeys } from './leads-table-keys';
import { outboxPut } from './outbox-item';

/**
 * Submissions into the `leads` table: a new lead with its dedup keys, a touch of the lead that holds the person's
 * key, or a replay of a delivery or request already taken. Keys expire with their lead (`retention`).
 */
export class DynamoDbLeadIngestion implements LeadIngestion {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retention: Retention = defaultRetention,
  ) {}

  /** The lead as stored now, read consistently: the holder of a key, and the lead a touch is decided from. */
  protected currentLead(leadId: string): Promise<Lead | undefined> {
    return readLead(this.client, this.tableName, leadId);
  }

  /** Ledger entries written beside `lead`, expiring with it. */
  private consentPuts(entries: readonly ConsentLedgerEntry[], lead: Lead) {
    const expiresAt = leadExpiresAt(lead, this.retention);
    return entries.map((entry) => ({ Put: { TableName: this.tableName, Item: consentLedgerItem(entry, expiresAt) } }));
  }

  /** References from `lead` to the delivery keys it takes, expiring with it, so a change of its retention finds the keys. */
  private deliveryKeyReferencePuts(keys: readonly DedupKey[], lead: Lead, at: string) {
    return keys
      .filter(({ kind }) => kind === 'delivery')
      .map(({ key }) => ({
        Put: {
          TableName: this.tableName,
          Item: { ...leadsTableKeys.deliveryKeyReference(lead.leadId, key), entity: 'lead-reference', leadId: lead.leadId, target: leadsTableKeys.dedup(key), createdAt: at, ...leadExpiry(lead, this.retention).set },
        },
      }));
  }

  async ingestLead(intake: PreparedIntake, idempotencyKey?: string): Promise<IntakeOutcome> {
    return retryOnTransactionConflict(() => this.createOrTouch(intake, idempotencyKey));
  }

  /** `decision`: how many times this post was decided already; each new decision follows another writer's change, so a post that keeps meeting them is answered 503 (sent again, it is decided afresh). */
  private async createOrTouch(intake: PreparedIntake, idempotencyKey?: string, decision = 1): Promise<IntakeOutcome> {
    if (decision > maxIntakeDecisions) throw new WriteContentionError(`Lead ${intake.lead.leadId}: the person's keys kept changing hands while the post was stored; it may be sent again`);
    const again = (next: PreparedIntake) => this.createOrTouch(next, idempotencyKey, decision + 1);
    const { lead } = intake;
    const at = lead.capturedAt;
    // Every key expires with its lead: a delivery key (a test or quarantined platform lead's too), and a person key (intake gives none to a test, quarantined or invalid lead today, so this is a guard).
    const keyItems = intake.dedupKeys.map(({ key, kind, fingerprint }) => ({
      ...leadsTableKeys.dedup(key),
      entity: 'dedup-key',
      kind,
      leadId: lead.leadId,
      ...(fingerprint ? { fingerprint } : {}),
      createdAt: at,
      ...leadExpiry(lead, this.retention).set,
    }));
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            ...(idempotencyKey ? [this.putIdempotency(idempotencyKey, { leadId: lead.leadId, outcome: 'created' }, at)] : []),
            ...keyItems.map((Item) => ({ Put: { TableName: this.tableName, Item, ...freeOrExpiredAt(at) } })),
            { Put: { TableName: this.tableName, Item: { ...leadsTableKeys.lead(lead.leadId), entity: 'lead', ...lead, ...leadExpiry(lead, this.retention).set }, ConditionExpression: 'attribute_not_exists(pk)' } },
            ...intake.events.map((event) => outboxPut(this.tableName, event)),
            ...this.consentPuts(intake.consents, lead),
            ...this.deliveryKeyReferencePuts(intake.dedupKeys, lead, at),
          ],
        }),
      );
      return { leadId: lead.leadId, outcome: 'created' };
    } catch (error) {
      const failed = failedConditions(error);
      if (!failed) throw error;
      const offset = idempotencyKey ? 1 : 0;
      if (idempotencyKey && failed[0]) return this.replayOf(idempotencyKey, at);
      const heldKeys = intake.dedupKeys.filter((_, index) => failed[index + offset]);
      if (heldKeys.length === 0) throw error;
      // A delivery key means this exact delivery was taken before; a person key means a repeat submission.
      const held = heldKeys.find((key) => key.kind === 'delivery') ?? heldKeys[0];
      // Released since the write was refused (an erasure took the person's key, or a gone lead's was freed): try again, as a new lead.
      if (held.kind === 'delivery') return (await this.replayOfDelivery(held)) ?? again(intake);
      const existingLeadId = await holderOf(this.client, this.tableName, held.key);
      if (existingLeadId === undefined) return again(intake);
      try {
        return await this.recordTouch(existingLeadId, intake, heldKeys, idempotencyKey);
      } catch (touchError) {
        // A key the touch was to give the lead was taken by another lead meanwhile: decide again, with it held.
        // Someone else on the holder's phone: a lead of their own, which leaves the phone's key to the holder.
        if (touchError instanceof DecideAgainError) return again(touchError.phoneOfAnother ? { ...intake, dedupKeys: intake.dedupKeys.filter((key) => key.key !== touchError.phoneOfAnother) } : intake);
        if (!(touchError instanceof GoneLeadError)) throw touchError;
        // The lead holding the person's key has expired (an invalid lead's TTL) or was erased: the key goes too (an erasure took it already), and this is a new lead.
        await this.releaseKeyOfGoneLead(held.key, existingLeadId);
        return again(intake);
      }
    }
  }

  private async releaseKeyOfGoneLead(key: string, goneLeadId: string): Promise<void> {
    try {
      await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: leadsTableKeys.dedup(key), ConditionExpression: 'leadId = :gone', ExpressionAttributeValues: { ':gone': goneLeadId } }));
    } catch (error) {
      // Released (or taken by a new lead) by a racing submission of the same person meanwhile.
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  private async recordTouch(leadId: string, intake: PreparedIntake, heldKeys: readonly DedupKey[], idempotencyKey?: string): Promise<IntakeOutcome> {
    // The touch is re-scored and re-tagged from the lead as read, so it is written only if no other touch or change came in between.
    for (let tries = 1; ; tries += 1) {
      try {
        return await this.recordTouchOnce(leadId, intake, heldKeys, idempotencyKey);
      } catch (error) {
        if (!(error instanceof StaleLeadError) || tries >= 8) throw error;
        await new Promise((done) => setTimeout(done, Math.random() * 20 * tries));
      }
    }
  }

  /**
   * `fit`: how much of the touch the lead takes. A lead at the item limit has no room for what a touch adds to it (its
   * timeline entry, score, tags, last touch, a contact detail or answer it gained, its rerouting): DynamoDB refuses the
   * update however often it is sent, and the post would be answered 5xx and sent again and again. So the touch is tried
   * once more, `counted` alone (touches + 1 and `updatedAt`, under the same read of the lead), with everything it writes
   * beside the lead (the idempotency key, delivery keys and their references, the consent given, and `lead.touched`
   * only): the post is still a touch, and nothing is lost but those extras.
   */
  private async recordTouchOnce(leadId: string, intake: PreparedIntake, heldKeys: readonly DedupKey[], idempotencyKey?: string, read?: Lead, fit: 'whole' | 'counted' = 'whole'): Promise<IntakeOutcome> {
    const existing = read ?? (await this.currentLead(leadId));
    // Erased since its key was read (the touch's first try lost to the erasure's write): the key went with the person, so this post is a new lead, not a touch bringing click ids and consent details back.
    if (!existing || wasErased(existing) || retentionEnded(existing, this.retention, intake.lead.capturedAt)) throw new GoneLeadError(leadId);
    // Decided on every read of the holder: a touch in between may have given a holder without an email another person's.
    const phoneOfAnother = phoneSharedWithAnother(intake.lead, heldKeys, existing);
    if (phoneOfAnother) throw new DecideAgainError(phoneOfAnother);
    const touch = intake.touch(existing, heldKeys, intake.dedupKeys);
    const whole = fit === 'whole';
    const lastTouch = touch.lastTouch ? ', attribution.lastTouch = :lastTouch' : '';
    const score = touch.score ? ', score = :score' : '';
    const tags = touch.tags ? ', tags = :tags' : '';
    // A warmed nurtured lead becomes `new` again and leaves its pool's listing, for the routing table to route it.
    // An offer that fell back to nurture goes too: left on a `new` lead it reads as open, and no offer route could offer the lead again.
    const warmed = touch.reroutes ? ', #status = :new REMOVE nurture, poolWaiting, nurtureDuePartition, nurtureDueAt, #lock, offer' : '';
    // A re-scored lead someone owns moves in their list (hotter leads first).
    const agenda = touch.score && existing.ownerId ? ', ownerAgenda = :agenda' : '';
    // The delivery (a platform lead id, an import row) is taken by the touch too, so delivering it again replays it.
    const deliveryKeys = intake.dedupKeys.filter((key) => key.kind === 'delivery');
    const gainedKeys = whole ? (touch.gained?.dedupKeys ?? []) : [];
    const events = whole ? touch.events : touch.events.filter((event) => event.type === 'lead.touched');
    const keyPut = ({ key, kind, fingerprint }: DedupKey) => ({
      Put: {
        TableName: this.tableName,
        Item: { ...leadsTableKeys.dedup(key), entity: 'dedup-key', kind, leadId, ...(fingerprint ? { fingerprint } : {}), createdAt: touch.historyEntry.at, ...leadExpiry(existing, this.retention).set },
        ...freeOrExpiredAt(touch.historyEntry.at),
      },
    });
    // Another touch counts itself and every other change appends to the history: either in between means the tags and agenda written here are stale.
    // A withdrawal takes its purpose's mark away: the consent left out as recorded, or the marks set, stand only on the marks as read.
    const marks = consentMarksWrite(existing, whole ? touch.consentGiven : undefined);
    const unchanged = `attribute_exists(pk) AND touches = :seenTouches AND size(history) = :seenHistory${marks.condition}`;
    const seen = { ':seenTouches': existing.touches, ':seenHistory': existing.history.length, ...marks.values };
    const leadWrite: TransactItem = whole
      ? {
          Update: {
            TableName: this.tableName,
            Key: leadsTableKeys.lead(leadId),
            UpdateExpression: `SET touches = touches + :one, updatedAt = :at${touch.timeline.length > 0 ? ', history = list_append(history, :entries)' : ''}${lastTouch}${score}${tags}${agenda}${touch.gained ? ', contact = :contact, answers = :answers' : ''}${marks.set}${warmed}`,
            // Warming takes a lead out of its pool: only while it still waits there unowned (a claim in between keeps it).
            ConditionExpression: `${unchanged}${touch.reroutes ? ' AND attribute_not_exists(ownerId) AND #status = :inPool' : ''}`,
            ...(touch.reroutes || marks.names ? { ExpressionAttributeNames: { ...(touch.reroutes ? { '#status': 'status', '#lock': 'lock' } : {}), ...marks.names } } : {}),
            ExpressionAttributeValues: {
              ':one': 1,
              ...seen,
              ':at': touch.historyEntry.at,
              ...(touch.timeline.length > 0 ? { ':entries': touch.timeline } : {}),
              ...(touch.reroutes ? { ':new': 'new', ':inPool': 'in_pool' } : {}),
              ...(touch.lastTouch ? { ':lastTouch': touch.lastTouch } : {}),
              ...(touch.score ? { ':score': touch.score } : {}),
              ...(touch.tags ? { ':tags': touch.tags } : {}),
              ...(touch.gained ? { ':contact': touch.gained.contact, ':answers': touch.gained.answers } : {}),
              ...(agenda && touch.score ? { ':agenda': agendaKey({ nextStepAt: existing.nextStepAt, score: touch.score }) } : {}),
            },
          },
        }
      : {
          Update: {
            TableName: this.tableName,
            Key: leadsTableKeys.lead(leadId),
            UpdateExpression: 'SET touches = touches + :one, updatedAt = :at',
            ConditionExpression: unchanged,
            ...(marks.names ? { ExpressionAttributeNames: marks.names } : {}),
            ExpressionAttributeValues: { ':one': 1, ...seen, ':at': touch.historyEntry.at },
          },
        };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            ...(idempotencyKey ? [this.putIdempotency(idempotencyKey, { leadId, outcome: 'touched' }, touch.historyEntry.at)] : []),
            ...deliveryKeys.map(keyPut),
            leadWrite,
            ...gainedKeys.map(keyPut),
            ...events.map((event) => outboxPut(this.tableName, event)),
            ...this.consentPuts(touch.consents, existing),
            ...this.deliveryKeyReferencePuts(deliveryKeys, existing, touch.historyEntry.at),
          ],
        }),
      );
      return { leadId, outcome: 'touched' };
    } catch (error) {
      const failed = failedConditions(error);
      if (idempotencyKey && failed?.[0]) return this.replayOf(idempotencyKey, touch.historyEntry.at);
      const offset = idempotencyKey ? 1 : 0;
      const takenDelivery = deliveryKeys.find((_, index) => failed?.[index + offset]);
      if (takenDelivery) {
        const replay = await this.replayOfDelivery(takenDelivery);
        if (!replay) throw new Error(`Dedup key ${takenDelivery.key} was reported taken but cannot be read`, { cause: error });
        return replay;
      }
      const updateIndex = offset + deliveryKeys.length;
      if (failed?.[updateIndex] || isTransactionConflict(error)) throw new StaleLeadError(leadId);
      if (gainedKeys.some((_, index) => failed?.[updateIndex + 1 + index])) throw new DecideAgainError();
      if (whole && oversizedItems(error)?.[updateIndex]) return this.recordTouchOnce(leadId, intake, heldKeys, idempotencyKey, existing, 'counted');
      throw error;
    }
  }

  private putIdempotency(key: string, result: IntakeOutcome, at: string) {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...leadsTableKeys.idempotency(key), entity: 'idempotency-key', ...result, createdAt: at, expiresAt: expiresAfterDays(at, idempotencyKeyDays) },
        ...freeOrExpiredAt(at),
      },
    };
  }

  private async replayOf(idempotencyKey: string, at: string): Promise<IntakeOutcome> {
    const replay = await this.replayOfIdempotencyKey(idempotencyKey, at);
    if (!replay) throw new Error(`Idempotency key ${idempotencyKey} was reported taken but cannot be read`);
    return replay;
  }

  async replayOfIdempotencyKey(idempotencyKey: string, at: string): Promise<IntakeOutcome | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: leadsTableKeys.idempotency(idempotencyKey), ConsistentRead: true }));
    return Item && !hasExpired(Number(Item.expiresAt), at) ? { leadId: String(Item.leadId), outcome: 'replayed' } : undefined;
  }

  /** The replay of a delivery whose key is held, `undefined` when it was released since; one of other content under the same id is refused (`DeliveryIdReusedError`). */
  private async replayOfDelivery({ key, fingerprint }: DedupKey): Promise<IntakeOutcome | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: leadsTableKeys.dedup(key), ConsistentRead: true }));
    if (!Item) return undefined;
    if (fingerprint && Item.fingerprint && Item.fingerprint !== fingerprint) throw new DeliveryIdReusedError(key);
    return { leadId: String(Item.leadId), outcome: 'replayed' };
  }
}

/**
 * How a touch's update keeps the lead's `consentGiven` marks: the condition that each mark read is still there (a
 * withdrawal in between takes its mark away, and the consent a mark left out must then be recorded after all), and
 * the marks its consent leaves (`set`, none for a touch `counted` alone: a lead at the item limit has no room for
 * them, so its repeats are recorded each time, as they were before marks were kept). A lead with no marks yet gets
 * them as a whole, since DynamoDB sets no path inside a map that is not there.
 */
function consentMarksWrite(existing: Lead, given: ConsentsGiven | undefined): { condition: string; set: string; names?: Record<string, string>; values: Record<string, unknown> } {
  const read = Object.entries(existing.consentGiven ?? {}).filter(([, mark]) => mark !== undefined);
  const setting = Object.entries(given ?? {});
  if (read.length === 0 && setting.length === 0) return { condition: '', set: '', values: {} };
  const names: Record<string, string> = { '#consentGiven': 'consentGiven', ...(read.length ? { '#markAt': 'at' } : {}) };
  const values: Record<string, unknown> = {};
  const conditions: string[] = [];
  read.forEach(([purpose, mark], index) => {
    names[`#readPurpose${index}`] = purpose;
    values[`:readMarkAt${index}`] = mark.at;
    conditions.push(`#consentGiven.#readPurpose${index}.#markAt = :readMarkAt${index}`);
  });
  let set = '';
  if (existing.consentGiven === undefined && setting.length > 0) {
    conditions.push('attribute_not_exists(#consentGiven)');
    values[':consentGiven'] = given;
    set = ', #consentGiven = :consentGiven';
  } else {
    setting.forEach(([purpose, mark], index) => {
      names[`#givenPurpose${index}`] = purpose;
      values[`:givenMark${index}`] = mark;
      set += `, #consentGiven.#givenPurpose${index} = :givenMark${index}`;
    });
  }
  return { condition: conditions.map((condition) => ` AND ${condition}`).join(''), set, names, values };
}

/** Decisions one post may take (a key released, a shared phone left to its holder, a key taken meanwhile) before it is answered 503. */
const maxIntakeDecisions = 8;

/** The lead changed between reading and writing it; read it again (and, once the tries are spent, answer 503). */
class StaleLeadError extends WriteContentionError {
  constructor(leadId: string) {
    super(`Lead ${leadId} kept changing under a touch; it may be sent again`);
  }
}

/**
 * The post is no touch of the lead as now read: a person key the touch was to give it was taken by another lead after
 * the intake's keys were tried, or the only key the two share is a phone of another person's (`phoneOfAnother`, see `phoneSharedWithAnother`).
 */
class DecideAgainError extends Error {
  constructor(readonly phoneOfAnother?: string) {
    super("A key changed hands, or the shared phone is another person's: the post is decided again");
  }
}

/** How long an `Idempotency-Key` replays its first answer. */
const idempotencyKeyDays = 1;

/**
 * The condition of a Put that takes a key (a person's, a delivery's, an idempotency key): nobody holds it, or
 * its holder's retention ended by `at`. DynamoDB's TTL deletes an expired item only some time later (typically
 * within two days), and until then the item must not count: a key kept a day must not replay on the third.
 */
function freeOrExpiredAt(at: string) {
  return { ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now', ExpressionAttributeValues: { ':now': unixSeconds(at) } };
}

/** Whether an item's `expiresAt` (Unix seconds; `undefined` when it is kept) had passed by `at`, as `freeOrExpiredAt` reads it. */
function hasExpired(expiresAt: number | undefined, at: string): boolean {
  return expiresAt !== undefined && expiresAt <= unixSeconds(at);
}

function unixSeconds(at: string): number {
  return Math.floor(Date.parse(at) / 1000);
}

/** A person key named a lead that no longer holds the person: its TTL removed it (or its retention ended) and nothing released the key, or it was erased since. */
class GoneLeadError extends Error {
  constructor(leadId: string) {
    super(`Lead ${leadId} held a dedup key but is gone from the table or erased`);
  }
}

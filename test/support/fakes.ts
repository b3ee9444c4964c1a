import {
  agendaKey,
  consentLedgerEntrySchema,
  defaultRetention,
  expiresAfterDays,
  retentionEnded,
  consentPersonalFields,
  wasErased,
  withoutPersonalData,
  isOpenOffer,
  leadBytes,
  openLeadStatuses,
  pendingFetchPlatformSchema,
  personalFieldsOfEvent,
  phoneSharedWithAnother,
  type ConsentLedgerEntry,
  releasableStatuses,
  type LeadAcceptance,
  type DedupKey,
  type Lead,
  type LeadClaim,
  type LeadErasure,
  type LeadEvent,
  type LeadOfferChange,
  type OfferAcceptance,
  type LeadRelease,
  type LeadTransition,
  type MyLeadsCursor,
  type MyLeadsFilter,
  type OutOfOffice,
  type PoolChange,
  type PoolCursor,
  type PoolListingFilter,
  type PreparedIntake,
  type WebhookDelivery,
} from '@leadflow/domain';
import type {
  Dependencies,
  WebhookDeliveryStore,
  DueLeadsPage,
  DuePosition,
  IntakeOutcome,
  LeadDueIndex,
  LeadFull,
  LeadStore,
  Mailer,
  NotificationLog,
  NotificationLogEntry,
  OutboxEvent,
  OutboxStore,
  EventPublisher,
  PublishOutcome,
  OutgoingEmail,
  RoutingGuard,
  OwnerAssignment,
  OwnerAssignmentOutcome,
  RateLimiter,
  OperationalMetrics,
  RepStates,
  SentMessage,
  SmsSender,
  OutgoingSms,
  NotificationSendLedger,
  SendKey,
  SendRecord,
  SmsBudgetCharge,
  OpenSendPosition,
  OpenSendQueue,
  OpenSendsPage,
  OneTapLinkLedger,
  ConsentLedger,
  LeadErasureRequest,
  LeadErasures,
  LeadIngestion,
} from '@leadflow/platform';
import { DeliveryIdReusedError, notificationClaimLeaseMs, type MessageRefusedError } from '@leadflow/platform';
import { IdempotencyItemAlreadyExistsError, IdempotencyItemNotFoundError, IdempotencyRecordStatus } from '@aws-lambda-powertools/idempotency';
import { BasePersistenceLayer, type IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { demoConfiguration } from './demo-configuration';
import { FakePlatformLeadReaders, MemoryLeadIntakeRecords } from './fake-platforms';
import { RecordingSecretStore } from './demo-secrets';
import { MemoryChannelRoiStore, MemoryConversionFeedbackQueue, MemoryReportArchive, RecordingFeedbackSender } from './channel-roi-fakes';

/**
 * A consent ledger in memory: entries in time order, one per lead, time, purpose and action. As on DynamoDB, an
 * entry for a lead no longer stored is not written, and one for an erased lead is written without the IP and user agent.
 */
export class MemoryConsentLedger implements ConsentLedger {
  readonly entries = new Map<string, ConsentLedgerEntry>();

  constructor(private readonly leads: ReadonlyMap<string, Lead>) {}

  async append(entry: ConsentLedgerEntry): Promise<void> {
    const valid = consentLedgerEntrySchema.parse(entry);
    const lead = this.leads.get(valid.leadId);
    if (!lead) return;
    // As on DynamoDB: a withdrawal takes the lead's mark of the consent given for its purpose away.
    if (valid.action === 'withdrawn') delete lead.consentGiven?.[valid.purpose];
    this.entries.set(`${valid.leadId}#${valid.at}#${valid.purpose}#${valid.action}`, structuredClone(wasErased(lead) ? withoutPersonalData(valid) : valid));
  }

  async entriesFor(leadId: string): Promise<ConsentLedgerEntry[]> {
    return [...this.entries.entries()]
      .filter(([key]) => key.startsWith(`${leadId}#`))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, entry]) => structuredClone(entry));
  }
}

/** The store's item limit, DynamoDB's 400 KB, as the fakes measure a lead: `leadBytes`, its JSON in UTF-8. */
export const leadItemLimitBytes = 400 * 1024;

/** Whether a lead, as a write would leave it, is over the item limit: the DynamoDB store's write is refused then (`lead_full`), and so is the fake's. */
export function overItemLimit(lead: Lead, extraBytes = 0): boolean {
  return leadBytes(lead) + extraBytes > leadItemLimitBytes;
}

/**
 * In-memory ports with the same contracts as the DynamoDB adapters, for handler unit tests. The ingestion and the
 * erasure (`LeadIngestion` and `LeadErasures`, classes of their own on DynamoDB, kept out of the bundles that do not
 * take leads in or erase) are here too: they reach every map of the store.
 */
export class MemoryLeadStore implements LeadStore, LeadIngestion, LeadErasures, OutboxStore {
  readonly leads = new Map<string, Lead>();
  readonly outbox = new Map<string, OutboxEvent>();
  readonly keys = new Map<string, string>();
  /** The fingerprint a delivery key was taken with, when its delivery had one (as the key's item holds it). */
  readonly keyFingerprints = new Map<string, string>();
  /** The consent ledger and platform intake records live beside the leads, as in the single table: an erasure reaches them. */
  readonly consents = new MemoryConsentLedger(this.leads);
  readonly intakes = new MemoryLeadIntakeRecords(this.outbox);
  /** The conversions queued for the ad platforms live beside the leads too: an erasure deletes them, and a gone or invalid lead gets none. */
  readonly feedback = new MemoryConversionFeedbackQueue(this.leads);
  /** Each lead's unsubscribe secret, kept beside the lead as the table keeps it beside the lead's attributes. */
  readonly unsubscribeSecrets = new Map<string, string>();
  private turns = new Map<string, number>();

  /** Each `Idempotency-Key` with its lead and when it stops replaying (Unix s), a day after it was stored. */
  readonly idempotencyKeys = new Map<string, { leadId: string; expiresAt: number }>();

  async replayOfIdempotencyKey(idempotencyKey: string, at: string): Promise<IntakeOutcome | undefined> {
    const held = this.idempotencyKeys.get(idempotencyKey);
    return held && held.expiresAt > expiresAfterDays(at, 0) ? { leadId: held.leadId, outcome: 'replayed' } : undefined;
  }

  async ingestLead(intake: PreparedIntake, idempotencyKey?: string): Promise<IntakeOutcome> {
    const at = intake.lead.capturedAt;
    const replay = idempotencyKey === undefined ? undefined : await this.replayOfIdempotencyKey(idempotencyKey, at);
    if (replay) return replay;
    // As the DynamoDB store: a key whose lead's retention has ended is free, though the lead is not deleted yet.
    const heldByExpiredLead = (leadId: string) => {
      const holder = this.leads.get(leadId);
      return holder !== undefined && retentionEnded(holder, defaultRetention, at);
    };
    const held = intake.dedupKeys.filter((key) => this.keys.has(key.key) && !heldByExpiredLead(this.keys.get(key.key)!));
    const remember = (leadId: string) => idempotencyKey && this.idempotencyKeys.set(idempotencyKey, { leadId, expiresAt: expiresAfterDays(at, 1) });
    if (held.length) {
      const key = held.find((candidate) => candidate.kind === 'delivery') ?? held[0];
      const leadId = this.keys.get(key.key)!;
      if (key.kind === 'delivery') {
        const taken = this.keyFingerprints.get(key.key);
        if (key.fingerprint && taken && taken !== key.fingerprint) throw new DeliveryIdReusedError(key.key);
        return { leadId, outcome: 'replayed' };
      }
      const lead = this.leads.get(leadId)!;
      const sharedPhone = phoneSharedWithAnother(intake.lead, held, lead);
      if (sharedPhone) return this.ingestLead({ ...intake, dedupKeys: intake.dedupKeys.filter((candidate) => candidate.key !== sharedPhone) }, idempotencyKey);
      const touch = intake.touch(structuredClone(lead), held, intake.dedupKeys);
      for (const delivery of intake.dedupKeys) if (delivery.kind === 'delivery') this.takeKey(delivery, leadId);
      const whole: Lead = {
        ...lead,
        touches: lead.touches + 1,
        history: [...lead.history, ...touch.timeline],
        attribution: { ...lead.attribution, ...(touch.lastTouch ? { lastTouch: touch.lastTouch } : {}) },
        ...(touch.score ? { score: touch.score } : {}),
        ...(touch.tags ? { tags: touch.tags } : {}),
        ...(touch.gained ? { contact: touch.gained.contact, answers: touch.gained.answers } : {}),
        ...(touch.consentGiven ? { consentGiven: { ...lead.consentGiven, ...touch.consentGiven } } : {}),
        ...(touch.reroutes ? { status: 'new' as const } : {}),
      };
      // As the DynamoDB store: a lead with no room for the whole touch counts it alone, with its `lead.touched` only.
      const counted: Lead = { ...lead, touches: lead.touches + 1, updatedAt: touch.historyEntry.at };
      const fits = !overItemLimit(whole);
      if (!fits && overItemLimit(counted)) throw new Error(`Lead ${leadId}: item size to update has exceeded the maximum allowed size`);
      if (fits) for (const gained of touch.gained?.dedupKeys ?? []) this.keys.set(gained.key, leadId);
      Object.assign(lead, fits ? whole : counted);
      if (fits && touch.reroutes) {
        delete lead.nurture;
        delete lead.lock;
      }
      (fits ? touch.events : touch.events.filter((event) => event.type === 'lead.touched')).forEach((event) => this.record(event));
      for (const entry of touch.consents) await this.consents.append(entry);
      remember(leadId);
      return { leadId, outcome: 'touched' };
    }
    this.leads.set(intake.lead.leadId, structuredClone(intake.lead));
    for (const key of intake.dedupKeys) this.takeKey(key, intake.lead.leadId);
    intake.events.forEach((event) => this.record(event));
    for (const entry of intake.consents) await this.consents.append(entry);
    remember(intake.lead.leadId);
    return { leadId: intake.lead.leadId, outcome: 'created' };
  }

  private takeKey({ key, fingerprint }: DedupKey, leadId: string): void {
    this.keys.set(key, leadId);
    if (fingerprint) this.keyFingerprints.set(key, fingerprint);
    else this.keyFingerprints.delete(key);
  }

  async getLead(leadId: string): Promise<Lead | undefined> {
    return structuredClone(this.leads.get(leadId));
  }

  async unsubscribeSecretFor(leadId: string, candidate: string): Promise<string | { refused: LeadFull } | undefined> {
    const lead = this.leads.get(leadId);
    if (!lead) return undefined;
    if (!this.unsubscribeSecrets.has(leadId) && overItemLimit(lead, new TextEncoder().encode(`,"unsubscribeSecret":"${candidate}"`).byteLength)) return { refused: 'lead_full' };
    if (!this.unsubscribeSecrets.has(leadId)) this.unsubscribeSecrets.set(leadId, candidate);
    return this.unsubscribeSecrets.get(leadId);
  }

  async unsubscribeSecretOf(leadId: string): Promise<string | undefined> {
    return this.leads.has(leadId) ? this.unsubscribeSecrets.get(leadId) : undefined;
  }

  async findLeadIdByPersonKey(key: string): Promise<string | undefined> {
    return /^(email|phone)#/.test(key) ? this.keys.get(key) : undefined;
  }

  readonly openLeads = new Map<string, number>();
  readonly outOfOfficeRecords = new Map<string, OutOfOffice>();

  async takeTurn(counterId: string): Promise<number> {
    const turn = (this.turns.get(counterId) ?? 0) + 1;
    this.turns.set(counterId, turn);
    return turn;
  }

  async giveBackTurn(counterId: string, turn: number, whileRoutable?: RoutingGuard & { leadId: string }): Promise<void> {
    if (whileRoutable && !isRoutable(this.leads.get(whileRoutable.leadId), whileRoutable)) return;
    if (this.turns.get(counterId) === turn) this.turns.set(counterId, turn - 1);
  }

  async readRepStates(repIds: readonly string[]): Promise<RepStates> {
    const pick = <T>(map: Map<string, T>) => new Map([...map].filter(([repId]) => repIds.includes(repId)));
    return { openLeads: pick(this.openLeads), outOfOffice: pick(this.outOfOfficeRecords) };
  }

  async setOutOfOffice(record: OutOfOffice): Promise<void> {
    this.outOfOfficeRecords.set(record.repId, structuredClone(record));
  }

  async assignOwner(change: OwnerAssignment): Promise<OwnerAssignmentOutcome> {
    const lead = this.leads.get(change.leadId);
    if (!isRoutable(lead, change)) return 'already_assigned';
    const after: Lead = {
      ...lead,
      ownerId: change.ownerId,
      assignment: change.assignment,
      poolId: change.assignment.poolId,
      routing: change.routing,
      status: 'assigned',
      updatedAt: change.assignment.assignedAt,
      history: [...lead.history, change.historyEntry],
    };
    if (overItemLimit(after)) return 'lead_full';
    const open = this.openLeads.get(change.ownerId) ?? 0;
    if (change.seenOpenLeads !== undefined && (open !== change.seenOpenLeads || open >= change.capacity)) return 'load_changed';
    if (open >= change.capacity) return 'at_capacity';
    this.openLeads.set(change.ownerId, open + 1);
    Object.assign(lead, after);
    this.record(change.event);
    return 'assigned';
  }

  async leaveInPool(change: PoolChange & RoutingGuard & { leadId: string }): Promise<'pooled' | 'already_routed' | LeadFull> {
    const lead = this.leads.get(change.leadId);
    if (!isRoutable(lead, change)) return 'already_routed';
    const after: Lead = {
      ...lead,
      poolId: change.poolId,
      routing: change.routing,
      status: 'in_pool',
      updatedAt: change.routing.decidedAt,
      history: [...lead.history, change.historyEntry, ...(change.nurture ? [change.nurture.historyEntry] : [])],
      ...(change.nurture ? { nurture: change.nurture.state } : {}),
    };
    if (overItemLimit(after)) return 'lead_full';
    Object.assign(lead, after);
    this.refile(lead.leadId);
    this.record(change.event);
    return 'pooled';
  }

  async offerLead(change: LeadOfferChange & Pick<RoutingGuard, 'scoredAt'>): Promise<'offered' | 'already_routed' | LeadFull> {
    const lead = this.leads.get(change.leadId);
    if (!isRoutable(lead, change) || lead.offer) return 'already_routed';
    const after: Lead = { ...lead, offer: change.offer, updatedAt: change.offer.offeredAt, history: [...lead.history, change.historyEntry] };
    if (overItemLimit(after)) return 'lead_full';
    Object.assign(lead, after);
    this.refile(lead.leadId);
    this.record(change.event);
    return 'offered';
  }

  async listDueNurturedLeads(dueBy: string, page: { limit: number; after?: DuePosition }): Promise<DueLeadsPage> {
    return this.dueLeadsPage((lead) => (lead.status === 'in_pool' && !lead.ownerId && !this.leftDueIndex.nurture.has(lead.leadId) ? lead.nurture?.nextStepAt : undefined), dueBy, page);
  }

  async listExpiredOffers(now: string, page: { limit: number; after?: DuePosition }): Promise<DueLeadsPage> {
    return this.dueLeadsPage((lead) => (isOpenOffer(lead) && !this.leftDueIndex.offer_expiry.has(lead.leadId) ? lead.offer.expiresAt : undefined), now, page);
  }

  /** Leads taken out of a due-time index by `leaveDueIndex`, until a write files them again (as the DynamoDB store's transitions set a lead's index attributes). */
  readonly leftDueIndex: Record<LeadDueIndex, Set<string>> = { nurture: new Set(), offer_expiry: new Set() };

  async leaveDueIndex(seen: Lead, index: LeadDueIndex): Promise<'left' | 'lead_changed'> {
    const lead = this.leads.get(seen.leadId);
    if (!lead || lead.history.length !== seen.history.length || lead.touches !== seen.touches) return 'lead_changed';
    this.leftDueIndex[index].add(seen.leadId);
    return 'left';
  }

  private refile(leadId: string): void {
    for (const left of Object.values(this.leftDueIndex)) left.delete(leadId);
  }

  /** A page of a due-time index as the DynamoDB store reads it: due by `dueBy`, by due time then lead id, after `page.after`. */
  private dueLeadsPage(dueAtOf: (lead: Lead) => string | undefined, dueBy: string, page: { limit: number; after?: DuePosition }): DueLeadsPage {
    const positionOf = (position: DuePosition) => `${position.at}\u0000${position.leadId}`;
    const due = [...this.leads.values()]
      .flatMap((lead) => {
        const at = dueAtOf(lead);
        return at !== undefined && at <= dueBy ? [{ lead, position: positionOf({ at, leadId: lead.leadId }), at }] : [];
      })
      .filter(({ position }) => !page.after || position > positionOf(page.after))
      .sort((a, b) => (a.position < b.position ? -1 : 1))
      .slice(0, page.limit);
    const last = due.length === page.limit ? due.at(-1) : undefined;
    return { leads: due.map(({ lead }) => structuredClone(lead)), ...(last ? { next: { at: last.at, leadId: last.lead.leadId } } : {}) };
  }

  /** Claims per rep, pool and local day, as the DynamoDB store's `CLAIMS#…` counters. */
  readonly dailyClaims = new Map<string, number>();

  async claimLead(claim: LeadClaim): Promise<'claimed' | 'lead_changed' | 'daily_limit' | 'holding_cap' | LeadFull> {
    const lead = this.leads.get(claim.leadId);
    const inCooldown = lead?.previousOwnerId === claim.ownerId && lead.releasedAt !== undefined && lead.releasedAt > claim.cooldownCutoff;
    if (!lead || lead.ownerId || lead.status !== 'in_pool' || lead.poolId !== claim.poolId || inCooldown || lead.lock?.at !== claim.lockedAt) return 'lead_changed';
    const { nurture: _nurture, lock: _lock, ...claimed } = lead;
    const after: Lead = {
      ...claimed,
      ownerId: claim.ownerId,
      assignment: claim.assignment,
      status: 'assigned',
      updatedAt: claim.claimedAt,
      history: [...lead.history, claim.historyEntry, ...(claim.nurtureLeftEntry ? [claim.nurtureLeftEntry] : [])],
    };
    if (overItemLimit(after)) return 'lead_full';
    const dayKey = `${claim.ownerId}#${claim.poolId}#${claim.daily.day}`;
    const claims = this.dailyClaims.get(dayKey) ?? 0;
    if (claim.daily.limit !== undefined && claims >= claim.daily.limit) return 'daily_limit';
    const open = this.openLeads.get(claim.ownerId) ?? 0;
    if (open >= claim.holdingCap) return 'holding_cap';
    this.dailyClaims.set(dayKey, claims + 1);
    this.openLeads.set(claim.ownerId, open + 1);
    Object.assign(lead, {
      ownerId: claim.ownerId,
      assignment: claim.assignment,
      status: 'assigned',
      updatedAt: claim.claimedAt,
      history: [...lead.history, claim.historyEntry, ...(claim.nurtureLeftEntry ? [claim.nurtureLeftEntry] : [])],
    });
    delete lead.nurture;
    delete lead.lock;
    this.record(claim.event);
    if (claim.unlockedEvent) this.record(claim.unlockedEvent);
    return 'claimed';
  }

  async releaseLead(release: LeadRelease): Promise<'released' | 'lead_changed' | LeadFull> {
    const lead = this.leads.get(release.leadId);
    if (!lead || lead.ownerId !== release.ownerId || lead.poolId !== release.poolId || !releasableStatuses.includes(lead.status) || lead.lock?.at !== release.lockedAt) return 'lead_changed';
    const { ownerId: _ownerId, assignment: _assignment, nextStepAt: _nextStepAt, followUp: _followUp, lock: _lock, ...unowned } = lead;
    const after: Lead = {
      ...unowned,
      status: 'in_pool',
      previousOwnerId: release.ownerId,
      releasedAt: release.releasedAt,
      updatedAt: release.releasedAt,
      history: [...lead.history, release.historyEntry],
    };
    if (overItemLimit(after)) return 'lead_full';
    const open = this.openLeads.get(release.ownerId) ?? 0;
    if (open <= 0) throw new Error(`Rep ${release.ownerId} owns lead ${release.leadId} but their open-lead counter is zero`);
    this.openLeads.set(release.ownerId, open - 1);
    this.leads.set(release.leadId, after);
    this.record(release.event);
    if (release.unlockedEvent) this.record(release.unlockedEvent);
    return 'released';
  }

  async listPoolLeads(poolId: string, page: { limit: number; after?: PoolCursor }, filter: PoolListingFilter = {}): Promise<{ leads: Lead[]; next?: PoolCursor }> {
    const order = (lead: Pick<Lead, 'capturedAt' | 'leadId'>) => `${lead.capturedAt}#${lead.leadId}`;
    const kept = (lead: Lead) =>
      (!filter.grade || lead.score?.grade === filter.grade) &&
      (!filter.temperature || lead.score?.temperature === filter.temperature) &&
      (!filter.channel || lead.channel === filter.channel) &&
      (!filter.tag || (lead.tags ?? []).includes(filter.tag)) &&
      (!filter.nurturing || lead.nurture !== undefined) &&
      (!filter.capturedFrom || lead.capturedAt >= filter.capturedFrom) &&
      (!filter.capturedTo || lead.capturedAt <= filter.capturedTo);
    const waiting = [...this.leads.values()]
      .filter((lead) => lead.status === 'in_pool' && !lead.ownerId && lead.poolId === poolId && kept(lead) && (!page.after || order(lead) > order(page.after)))
      .sort((a, b) => order(a).localeCompare(order(b)));
    const leads = waiting.slice(0, page.limit).map((lead) => structuredClone(lead));
    const last = leads.at(-1);
    return { leads, next: waiting.length > page.limit && last ? { capturedAt: last.capturedAt, leadId: last.leadId } : undefined };
  }

  async listOwnedLeads(ownerId: string, filter: MyLeadsFilter, page: { limit: number; after?: MyLeadsCursor }): Promise<{ leads: Lead[]; next?: MyLeadsCursor }> {
    const order = (agenda: string, leadId: string) => `${agenda}\u0000${leadId}`;
    const owned = [...this.leads.values()]
      .filter((lead) => lead.ownerId === ownerId && filter.statuses.includes(lead.status) && (!filter.grade || lead.score?.grade === filter.grade) && (!filter.tag || (lead.tags ?? []).includes(filter.tag)))
      .map((lead) => ({ lead, agenda: agendaKey(lead) }))
      .filter(({ agenda, lead }) => (!filter.dueBefore || agenda < filter.dueBefore) && (!page.after || order(agenda, lead.leadId) > order(page.after.agenda, page.after.leadId)))
      // By code unit, as DynamoDB orders sort keys (a locale's collation would ignore the "~" of no next step).
      .sort((a, b) => (order(a.agenda, a.lead.leadId) < order(b.agenda, b.lead.leadId) ? -1 : 1));
    const shown = owned.slice(0, page.limit);
    const last = shown.at(-1);
    return { leads: shown.map(({ lead }) => structuredClone(lead)), next: owned.length > page.limit && last ? { agenda: last.agenda, leadId: last.lead.leadId } : undefined };
  }

  async applyTransition(transition: LeadTransition): Promise<'applied' | 'lead_changed' | 'holding_cap' | LeadFull> {
    const lead = this.leads.get(transition.before.leadId);
    if (!lead || lead.history.length !== transition.before.history.length || lead.touches !== transition.before.touches) return 'lead_changed';
    if (overItemLimit(transition.after)) return 'lead_full';
    const open = new Map(this.openLeads);
    for (const move of transition.openLeads) {
      const count = open.get(move.repId) ?? 0;
      if (move.change === 1 && count >= move.cap) return 'holding_cap';
      if (move.change === -1 && count <= 0) throw new Error(`Rep ${move.repId} holds lead ${lead.leadId} but their open-lead counter is zero`);
      open.set(move.repId, count + move.change);
    }
    for (const [repId, count] of open) this.openLeads.set(repId, count);
    this.leads.set(lead.leadId, structuredClone(transition.after));
    this.refile(lead.leadId);
    this.record(transition.event);
    if (transition.unlockedEvent) this.record(transition.unlockedEvent);
    return 'applied';
  }

  async erasePerson(input: LeadErasureRequest): Promise<{ leadId: string; erased: boolean } | undefined> {
    const leadId = 'leadId' in input ? input.leadId : this.keys.get(input.dedupKey);
    const lead = leadId ? this.leads.get(leadId) : undefined;
    if (!leadId || !lead) return undefined;
    const erasure: LeadErasure | undefined = input.erase(structuredClone(lead));
    // Asked again, it finishes the job as on DynamoDB: no ledger entry keeps the person.
    for (const entry of this.consents.entries.values()) if (entry.leadId === leadId) for (const field of consentPersonalFields) delete entry[field];
    if (!erasure) return { leadId, erased: false };
    const platform = pendingFetchPlatformSchema.safeParse(lead.source.kind);
    const intake = platform.success && lead.source.platformLeadId ? this.intakes.records.get(`INTAKE#${platform.data}#${lead.source.platformLeadId}`) : undefined;
    if (intake) delete intake.rawDelivery;
    for (const event of this.outbox.values()) {
      const detail = event.detail;
      if (detail.leadId === leadId) for (const field of personalFieldsOfEvent(event.detailType)) delete detail[field];
    }
    for (const key of erasure.personKeys) if (this.keys.get(key) === leadId) this.keys.delete(key);
    // As the DynamoDB erasure: the lead's delivery keys stay, without the fingerprint of what the person's delivery said.
    for (const [key, holder] of this.keys) if (holder === leadId) this.keyFingerprints.delete(key);
    this.feedback.forgetLead(leadId);
    if (lead.ownerId && openLeadStatuses.includes(lead.status) && !openLeadStatuses.includes(erasure.lead.status)) this.openLeads.set(lead.ownerId, (this.openLeads.get(lead.ownerId) ?? 0) - 1);
    this.leads.set(leadId, structuredClone(erasure.lead));
    this.record(erasure.event);
    return { leadId, erased: true };
  }

  async listUnpublished(createdBefore: string, limit: number): Promise<OutboxEvent[]> {
    return [...this.outbox.values()].filter((event) => event.time < createdBefore).slice(0, limit);
  }

  async markPublished(eventIds: readonly string[]): Promise<void> {
    for (const eventId of eventIds) this.outbox.delete(eventId);
  }

  record(event: LeadEvent): void {
    this.outbox.set(event.detail.eventId, { eventId: event.detail.eventId, source: 'leadflow.leads', detailType: event.type, detail: event.detail, time: event.time });
  }
}

export class RecordingPublisher implements EventPublisher {
  readonly published: OutboxEvent[] = [];
  /** How many more times the bus refuses each event id, as a partial PutEvents failure does. */
  readonly refusals = new Map<string, number>();

  async publish(events: readonly OutboxEvent[]): Promise<PublishOutcome> {
    const outcome: PublishOutcome = { published: [], failed: [] };
    for (const event of events) {
      const refusalsLeft = this.refusals.get(event.eventId) ?? 0;
      if (refusalsLeft > 0) {
        this.refusals.set(event.eventId, refusalsLeft - 1);
        outcome.failed.push({ eventId: event.eventId, error: 'InternalFailure' });
      } else {
        this.published.push(event);
        outcome.published.push(event.eventId);
      }
    }
    return outcome;
  }
}

/** Records each email; `refuseNext` makes the next sends fail the way the SES adapter reports it. */
export class RecordingMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  readonly refuseNext: MessageRefusedError[] = [];
  async send(message: OutgoingEmail): Promise<SentMessage> {
    const refusal = this.refuseNext.shift();
    if (refusal) throw refusal;
    this.sent.push(message);
    return { messageId: `email-${this.sent.length}` };
  }
}

/** Records each SMS; `refuseNext` makes the next sends fail the way the provider would. */
export class RecordingSmsSender implements SmsSender {
  readonly sent: OutgoingSms[] = [];
  readonly refuseNext: MessageRefusedError[] = [];
  async send(message: OutgoingSms): Promise<SentMessage> {
    const refusal = this.refuseNext.shift();
    if (refusal) throw refusal;
    this.sent.push(message);
    return { messageId: `sms-${this.sent.length}` };
  }
}

/** The send ledger's contract in memory: claims, budgets with their limits, deferred sends, alerts. */
export class MemoryNotificationSendLedger implements NotificationSendLedger {
  readonly records = new Map<string, SendRecord>();
  readonly budgets = new Map<string, { count: number; micros: number }>();
  readonly failingPhones = new Map<string, string>();
  readonly alerts = new Set<string>();
  constructor(private readonly leads: MemoryLeadStore) {}

  private id = (key: SendKey) => `${key.leadId}#${key.repId}#${key.reason}#${key.channel}`;

  async readForNotifying(leadId: string, repId: string, reason: string) {
    const sends: Partial<Record<'sms' | 'email', SendRecord>> = {};
    for (const channel of ['sms', 'email'] as const) {
      const record = this.records.get(this.id({ leadId, repId, reason, channel }));
      if (record) sends[channel] = structuredClone(record);
    }
    return { lead: await this.leads.getLead(leadId), sends, failingPhone: this.failingPhones.get(repId) };
  }
  async claimEmail(key: SendKey, claimedAt: string) {
    if (this.records.has(this.id(key))) return 'already_claimed' as const;
    this.records.set(this.id(key), { ...key, status: 'pending', claimedAt });
    return 'claimed' as const;
  }
  async reclaimEmail(key: SendKey, staleClaimedAt: string, claimedAt: string) {
    const record = this.records.get(this.id(key));
    if (record?.status !== 'pending' || record.claimedAt !== staleClaimedAt) return 'already_claimed' as const;
    record.claimedAt = claimedAt;
    return 'claimed' as const;
  }
  async claimSms(key: SendKey, claimedAt: string, charge: SmsBudgetCharge, fromDeferred = false) {
    const existing = this.records.get(this.id(key));
    if (fromDeferred ? existing?.status !== 'deferred' : existing) return 'already_claimed' as const;
    const within = (counter: string, limit: { count: number; micros: number }) => {
      const used = this.budgets.get(counter) ?? { count: 0, micros: 0 };
      return used.count < limit.count && used.micros + charge.costMicros <= limit.micros;
    };
    if (!within(`organisation#${charge.day}`, charge.limits.organisation)) return 'over_organisation_budget' as const;
    if (!within(`${key.repId}#${charge.day}`, charge.limits.perRep)) return 'over_rep_budget' as const;
    for (const counter of [`organisation#${charge.day}`, `${key.repId}#${charge.day}`]) {
      const used = this.budgets.get(counter) ?? { count: 0, micros: 0 };
      this.budgets.set(counter, { count: used.count + 1, micros: used.micros + charge.costMicros });
    }
    this.records.set(this.id(key), { ...key, status: 'pending', claimedAt, segments: charge.segments, costMicros: charge.costMicros, budgetDay: charge.day });
    return 'claimed' as const;
  }
  async defer(key: SendKey, claimedAt: string, notBefore: string) {
    if (this.records.has(this.id(key))) return 'already_claimed' as const;
    this.records.set(this.id(key), { ...key, status: 'deferred', claimedAt, notBefore });
    return 'deferred' as const;
  }
  async recordSent(key: SendKey, message: SentMessage, sentAt: string) {
    const record = this.records.get(this.id(key));
    if (record) Object.assign(record, { status: 'sent', messageId: message.messageId, sentAt });
  }
  async releaseClaim(key: SendKey, charge?: SmsBudgetCharge) {
    this.records.delete(this.id(key));
    if (charge) this.refund(key, charge);
  }
  async closeDeferred(key: SendKey) {
    if (this.records.get(this.id(key))?.status !== 'deferred') return 'already_claimed' as const;
    this.records.delete(this.id(key));
    return 'closed' as const;
  }
  async deferAgain(key: SendKey, charge: SmsBudgetCharge, dueAt: string) {
    const record = this.records.get(this.id(key));
    if (record?.status !== 'pending') throw new Error(`No pending SMS ${this.id(key)} to defer again`);
    this.records.set(this.id(key), { ...key, status: 'deferred', claimedAt: record.claimedAt, notBefore: dueAt });
    this.refund(key, charge);
  }
  private refund(key: SendKey, charge: SmsBudgetCharge) {
    for (const counter of [`organisation#${charge.day}`, `${key.repId}#${charge.day}`]) {
      const used = this.budgets.get(counter) ?? { count: 0, micros: 0 };
      this.budgets.set(counter, { count: used.count - 1, micros: used.micros - charge.costMicros });
    }
  }
  /** As the open-sends index orders them: a deferred SMS by when it is due, a pending send by its claim, then by key. */
  async listOpenSends(queue: OpenSendQueue, until: string, page: { limit: number; after?: OpenSendPosition }): Promise<OpenSendsPage> {
    const queuedAt = (record: SendRecord) => (queue === 'deferred' ? (record.notBefore ?? '') : record.claimedAt);
    const place = (at: string, key: SendKey) => `${at}|${this.id(key)}`;
    const after = page.after && place(page.after.queuedAt, page.after.key);
    const open = [...this.records.values()]
      .filter((record) => record.status === queue && queuedAt(record) <= until && (!after || place(queuedAt(record), record) > after))
      .sort((a, b) => place(queuedAt(a), a).localeCompare(place(queuedAt(b), b)));
    const records = open.slice(0, page.limit).map((record) => structuredClone(record));
    const last = records.length === page.limit ? records.at(-1) : undefined;
    return { records, ...(last ? { next: { queuedAt: queuedAt(last), key: { leadId: last.leadId, repId: last.repId, reason: last.reason, channel: last.channel } } } : {}) };
  }
  async markUnconfirmed(key: SendKey) {
    const record = this.records.get(this.id(key));
    if (record?.status === 'pending') record.status = 'unconfirmed';
  }
  async markPhoneFailing(repId: string, phone: string) {
    this.failingPhones.set(repId, phone);
  }
  async sendsFor(leadId: string) {
    return [...this.records.values()].filter((record) => record.leadId === leadId).map((record) => structuredClone(record));
  }
  async claimAlert(alertId: string) {
    if (this.alerts.has(alertId)) return false;
    this.alerts.add(alertId);
    return true;
  }
  async releaseAlert(alertId: string) {
    this.alerts.delete(alertId);
  }
}

export class MemoryNotificationLog implements NotificationLog {
  readonly sent = new Map<string, { leadId: string; sentAt: string }>();
  readonly claims = new Map<string, { leadId: string; claimedAt: string }>();
  constructor(private readonly leads: MemoryLeadStore) {}
  async readBeforeSending(notificationId: string, leadId: string) {
    if (this.sent.has(notificationId)) return { sent: true as const };
    return { sent: false as const, lead: await this.leads.getLead(leadId) };
  }
  async claim(notificationId: string, leadId: string, claimedAt: string) {
    const held = this.claims.get(notificationId);
    if (this.sent.has(notificationId) || (held && Date.parse(held.claimedAt) >= Date.parse(claimedAt) - notificationClaimLeaseMs)) return 'already_claimed' as const;
    this.claims.set(notificationId, { leadId, claimedAt });
    return 'claimed' as const;
  }
  async recordSent(notificationId: string, leadId: string, sentAt: string): Promise<void> {
    this.claims.delete(notificationId);
    this.sent.set(notificationId, { leadId, sentAt });
  }
  async releaseClaim(notificationId: string, _leadId: string) {
    this.claims.delete(notificationId);
  }
  async entriesFor(leadId: string): Promise<NotificationLogEntry[]> {
    return [
      ...[...this.claims].filter(([, claim]) => claim.leadId === leadId).map(([notificationId, { claimedAt }]) => ({ notificationId, status: 'pending' as const, claimedAt })),
      ...[...this.sent].filter(([, sent]) => sent.leadId === leadId).map(([notificationId, { sentAt }]) => ({ notificationId, status: 'sent' as const, sentAt })),
    ].sort((a, b) => (a.notificationId < b.notificationId ? -1 : 1));
  }
}

export class RecordingMetrics implements OperationalMetrics {
  readonly counted: Array<{ name: string; dimensions: Record<string, string> }> = [];
  readonly measured: Array<{ name: string; milliseconds: number; dimensions: Record<string, string> }> = [];
  count(name: string, dimensions: Record<string, string> = {}): void {
    this.counted.push({ name, dimensions });
  }
  measure(name: string, milliseconds: number, dimensions: Record<string, string> = {}): void {
    this.measured.push({ name, milliseconds, dimensions });
  }
}

export class MemoryRateLimiter implements RateLimiter {
  readonly hits = new Map<string, number>();
  /** As `DynamoDbRateLimiter`: a plain hit counts even when refused; hits to `admit` count only when they fit under the limit. */
  async hit(key: string, limit: number, now: Date, admit?: { hits: number }) {
    const hits = admit?.hits ?? 1;
    const window = Math.floor(now.getTime() / 60_000);
    const count = (this.hits.get(`${key}@${window}`) ?? 0) + hits;
    if (admit === undefined || count <= limit) this.hits.set(`${key}@${window}`, count);
    return count <= limit ? { allowed: true as const } : { allowed: false as const, retryAfterSeconds: 60 - Math.floor((now.getTime() % 60_000) / 1000) };
  }
}

/** One-tap link uses and acceptances in memory, on the memory lead store. */
export class MemoryOneTapLinkLedger implements OneTapLinkLedger {
  readonly used = new Map<string, string>();
  constructor(private readonly leads: MemoryLeadStore) {}
  async usedAt(linkId: string) {
    return this.used.get(linkId);
  }
  async markUsed(linkId: string, at: string) {
    if (this.used.has(linkId)) return false;
    this.used.set(linkId, at);
    return true;
  }
  async forget(linkId: string) {
    this.used.delete(linkId);
  }
  async recordAcceptance(linkId: string, acceptance: LeadAcceptance) {
    if (this.used.has(linkId)) return 'link_used' as const;
    const lead = this.leads.leads.get(acceptance.leadId);
    if (lead?.ownerId !== acceptance.ownerId) return 'lead_changed' as const;
    if (overItemLimit({ ...lead, updatedAt: acceptance.acceptedAt, history: [...lead.history, acceptance.historyEntry] })) return 'lead_full' as const;
    this.used.set(linkId, acceptance.acceptedAt);
    lead.history.push(acceptance.historyEntry);
    lead.updatedAt = acceptance.acceptedAt;
    this.leads.record(acceptance.event);
    return 'accepted' as const;
  }
  async recordOfferAcceptance(linkId: string, acceptance: OfferAcceptance, _linkExpiresAt: number, capacity: number) {
    if (this.used.has(linkId)) return 'link_used' as const;
    const lead = this.leads.leads.get(acceptance.leadId);
    if (!lead || lead.ownerId || lead.status !== 'new' || lead.offer?.offeredAt !== acceptance.offeredAt) return 'taken' as const;
    const { ownerId, assignment, routing } = acceptance;
    const after: Lead = { ...lead, ownerId, assignment, poolId: assignment.poolId, routing, status: 'assigned', updatedAt: assignment.assignedAt, history: [...lead.history, ...acceptance.historyEntries] };
    if (overItemLimit(after)) return 'lead_full' as const;
    const open = this.leads.openLeads.get(acceptance.ownerId) ?? 0;
    if (open >= capacity) return 'at_capacity' as const;
    this.leads.openLeads.set(acceptance.ownerId, open + 1);
    this.used.set(linkId, acceptance.assignment.assignedAt);
    Object.assign(lead, after);
    this.leads.record(acceptance.event);
    return 'accepted' as const;
  }
}

/**
 * The webhook deliveries of an installation that has made none, as a data-subject export reads them. The
 * delivery queue itself is tested against DynamoDB Local, whose conditional writes its claims are, so
 * anything that would queue or send a delivery here throws.
 */
export class NoWebhookDeliveries implements WebhookDeliveryStore {
  async deliveriesOfLead(): Promise<WebhookDelivery[]> {
    return [];
  }
  private unfaked(): never {
    throw new Error('Webhook deliveries are tested against DynamoDB Local (test/integration/webhook-deliveries.test.ts), not with fakes');
  }
  async open(): Promise<WebhookDelivery | undefined> {
    return this.unfaked();
  }
  async due(): Promise<WebhookDelivery[]> {
    return this.unfaked();
  }
  async claim(): Promise<WebhookDelivery | undefined> {
    return this.unfaked();
  }
  async record(): Promise<boolean> {
    return this.unfaked();
  }
  async list(): Promise<WebhookDelivery[]> {
    return this.unfaked();
  }
  async requeue(): Promise<boolean> {
    return this.unfaked();
  }
}

/** As the DynamoDB store's routing condition: `new`, unowned, not on offer unless the write closes it, and not re-scored since `scoredAt`. */
function isRoutable(lead: Lead | undefined, guard: RoutingGuard): lead is Lead {
  if (!lead || lead.ownerId || lead.status !== 'new') return false;
  if (isOpenOffer(lead) && !guard.closesOffer) return false;
  return guard.scoredAt === undefined || lead.score?.scoredAt === guard.scoredAt;
}

/**
 * A set of fake dependencies with a fixed clock and predictable ids. The follow-up rules' stores and the
 * webhook sender are left out, and the webhook deliveries are those of an installation that made none
 * (`NoWebhookDeliveries`): they are tested against DynamoDB Local, whose conditional writes they rely on.
 */
export function fakeDependencies(now = new Date('2026-03-02T10:15:00.000Z')): Omit<Dependencies, 'followUps' | 'teamActivity' | 'webhookSender'> & {
  store: MemoryLeadStore;
  consents: MemoryConsentLedger;
  publisher: RecordingPublisher;
  mailer: RecordingMailer;
  notifications: MemoryNotificationLog;
  rateLimiter: MemoryRateLimiter;
  intakes: MemoryLeadIntakeRecords;
  platformLeads: FakePlatformLeadReaders;
  metrics: RecordingMetrics;
  secrets: RecordingSecretStore;
  sms: RecordingSmsSender;
  sends: MemoryNotificationSendLedger;
  links: MemoryOneTapLinkLedger;
  repNotificationIdempotency: MemoryIdempotencyStore;
  roi: MemoryChannelRoiStore;
  reports: MemoryReportArchive;
  feedback: MemoryConversionFeedbackQueue;
  feedbackSender: RecordingFeedbackSender;
} {
  const store = new MemoryLeadStore();
  // Intake reads the priors the rollup writes: one store serves both, as one table does.
  const roi = new MemoryChannelRoiStore();
  let counter = 0;
  return {
    config: demoConfiguration(),
    store,
    leads: store,
    ingestion: store,
    erasures: store,
    consents: store.consents,
    outbox: store,
    publisher: new RecordingPublisher(),
    mailer: new RecordingMailer(),
    notifications: new MemoryNotificationLog(store),
    sms: new RecordingSmsSender(),
    sends: new MemoryNotificationSendLedger(store),
    links: new MemoryOneTapLinkLedger(store),
    repNotificationIdempotency: new MemoryIdempotencyStore(),
    publicBaseUrl: 'https://leads.example',
    rateLimiter: new MemoryRateLimiter(),
    metrics: new RecordingMetrics(),
    humanVerifier: { verify: async ({ token }) => ({ success: token === 'human', errorCodes: token === 'human' ? [] : ['invalid-input-response'] }) },
    intakes: store.intakes,
    platformLeads: new FakePlatformLeadReaders(),
    secrets: new RecordingSecretStore(),
    roi,
    measuredPriors: roi,
    reports: new MemoryReportArchive(),
    feedback: store.feedback,
    feedbackSender: new RecordingFeedbackSender(),
    webhooks: new NoWebhookDeliveries(),
    now: () => now,
    newId: () => `id-${++counter}`,
  };
}

/**
 * Powertools Idempotency's records in memory, with the DynamoDB layer's put rule: a key is taken while
 * its record is live (in progress and not past its in-progress expiry, or completed and not expired).
 */
export class MemoryIdempotencyStore extends BasePersistenceLayer {
  readonly records = new Map<string, IdempotencyRecord>();

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const record = this.records.get(idempotencyKey);
    if (!record) throw new IdempotencyItemNotFoundError(`No record for ${idempotencyKey}`);
    return record;
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.records.get(record.idempotencyKey);
    const inProgressLapsed = existing?.getStatus() === IdempotencyRecordStatus.INPROGRESS && existing.inProgressExpiryTimestamp !== undefined && existing.inProgressExpiryTimestamp < Date.now();
    if (existing && !existing.isExpired() && !inProgressLapsed) throw new IdempotencyItemAlreadyExistsError(`Record for ${record.idempotencyKey} exists`, existing);
    this.records.set(record.idempotencyKey, record);
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    this.records.set(record.idempotencyKey, record);
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.records.delete(record.idempotencyKey);
  }
}

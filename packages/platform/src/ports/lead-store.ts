import type { Lead, LeadClaim, LeadOfferChange, LeadRelease, LeadTransition, MyLeadsCursor, MyLeadsFilter, OutOfOffice, OwnerChange, PoolChange, PoolCursor, PoolListingFilter } from '@leadflow/domain';

/**
 * Routing writes leave a lead with an open offer alone (a re-score or redelivery must not take it from
 * the reps it was offered to), except the offer's own fallback, which says `closesOffer`. With
 * `scoredAt`, the score the decision was made on, they also leave a lead re-scored since alone: a touch
 * that re-scores a `new` lead publishes a newer `lead.scored`, which routes it on the score it has now,
 * whatever order the two events arrive in.
 */
export interface RoutingGuard {
  closesOffer?: boolean;
  scoredAt?: string;
}
/** An owner for a lead, taken only while the rep is under their holding cap. */
export type OwnerAssignment = OwnerChange &
  RoutingGuard & {
    leadId: string;
    capacity: number;
    /** The owner's open leads the choice was ranked on (`least_busy`): the assignment is taken only while they still hold that many (none counts as 0). */
    seenOpenLeads?: number;
  };
export type OwnerAssignmentOutcome = 'assigned' | 'already_assigned' | 'at_capacity' | 'load_changed' | LeadFull;

/** What the store knows of reps right now: open leads held (their holding-cap counters) and who is out of office. */
export interface RepStates {
  openLeads: Map<string, number>;
  outOfOffice: Map<string, OutOfOffice>;
}

/** A place in a due-time index, which orders its leads by due time, then lead id: where the next page starts. */
export interface DuePosition {
  at: string;
  leadId: string;
}

/**
 * A page of a due-time index, and where the next starts when this one is full. An item that no longer reads as a
 * lead is logged and left out of `leads`, and `next` still moves past it: it holds back none after it.
 */
export interface DueLeadsPage {
  leads: Lead[];
  next?: DuePosition;
}

/**
 * A write refused because it would take the lead over the store's item size limit (DynamoDB's 400 KB): nothing
 * is written, and trying again cannot help. Every method that writes a lead answers it rather than throwing.
 */
export type LeadFull = 'lead_full';

/** The due-time indexes a schedule reads every run: the nurture sender's and the offer fallback's. */
export type LeadDueIndex = 'nurture' | 'offer_expiry';

/**
 * Where leads live. Every write that changes a lead also stores the event announcing it, atomically. Taking a
 * submission in (a new lead, a touch or a replay) is `LeadIngestion`'s; erasing a person is `LeadErasures`'.
 */
export interface LeadStore {
  getLead(leadId: string): Promise<Lead | undefined>;
  /**
   * The secret of the lead's unsubscribe links (kept with the lead, not in it, so no API answer shows it):
   * the one stored, else `candidate`, stored now, so every email to the lead carries the same link;
   * `undefined` when there is no such lead; `{ refused: 'lead_full' }` when the lead has no secret yet and storing one would take it over the item limit.
   */
  unsubscribeSecretFor(leadId: string, candidate: string): Promise<string | { refused: LeadFull } | undefined>;
  /** The secret of the lead's unsubscribe links, if one was stored. */
  unsubscribeSecretOf(leadId: string): Promise<string | undefined>;
  /**
   * The id of the lead holding a person's dedup key (`email#…` or `phone#…`, see `personDedupKey`),
   * for the dedup check (查重); `undefined` when no lead holds it.
   */
  findLeadIdByPersonKey(key: string): Promise<string | undefined>;
  /** Atomically advances a route's turn counter (per route and pool) and returns the new turn (1, 2, 3, …). */
  takeTurn(counterId: string): Promise<number>;
  /**
   * Takes back `turn` when it is still the counter's last (nobody took one since), for a routing decision
   * that wrote nothing (a redelivered `lead.scored`, a lead routed meanwhile): the next lead gets the turn,
   * so no rep misses one. A turn taken since is left alone, not to shift turns others hold. With `whileRoutable`
   * (a decision that failed, not knowing what it wrote), only while that lead is still routable under its guard:
   * a write that committed and lost only its answer made it unroutable, and keeps its turn.
   */
  giveBackTurn(counterId: string, turn: number, whileRoutable?: RoutingGuard & { leadId: string }): Promise<void>;
  readRepStates(repIds: readonly string[]): Promise<RepStates>;
  /** Records a rep's out-of-office state (a later write replaces it). */
  setOutOfOffice(record: OutOfOffice): Promise<void>;
  /**
   * Sets the owner of a `new` lead unless it already has one (one lead, one owner) and counts it among
   * the rep's open leads, unless that would exceed `capacity` — in one transaction with `lead.assigned`. With
   * `seenOpenLeads`, `load_changed` when the rep's open leads are no longer that many (a concurrent assignment or release, or the cap reached).
   * A lead with an open offer is refused unless `closesOffer`, which closes it (it leaves the offer-expiry
   * index); so it is by `leaveInPool`. `lead_full` (here and in every write below) as `LeadFull` says.
   */
  assignOwner(change: OwnerAssignment): Promise<OwnerAssignmentOutcome>;
  /** Leaves a `new`, unowned lead in a pool (status `in_pool`), with its decision and `lead.pooled`, in one transaction. */
  leaveInPool(change: PoolChange & RoutingGuard & { leadId: string }): Promise<'pooled' | 'already_routed' | LeadFull>;
  /**
   * Records an offer on a `new` lead that has no owner and no offer yet, files it in the offer-expiry
   * index, and stores `lead.offered`, in one transaction; refused, like the others, for a lead re-scored since `scoredAt`.
   */
  offerLead(change: LeadOfferChange & Pick<RoutingGuard, 'scoredAt'>): Promise<'offered' | 'already_routed' | LeadFull>;
  /** A page of the leads whose open offer expired by `now`, soonest expiry first, after `page.after` (from the sparse offer-expiry index). */
  listExpiredOffers(now: string, page: { limit: number; after?: DuePosition }): Promise<DueLeadsPage>;
  /** A page of the leads waiting in a pool whose next nurture step is due by `dueBy`, soonest first, after `page.after` (from the sparse nurture-due index). */
  listDueNurturedLeads(dueBy: string, page: { limit: number; after?: DuePosition }): Promise<DueLeadsPage>;
  /**
   * Takes a lead out of a due-time index a schedule reads every run (`nurture`: the nurture sender's; `offer_expiry`:
   * the offer fallback's), only while it is as `seen` (the same history length and touches), and changes nothing
   * else: for a lead too full to record the schedule's step, which would otherwise be read and refused every run.
   * The next change written to the lead files it again where it belongs. `lead_changed` when it changed since.
   */
  leaveDueIndex(seen: Lead, index: LeadDueIndex): Promise<'left' | 'lead_changed'>;
  /**
   * Claims a lead in one transaction: the lead must still be unowned in the claim's pool and not the
   * claimant's within the cooldown (else `lead_changed`); the claimant's daily counter for the pool must
   * stay within its limit (`daily_limit`) and their open-lead counter within the holding cap
   * (`holding_cap`). Sets the owner, appends the history entry and stores `lead.claimed`; a lock the waiting lead
   * still carries is lifted, with `lead.unlocked` stored beside it (`lead_changed` when its lock is not as planned).
   */
  claimLead(claim: LeadClaim): Promise<'claimed' | 'lead_changed' | 'daily_limit' | 'holding_cap' | LeadFull>;
  /**
   * Returns a lead its owner holds to its pool in one transaction: owner cleared, `previousOwnerId` and
   * `releasedAt` kept, the owner's open-lead counter down by one, `lead.released` stored (and `lead.unlocked`
   * when it lifts a lock). `lead_changed` when the lead is no longer theirs, no longer in a releasable state, or
   * its lock is not as planned.
   */
  releaseLead(release: LeadRelease): Promise<'released' | 'lead_changed' | LeadFull>;
  /**
   * A page of the leads waiting unowned in a pool that pass `filter`, oldest capture first, and where the
   * next page starts. Reads only the pool's waiting leads (its part of the sparse pool index).
   */
  listPoolLeads(poolId: string, page: { limit: number; after?: PoolCursor }, filter?: PoolListingFilter): Promise<{ leads: Lead[]; next?: PoolCursor }>;
  /**
   * A page of the leads `ownerId` owns with one of `filter.statuses` (and `filter.grade`, and a next step
   * before `filter.dueBefore`), in agenda order (`agendaKey`: next step soonest, then hottest and best
   * grade), and where the next page starts. Reads only that owner's leads.
   */
  listOwnedLeads(ownerId: string, filter: MyLeadsFilter, page: { limit: number; after?: MyLeadsCursor }): Promise<{ leads: Lead[]; next?: MyLeadsCursor }>;
  /**
   * Writes a lifecycle transition in one transaction: the lead becomes `transition.after` only if it still
   * has `transition.before`'s history and touches (else `lead_changed`), reps' open-lead counters move (an increase
   * only below its cap, else `holding_cap`), and the event is stored (and `lead.unlocked` when the transition lifts a lock;
   * a lock put on or taken off since the read appended to the history, so the lock lifted is the one planned).
   * `lead_full` when the lead, so changed, would be over the store's item size limit: nothing is written, and trying again cannot help.
   */
  applyTransition(transition: LeadTransition): Promise<'applied' | 'lead_changed' | 'holding_cap' | LeadFull>;
}

import type { FollowUpPlan, Lead, MyLeadsCursor, PoolBacklog, TeamActivityCount, TeamDayCounts } from '@leadflow/domain';
import type { DuePosition, LeadFull } from './lead-store';

/** A lead due for a look by the follow-up rules, as the due-time index holds it. */
export interface DueLead {
  leadId: string;
  dueAt: string;
}

/** A lead a rep owns, with the due time it is filed under (none when it is not in the due-time index). */
export interface OwnedLeadEntry {
  lead: Lead;
  dueAt?: string;
}

/** A stored lead item that does not parse as a lead (written by an older version, say), and why. */
export interface UnreadableLead {
  leadId: string;
  error: string;
}

/**
 * How far the leads are filed under the follow-up rules: `filedVersion`, the `followUpRulesVersion` every
 * owned lead was last filed under; `pass`, a re-filing under another version under way, at the rep (by
 * id, in order) and the position in their leads where it goes on, and `startOver` once a lead kept
 * changing in one of its runs (the pass then starts over once it reaches its end).
 */
export interface FollowUpRefileState {
  filedVersion?: string;
  pass?: { version: string; repId: string; after?: MyLeadsCursor; startOver?: true };
}

/** The due-time index of the follow-up rules and the writes of the job that works through it. */
export interface FollowUpStore {
  /**
   * A page of the leads whose next check is at or before `dueBy`, earliest first (then by lead), after `page.after`,
   * and where the next page starts when this one is full: a lead the job cannot settle does not hold back the ones after it.
   */
  listDue(dueBy: string, page: { limit: number; after?: DuePosition }): Promise<{ due: DueLead[]; next?: DuePosition }>;
  /**
   * Sets (or clears) a lead's next check time, unless the lead changed since it was read as `seen`; `lead_full` when a
   * time the lead had none of would take it over the item limit (clearing one always fits).
   */
  setNextCheck(seen: Lead, nextCheckAt: string | undefined): Promise<'set' | 'lead_changed' | LeadFull>;
  /**
   * Writes a plan in one transaction, unless the lead changed since it was read as `seen`: the lead (state,
   * history, owner), its next check, its events and, when it changes hands, both reps' open-lead counters
   * (the new owner's only while under `capacity`, else `target_at_capacity` and nothing is written). `lead_full` when
   * the lead, so changed, would be over the store's item size limit: nothing is written, and trying again cannot help.
   */
  applyPlan(seen: Lead, plan: FollowUpPlan, capacity?: number): Promise<'applied' | 'lead_changed' | 'target_at_capacity' | LeadFull>;
  /**
   * Up to `limit` of the leads `ownerId` owns, in agenda order after `after`; `next` when there may be more.
   * A stored lead that no longer reads as a lead is named in `unreadable` (with why) instead of failing the page.
   */
  listOwned(ownerId: string, limit: number, after?: MyLeadsCursor): Promise<{ entries: OwnedLeadEntry[]; unreadable: UnreadableLead[]; next?: MyLeadsCursor }>;
  refileState(): Promise<FollowUpRefileState | undefined>;
  saveRefileState(state: FollowUpRefileState): Promise<void>;
}

/** The per-team, per-day counters of the managers' digest, and the pools' backlogs it reports. */
export interface TeamActivityStore {
  /** Adds one to a rep's metric on a team's day, once per event id. */
  count(eventId: string, count: TeamActivityCount): Promise<'counted' | 'already_counted'>;
  readDay(teamId: string, day: string): Promise<TeamDayCounts>;
  /** Leads waiting unowned in a pool and the capture time of the oldest, from the pool's sparse index. */
  poolBacklog(poolId: string): Promise<Omit<PoolBacklog, 'name'>>;
  /**
   * What became of a team's digest for `day` to a recipient: `sent`, or `undeliverable` (the email provider
   * refused it for good), so later runs of the schedule send nothing; `undefined` while it is still owed (a
   * claim not yet recorded as sent or undeliverable is owed).
   */
  digestOutcome(teamId: string, day: string, recipientId: string): Promise<'sent' | 'undeliverable' | undefined>;
  /**
   * Claims a recipient's digest before it is sent, so two runs at once send it once: `already_claimed` when
   * it was sent or recorded undeliverable, or another run claimed it less than `notificationClaimLeaseMs`
   * before `claimedAt` (it may be sending it now). A claim past its lease (its run died) is taken over.
   */
  claimDigest(teamId: string, day: string, recipientId: string, claimedAt: string): Promise<'claimed' | 'already_claimed'>;
  recordDigestSent(teamId: string, day: string, recipientId: string, sentAt: string): Promise<void>;
  /**
   * The email provider refused the digest for good: records it undeliverable, with the provider's `reason`,
   * only while the claim made at `claimedAt` is still this run's, so two runs cannot disagree on its outcome.
   * `not_claimed` when it is not (another run took over the lapsed claim, and that run records the outcome;
   * a digest it sent stays sent).
   */
  recordDigestUndeliverable(teamId: string, day: string, recipientId: string, claimedAt: string, reason: string, refusedAt: string): Promise<'recorded' | 'not_claimed'>;
  /** The send failed: gives back the claim made at `claimedAt` so a later run may send (a digest recorded as sent, or claimed again since, stays). */
  releaseDigestClaim(teamId: string, day: string, recipientId: string, claimedAt: string): Promise<void>;
}

import './zod-locale';
import * as z from 'zod/mini';
import type { Pool, Rep } from './configuration';
import type { Lead, LeadHistoryEntry } from './lead';
import { leadEvent, testLeadMark, type LeadEvent } from './lead-events';
import { leadFullRefusal } from './lead-size';
import { nurtureLeftEntry } from './lead-nurture';
import type { Principal } from './access-policy';
import { canSeeOwnerName } from './lead-lookup';
import { lifecycleEventFacts, openLeadStatuses } from './lead-transition';
import { agendaKey } from './my-leads';

/**
 * A pool's claim rules (领取规则), all checked in the claim's one transaction. Defaults: 20 claims a day,
 * no holding cap beyond each rep's `capacity`, a 7-day previous-owner cooldown, no wait for new leads.
 */
export const poolClaimRulesSchema = z.strictObject({
  /** Most leads one member may claim from this pool per day (in the organisation's time zone); pool admins are exempt. */
  dailyLimit: z._default(z.number().check(z.int(), z.positive()), 20),
  /** Most open leads a member may hold when claiming from this pool; the rep's own `capacity` applies too. */
  holdingCap: z.optional(z.number().check(z.int(), z.positive())),
  /** Days after a release before the previous owner may claim the lead again. */
  previousOwnerCooldownDays: z._default(z.number().check(z.int(), z.minimum(0)), 7),
  /** Minutes after capture before a brand-new lead may be claimed. */
  newLeadWaitMinutes: z._default(z.number().check(z.int(), z.minimum(0)), 0),
});

/** Release reasons a pool accepts when none are configured. */
export const defaultReleaseReasons = ['not_reachable', 'no_need_now', 'outside_my_territory', 'too_many_leads'];

/** Why a claim or release is refused: the HTTP status, the rule in a word, and the rule with its numbers in words. */
export interface PoolRefusal {
  status: 403 | 409;
  rule: 'not_member' | 'inactive' | 'not_in_pool' | 'already_owned' | 'new_lead_wait' | 'previous_owner_cooldown' | 'daily_limit' | 'holding_cap' | 'not_owner' | 'not_held' | 'lead_full';
  message: string;
}

/** Everything the claim's transaction writes, and the conditions it writes it under. */
export interface LeadClaim {
  leadId: string;
  poolId: string;
  ownerId: string;
  claimedAt: string;
  /** The previous owner's release must be at or before this instant (now minus the cooldown). */
  cooldownCutoff: string;
  /** The per-rep, per-pool, per-day counter; no limit for pool admins. */
  daily: { day: string; limit?: number; expiresAt: number };
  /** Open leads the rep may hold: the smaller of their capacity and the pool's holding cap. */
  holdingCap: number;
  assignment: NonNullable<Lead['assignment']>;
  /** The lead's place in its new owner's list (`agendaKey`). */
  agenda: string;
  /** When the manager's lock the plan saw (and lifts) was put on, or `undefined` when it saw none: the claim holds only if that is still so. */
  lockedAt?: string;
  historyEntry: LeadHistoryEntry;
  /** A nurtured lead leaves its sequence with the claim: on the timeline, in the claim's own write. */
  nurtureLeftEntry?: LeadHistoryEntry;
  event: LeadEvent;
  /** `lead.unlocked`, when the claim lifts a lock the waiting lead still carries: whoever follows locks hears of it as of an unlock by hand. */
  unlockedEvent?: LeadEvent;
}

/**
 * Everything a release writes: the lead back in its pool, the owner's open-lead counter down by one. The
 * owner's promised next step and what the follow-up rules did about it go too: they were the owner's, and
 * whoever claims the lead next starts with a first contact to make.
 */
export interface LeadRelease {
  leadId: string;
  poolId: string;
  ownerId: string;
  reason: string;
  releasedAt: string;
  /** When the manager's lock the plan saw (and lifts) was put on, or `undefined` when it saw none: the release holds only if that is still so. */
  lockedAt?: string;
  historyEntry: LeadHistoryEntry;
  event: LeadEvent;
  /** `lead.unlocked`, when the release lifts a manager's lock: whoever follows locks (a CRM, say) hears of it as of an unlock by hand. */
  unlockedEvent?: LeadEvent;
}

const dayMs = 24 * 3600 * 1000;

/** How many open leads `rep` may hold when one more comes to them in `pool`: the smaller of their capacity and the pool's holding cap. */
export function holdingCapOf(rep: Pick<Rep, 'capacity'>, pool: Pick<Pool, 'claim'>): number {
  return Math.min(rep.capacity, pool.claim.holdingCap ?? rep.capacity);
}

/** Members and pool admins may claim from a pool; so may nobody else, whatever their role. */
export function isPoolMember(pool: Pick<Pool, 'members' | 'admins'>, repId: string): boolean {
  return pool.members.includes(repId) || pool.admins.includes(repId);
}

/** Claiming and releasing are for reps, managers and admins who are members of the pool. */
export function mayWorkPools(principal: Principal): boolean {
  return principal.roles.some((role) => role === 'rep' || role === 'manager' || role === 'admin');
}

/**
 * The calendar day of `now` on the wall clock of `timeZone`, as `YYYY-MM-DD` (the daily claim counter's key).
 * Built from the parts, as Intl writes a year before 1000 without its leading zeros ("206-03-10") and a
 * year before 1 as its era's ("1" BC for the ISO year 0000).
 */
export function localDay(now: Date, timeZone: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, era: 'short', year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now).map((part) => [part.type, part.value])) as Record<
    'era' | 'year' | 'month' | 'day',
    string
  >;
  const year = parts.era === 'BC' ? 1 - Number(parts.year) : Number(parts.year);
  return `${year < 0 ? '-' : ''}${String(Math.abs(year)).padStart(4, '0')}-${parts.month}-${parts.day}`;
}

/**
 * Checks a claim against the lead as read and the pool's rules, and builds what the transaction writes;
 * the daily limit and holding cap are left to the transaction's counters (see `dailyLimitRefusal`,
 * `holdingCapRefusal`). `timeZone` is the organisation's: the daily limit resets at its midnight.
 * `principal` is the claimant as signed in: a refusal names the lead's owner only to those who may see it
 * (`canSeeOwnerName`); without it the claimant is taken for a rep. A lock the waiting lead still carries (an
 * earlier version let managers lock unowned leads) is lifted: it was nobody's, and the new owner is recycled like any other.
 */
export function planClaim(input: { lead: Lead; pool: Pool; rep: Rep; principal?: Principal; timeZone: string; now: Date; eventId: string }): { refusal: PoolRefusal } | { claim: LeadClaim } {
  const { lead, pool, rep, now } = input;
  if (!isPoolMember(pool, rep.id)) return { refusal: { status: 403, rule: 'not_member', message: `${rep.id} is not a member of pool ${pool.id}` } };
  // An inactive rep is leaving: routing, SLA reassignment and managers pass them by, so they may not take leads themselves either.
  if (!rep.active) return { refusal: { status: 403, rule: 'inactive', message: `${rep.id} is inactive (active: false in the configuration) and may not claim leads` } };
  const refusal = leadStateRefusal(lead, pool, rep.id, input.principal ?? { id: rep.id, roles: ['rep'] }, now);
  if (refusal) return { refusal };
  const at = now.toISOString();
  const isAdmin = pool.admins.includes(rep.id);
  const holdingCap = holdingCapOf(rep, pool);
  const detail = `claimed from pool ${pool.id}${isAdmin ? ' (pool admin, no daily limit)' : ` (daily limit ${pool.claim.dailyLimit})`}`;
  return {
    claim: {
      leadId: lead.leadId,
      poolId: pool.id,
      ownerId: rep.id,
      claimedAt: at,
      cooldownCutoff: new Date(now.getTime() - pool.claim.previousOwnerCooldownDays * dayMs).toISOString(),
      // The counter outlives its day by one, so a late retry still sees it; DynamoDB's TTL removes it after.
      daily: { day: localDay(now, input.timeZone), limit: isAdmin ? undefined : pool.claim.dailyLimit, expiresAt: Math.floor((now.getTime() + 2 * dayMs) / 1000) },
      holdingCap,
      assignment: { rule: 'claim', poolId: pool.id, assignedAt: at },
      agenda: agendaKey(lead),
      ...(lead.lock ? { lockedAt: lead.lock.at } : {}),
      historyEntry: { at, action: 'claimed', by: rep.id, detail: `${detail}${lead.lock ? `; the lock ${lead.lock.by} put on it is lifted` : ''}` },
      ...(lead.nurture ? { nurtureLeftEntry: nurtureLeftEntry(lead.nurture, 'claimed', at, rep.id) } : {}),
      event: leadEvent('lead.claimed', { eventId: input.eventId, leadId: lead.leadId, ...testLeadMark(lead), ownerId: rep.id, poolId: pool.id, claimedAt: at }, at),
      // Told of the lead as the claim leaves it, with its new owner: a consumer applying it after `lead.claimed` must not take the lead away.
      ...(lead.lock
        ? { unlockedEvent: leadEvent('lead.unlocked', { ...lifecycleEventFacts({ ...lead, ownerId: rep.id }, rep.id, `${input.eventId}.unlocked`), reason: `claimed from pool ${pool.id}`, changedAt: at }, at) }
        : {}),
    },
  };
}

/**
 * The rules that depend on the lead itself: in this pool, unowned, old enough, and not the previous owner's within the cooldown.
 * The owner is named only to whom the dedup check would name them, so failed claims cannot map who holds which lead.
 */
function leadStateRefusal(lead: Lead, pool: Pool, repId: string, principal: Principal, now: Date): PoolRefusal | undefined {
  if (lead.ownerId) return { status: 409, rule: 'already_owned', message: `lead ${lead.leadId} is already owned by ${canSeeOwnerName(principal, lead.ownerId) ? lead.ownerId : 'another rep'}` };
  if (lead.status !== 'in_pool' || lead.poolId !== pool.id) return { status: 409, rule: 'not_in_pool', message: `lead ${lead.leadId} is not waiting in pool ${pool.id} (status ${lead.status}, pool ${lead.poolId})` };
  const claimableAt = Date.parse(lead.capturedAt) + pool.claim.newLeadWaitMinutes * 60_000;
  if (now.getTime() < claimableAt) {
    return {
      status: 409,
      rule: 'new_lead_wait',
      message: `new leads wait ${pool.claim.newLeadWaitMinutes} minutes before they may be claimed; lead ${lead.leadId} may be claimed from ${new Date(claimableAt).toISOString()}`,
    };
  }
  if (lead.previousOwnerId === repId && lead.releasedAt) {
    const allowedAt = Date.parse(lead.releasedAt) + pool.claim.previousOwnerCooldownDays * dayMs;
    if (now.getTime() < allowedAt) {
      return {
        status: 409,
        rule: 'previous_owner_cooldown',
        message: `previous owner cooldown ${pool.claim.previousOwnerCooldownDays} days: ${repId} released lead ${lead.leadId} at ${lead.releasedAt} and may claim it again from ${new Date(allowedAt).toISOString()}`,
      };
    }
  }
  return undefined;
}

/** The refusal when the daily claim counter is full. */
export function dailyLimitRefusal(limit: number, timeZone: string): PoolRefusal {
  return { status: 409, rule: 'daily_limit', message: `daily claim limit ${limit} reached; resets at 00:00 ${timeZone}` };
}

/** The refusal when the rep's open-lead counter is at their holding cap. */
export function holdingCapRefusal(holdingCap: number): PoolRefusal {
  return { status: 409, rule: 'holding_cap', message: `holding cap ${holdingCap} reached (${holdingCap}/${holdingCap} open leads)` };
}

/**
 * Checks a release (the owner only, a reason the pool accepts) and builds what its transaction writes. Claim and
 * release can follow each other without end, so a lead past `repeatableStepsLimitBytes` is not released
 * (`409 lead_full`); its claim, which happens once a cycle, is still taken.
 */
export function planRelease(input: { lead: Lead; pool: Pool; repId: string; reason: string; now: Date; eventId: string }): { refusal: PoolRefusal } | { release: LeadRelease } {
  const { lead, pool, repId } = input;
  // The caller held it and no one does now (released already, recycled, or set invalid): a state to read again, not a permission they lack.
  if (lead.ownerId === undefined && lead.previousOwnerId === repId) {
    const where = lead.status === 'in_pool' ? `it waits unowned in pool ${lead.poolId}` : `it is ${lead.status} and has no owner`;
    return { refusal: { status: 409, rule: 'not_held', message: `you no longer hold lead ${lead.leadId}: ${where}` } };
  }
  if (lead.ownerId !== repId) return { refusal: { status: 403, rule: 'not_owner', message: `only the owner may release lead ${lead.leadId}` } };
  if (!releasableStatuses.includes(lead.status)) return { refusal: { status: 409, rule: 'not_held', message: `lead ${lead.leadId} is ${lead.status}; only an assigned, contacted or qualified lead may be released` } };
  const full = leadFullRefusal(lead, 'releasing');
  if (full) return { refusal: full };
  const at = input.now.toISOString();
  return {
    release: {
      leadId: lead.leadId,
      poolId: pool.id,
      ownerId: repId,
      reason: input.reason,
      releasedAt: at,
      ...(lead.lock ? { lockedAt: lead.lock.at } : {}),
      // A manager's lock kept the lead with its owner; released, it has none, and the next to claim it is not held to it.
      historyEntry: { at, action: 'released', by: repId, detail: `released to pool ${pool.id}: ${input.reason}${lead.lock ? `; the lock ${lead.lock.by} put on it is lifted` : ''}` },
      event: leadEvent('lead.released', { eventId: input.eventId, leadId: lead.leadId, ...testLeadMark(lead), previousOwnerId: repId, poolId: pool.id, reason: input.reason, releasedAt: at }, at),
      // Told of the lead as the release leaves it, without an owner: a consumer applying it after `lead.released` must not give the lead back.
      ...(lead.lock
        ? { unlockedEvent: leadEvent('lead.unlocked', { ...lifecycleEventFacts(unowned(lead), repId, `${input.eventId}.unlocked`), reason: `released to pool ${pool.id}: ${input.reason}`, changedAt: at }, at) }
        : {}),
    },
  };
}

function unowned(lead: Lead): Lead {
  const { ownerId: _ownerId, ...rest } = lead;
  return rest;
}

/** Statuses of a lead someone is working; a converted or invalid lead is not handed back. */
export const releasableStatuses = openLeadStatuses;

/** The body of `POST /leads/{id}/release`; the reason is checked against the pool's list by `releaseBodySchema`. */
export function releaseBodySchema(pool: Pick<Pool, 'releaseReasons'>) {
  return z.strictObject({ reason: z.enum(pool.releaseReasons as [string, ...string[]]) });
}

/** The optional body of `POST /leads/{id}/claim`: the pool the caller saw the lead in, refused if the lead has moved since. */
export const claimBodySchema = z.strictObject({ poolId: z.optional(z.string().check(z.minLength(1))) });

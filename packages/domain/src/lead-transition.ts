import type { Principal } from './access-policy';
import type { Pool } from './configuration';
import type { Lead, LeadHistoryEntry } from './lead';
import { testLeadMark, type LeadEvent } from './lead-events';
import { nurtureLeftEntry } from './lead-nurture';

/**
 * One change to a lead, decided from the lead as it was read (`before`): the store writes `after` only
 * while the lead still has `before`'s history and touches (every change appends to the history, every
 * repeat submission counts itself), so of two racing changes one wins and the other is refused. `openLeads` moves reps' open-lead counters (持有上限) in the same
 * transaction: up by one only below `cap`, down by one.
 */
export interface LeadTransition {
  before: Lead;
  after: Lead;
  openLeads: OpenLeadMove[];
  event: LeadEvent;
  /** `lead.unlocked`, stored beside `event` when the change lifts a manager's lock (an invalid lead keeps none): whoever follows locks hears of it as of an unlock by hand. */
  unlockedEvent?: LeadEvent;
}

export type OpenLeadMove = { repId: string; change: 1; cap: number } | { repId: string; change: -1 };

/** Why a lifecycle request is refused: its HTTP status, the rule in a word, and the rule in words. */
export interface LifecycleRefusal {
  status: 403 | 409;
  rule: string;
  message: string;
}

export type LifecyclePlan = { refusal: LifecycleRefusal } | { transition: LeadTransition };

/** A request the lead already satisfies (a client's retry of a correction that was written): answered with the lead, nothing written. */
export type UnchangedPlan = { unchanged: true };

/**
 * Statuses of a lead someone works (open leads): the ones counted in their owner's `LOAD` counter.
 * A converted or invalid lead no longer takes up holding capacity.
 */
export const openLeadStatuses: readonly Lead['status'][] = ['assigned', 'contacted', 'qualified'];

/** Managers and admins run every pool: they assign, lock and reactivate. */
export function isManager(principal: Principal): boolean {
  return principal.roles.includes('manager') || principal.roles.includes('admin');
}

/** Managers, admins, and the pool's own admins (公海管理员) may hand its leads out and clean it. */
export function managesPool(principal: Principal, pool: Pick<Pool, 'admins'>): boolean {
  return isManager(principal) || (principal.roles.includes('rep') && pool.admins.includes(principal.id));
}

/** The owner works their lead; managers and admins may act for them. */
export function worksLead(principal: Principal, lead: Pick<Lead, 'ownerId'>): boolean {
  if (isManager(principal)) return true;
  return principal.roles.includes('rep') && lead.ownerId !== undefined && lead.ownerId === principal.id;
}

/**
 * The lead after one change: `set` applied, `remove` taken away, the history entry appended and
 * `updatedAt` moved to the entry's time. A lead is nurtured only while it waits unowned in its pool, so a
 * change that gives it an owner or another status ends its sequence, and the timeline says so (named
 * after the change: `assigned`, `invalidated` …) unless the change itself takes the lead out of its sequence.
 */
export function changedLead(before: Lead, change: { set?: Partial<Lead>; remove?: ReadonlyArray<keyof Lead>; entry: LeadHistoryEntry }): Lead {
  const after: Lead = { ...before, ...change.set, updatedAt: change.entry.at, history: [...before.history, change.entry] };
  for (const field of change.remove ?? []) delete after[field];
  if (after.nurture && (after.ownerId || after.status !== 'in_pool')) {
    after.history.push(nurtureLeftEntry(after.nurture, change.entry.action, change.entry.at, change.entry.by));
    delete after.nurture;
  }
  return after;
}

/** The facts every lifecycle event carries, so reports can credit it without reading the lead (and rules can tell a test lead's). */
export function lifecycleEventFacts(lead: Lead, by: string, eventId: string) {
  return { eventId, leadId: lead.leadId, poolId: lead.poolId, channel: lead.channel, capturedAt: lead.capturedAt, ...(lead.ownerId ? { ownerId: lead.ownerId } : {}), by, ...testLeadMark(lead) };
}

/** The refusal of a step the lead's current state does not allow, naming that state. */
export function illegalTransition(lead: Pick<Lead, 'leadId' | 'status'>, step: string, allowedFrom: readonly string[]): LifecycleRefusal {
  return { status: 409, rule: 'illegal_transition', message: `lead ${lead.leadId} is ${lead.status}; ${step} is allowed only from ${allowedFrom.join(', ')}` };
}

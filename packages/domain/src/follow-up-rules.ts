import './zod-locale';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { Configuration, Pool } from './configuration';
import type { Lead, LeadFollowUpState, LeadHistoryEntry } from './lead';
import { leadEvent, testLeadMark, type LeadEvent } from './lead-events';
import type { Grade } from './lead-scoring';

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

const minutes = z.number().check(z.int(), z.positive());

/**
 * Service levels for a lead's owner (one set for the organisation): the first contact is due within
 * `firstContactMinutes` of the assignment, by the lead's grade (`ungraded` for leads without a score;
 * a grade left out has no first-contact SLA); a promised next step (`nextStepAt`) is due at its time plus
 * `nextStepGraceMinutes`. The owner is reminded `remindBeforeMinutes` before, the managers of the pool's
 * team are told at the breach, and `secondBreach`, when set, acts `afterMinutes` after the first breach.
 */
export const slaRulesSchema = z.strictObject({
  firstContactMinutes: z._default(z.strictObject({ A: z.optional(minutes), B: z.optional(minutes), C: z.optional(minutes), D: z.optional(minutes), ungraded: z.optional(minutes) }), {}),
  remindBeforeMinutes: z._default(z.number().check(z.int(), z.minimum(0)), 10),
  nextStepGraceMinutes: z._default(z.number().check(z.int(), z.minimum(0)), 0),
  secondBreach: z.optional(z.strictObject({ afterMinutes: minutes, action: z.enum(['reassign', 'return_to_pool']) })),
});
export type SlaRules = z.infer<typeof slaRulesSchema>;

/**
 * A pool's recycle rule (回收规则): the owner loses a lead with no follow-up for `noFollowUpDays`, not
 * converted within `notConvertedDays` of its assignment, or without a first contact within
 * `noFirstContactHours` — whichever comes first (`when: "any"`) or once all have come (`"all"`). Never
 * within `protectionDays` of the assignment, never a locked lead, and only after a warning
 * `warnDaysBefore` days ahead. The lead goes back to the pool, or to `toRep` when named (to the pool when
 * `toRep` is the owner who let it lie, is inactive or is at their holding cap).
 */
export const poolRecycleRulesSchema = z
  .strictObject({
    when: z._default(z.enum(['any', 'all']), 'any'),
    noFollowUpDays: z.optional(z.number().check(z.positive())),
    notConvertedDays: z.optional(z.number().check(z.positive())),
    noFirstContactHours: z.optional(z.number().check(z.positive())),
    warnDaysBefore: z._default(z.number().check(z.minimum(0)), 0),
    protectionDays: z._default(z.number().check(z.minimum(0)), 0),
    toRep: z.optional(z.string().check(z.minLength(1))),
  })
  .check(
    z.refine((rules) => rules.noFollowUpDays !== undefined || rules.notConvertedDays !== undefined || rules.noFirstContactHours !== undefined, {
      message: 'a recycle rule needs at least one of noFollowUpDays, notConvertedDays, noFirstContactHours',
    }),
  );
export type PoolRecycleRules = z.infer<typeof poolRecycleRulesSchema>;

const grades = ['A', 'B', 'C', 'D', 'ungraded'] as const;

/** When a recycle rule takes back a lead nobody contacted or worked, in ms after the assignment (before any late warning). */
function earliestRecycleMs(rules: PoolRecycleRules): number {
  const spans = [rules.noFollowUpDays && rules.noFollowUpDays * dayMs, rules.notConvertedDays && rules.notConvertedDays * dayMs, rules.noFirstContactHours && rules.noFirstContactHours * hourMs].filter(
    (span) => span !== undefined,
  );
  return Math.max(rules.when === 'any' ? Math.min(...spans) : Math.max(...spans), rules.protectionDays * dayMs);
}

/**
 * Follow-up times that contradict each other, so a step would come at the wrong moment or never: a recycle
 * warning due before the assignment (sent at once, putting the recycle off), and a recycle that takes a lead
 * before its first-contact SLA is due (its owner is never reminded of it, nor its managers told of the breach).
 * A reminder due before the assignment (`remindBeforeMinutes` not below a grade's SLA) is allowed: it goes out
 * at once, and the setting also times next-step reminders, which may well want more notice.
 */
export function checkFollowUpTimings(config: Pick<Configuration, 'sla' | 'pools'>, ctx: z.core.$RefinementCtx): void {
  const { sla } = config;
  const firstContact = grades.flatMap((grade) => (sla?.firstContactMinutes[grade] === undefined ? [] : [{ grade, minutes: sla.firstContactMinutes[grade] }]));
  config.pools.forEach((pool, index) => {
    const rules = pool.recycle;
    if (!rules) return;
    const recycleMs = earliestRecycleMs(rules);
    const after = `${recycleMs / hourMs} hours`;
    if (rules.warnDaysBefore > 0 && rules.warnDaysBefore * dayMs >= recycleMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['pools', index, 'recycle', 'warnDaysBefore'],
        message: `must be less than the ${after} after which the rule recycles a lead: the warning would go out as the lead is assigned and put the recycle off`,
      });
    }
    const early = firstContact.filter(({ minutes }) => recycleMs < minutes * minuteMs);
    if (early.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['pools', index, 'recycle'],
        message: `recycles a lead nobody contacted after ${after}, before its first-contact SLA falls due (sla.firstContactMinutes ${early.map(({ grade, minutes }) => `${grade}: ${minutes}`).join(', ')}): its owner would never be reminded nor its managers told of the breach`,
      });
    }
  });
}

/** Statuses in which an owner is working the lead; only these have SLAs and can be recycled. */
const workedStatuses: readonly Lead['status'][] = ['assigned', 'contacted', 'qualified'];

interface SlaObligation {
  sla: 'first_contact' | 'next_step';
  key: string;
  /** The key this obligation had before keys named the assignment: state recorded under it still counts (see `recordedFor`). */
  legacyKey?: string;
  dueAt: number;
}

/**
 * The assignment an obligation belongs to, as its keys name it: its owner and when they got the lead. A
 * promised time or a recycle time can come round again under another owner (a transfer, a release and a
 * claim), and the key must not make that a step already taken.
 */
function assignmentTag(ownerId: string, assignedAt: string): string {
  return `${ownerId}@${assignedAt}`;
}

/**
 * Whether follow-up state recorded under `recordedKey` is for the obligation `key`. Leads filed before keys
 * named the assignment carry the old key (`legacyKey`); every change of owner clears `followUp`, so such a
 * state is the current owner's and still counts: a reminder already sent is not sent again after a deploy.
 */
function recordedFor(recordedKey: string | undefined, key: string, legacyKey: string | undefined): boolean {
  return recordedKey !== undefined && (recordedKey === key || recordedKey === legacyKey);
}

/**
 * When the person was last reached: `lastContactAt`. A lead contacted before that was kept (2026-11-30) has
 * only its first contact and `lastActivityAt`, which counted notes too; it keeps that reading, rather than
 * have its later calls forgotten and be breached or recycled for work its owner did.
 */
function lastContactOf(lead: Pick<Lead, 'firstContactAt' | 'lastContactAt' | 'lastActivityAt'>): string | undefined {
  if (lead.lastContactAt || !lead.firstContactAt) return lead.lastContactAt;
  return lead.lastActivityAt && lead.lastActivityAt > lead.firstContactAt ? lead.lastActivityAt : lead.firstContactAt;
}

/**
 * Whether the lead has been contacted since `assignedAt`, its assignment to the current owner: a contact
 * made under an earlier owner (before a release and a claim, or a recycle) is not the new owner's. Leads
 * stored before `lastContactAt` existed have only their first contact to go by.
 */
function contactedSince(lead: Pick<Lead, 'firstContactAt' | 'lastContactAt'>, assignedAt: string): boolean {
  const contactedAt = lead.lastContactAt ?? lead.firstContactAt;
  return contactedAt !== undefined && contactedAt >= assignedAt;
}

/**
 * The SLA the owner must meet next: the first contact while there has been none (when the lead's grade has
 * a first-contact SLA), else the promised next step.
 */
function slaObligation(lead: Lead, sla: SlaRules): SlaObligation | undefined {
  const { ownerId, assignment } = lead;
  if (!ownerId || !assignment || !workedStatuses.includes(lead.status)) return undefined;
  if (lead.status === 'assigned' && !contactedSince(lead, assignment.assignedAt)) {
    const grade: Grade | 'ungraded' = lead.score?.grade ?? 'ungraded';
    const allowed = sla.firstContactMinutes[grade];
    // The assignment's own instant already names it: this key never needed another form.
    if (allowed !== undefined) return { sla: 'first_contact', key: `first_contact@${assignment.assignedAt}`, dueAt: Date.parse(assignment.assignedAt) + allowed * minuteMs };
  }
  // A contact at or after the promised time kept the promise; a note is written for the team and reaches nobody.
  const lastContactAt = lastContactOf(lead);
  if (lead.nextStepAt && !(lastContactAt && lastContactAt >= lead.nextStepAt)) {
    const legacyKey = `next_step@${lead.nextStepAt}`;
    return { sla: 'next_step', key: `${legacyKey}/${assignmentTag(ownerId, assignment.assignedAt)}`, legacyKey, dueAt: Date.parse(lead.nextStepAt) + sla.nextStepGraceMinutes * minuteMs };
  }
  return undefined;
}

interface SlaSteps {
  obligation: SlaObligation;
  remindAt?: number;
  secondBreachAt?: number;
  reminded: boolean;
  breaches: number;
}

function slaSteps(lead: Lead, sla: SlaRules): SlaSteps | undefined {
  const obligation = slaObligation(lead, sla);
  if (!obligation) return undefined;
  const state = recordedFor(lead.followUp?.slaKey, obligation.key, obligation.legacyKey) ? lead.followUp : undefined;
  return {
    obligation,
    remindAt: sla.remindBeforeMinutes > 0 ? obligation.dueAt - sla.remindBeforeMinutes * minuteMs : undefined,
    secondBreachAt: sla.secondBreach ? obligation.dueAt + sla.secondBreach.afterMinutes * minuteMs : undefined,
    reminded: state?.remindedAt !== undefined,
    breaches: state?.breaches ?? 0,
  };
}

/** The next instant an SLA step is due: the reminder, the breach, then the second breach. */
function nextSlaStep(steps: SlaSteps): number | undefined {
  if (steps.breaches === 0) return steps.remindAt !== undefined && !steps.reminded ? Math.min(steps.remindAt, steps.obligation.dueAt) : steps.obligation.dueAt;
  if (steps.breaches === 1) return steps.secondBreachAt;
  return undefined;
}

interface RecycleSchedule {
  /** When the rule takes the lead back, before any postponement for a late warning. */
  at: number;
  /** The recycle time and the assignment it is for (`<at>/<owner>@<assignedAt>`). */
  key: string;
  /** The key before it named the assignment: the recycle time alone. */
  legacyKey: string;
  rule: string;
  warnAt?: number;
  /** The warning for this recycle time, if it went out. */
  warnedAt?: number;
}

/** When the pool's recycle rule takes the lead back, or `undefined` when it never will as things stand. */
function recycleSchedule(lead: Lead, rules: PoolRecycleRules | undefined): RecycleSchedule | undefined {
  if (!rules || !lead.ownerId || !lead.assignment || lead.lock || !workedStatuses.includes(lead.status)) return undefined;
  const assignedAt = Date.parse(lead.assignment.assignedAt);
  const conditions: Array<{ at: number; words: string }> = [];
  if (rules.noFollowUpDays !== undefined) {
    // A follow-up is a contact (a note reaches nobody); those under an earlier owner do not count for this one.
    const lastContactAt = lastContactOf(lead);
    const lastWork = Math.max(assignedAt, lastContactAt ? Date.parse(lastContactAt) : 0);
    conditions.push({ at: lastWork + rules.noFollowUpDays * dayMs, words: `no follow-up for ${rules.noFollowUpDays} days` });
  }
  if (rules.notConvertedDays !== undefined) conditions.push({ at: assignedAt + rules.notConvertedDays * dayMs, words: `not converted within ${rules.notConvertedDays} days` });
  if (rules.noFirstContactHours !== undefined) {
    const contacted = lead.status !== 'assigned' || contactedSince(lead, lead.assignment.assignedAt);
    conditions.push({ at: contacted ? Infinity : assignedAt + rules.noFirstContactHours * hourMs, words: `no first contact within ${rules.noFirstContactHours} hours` });
  }
  const reachable = conditions.filter((condition) => Number.isFinite(condition.at));
  if (reachable.length === 0 || (rules.when === 'all' && reachable.length < conditions.length)) return undefined;
  const deciding = rules.when === 'any' ? reachable.reduce((first, next) => (next.at < first.at ? next : first)) : reachable.reduce((last, next) => (next.at > last.at ? next : last));
  const at = Math.max(deciding.at, assignedAt + rules.protectionDays * dayMs);
  const rule = rules.when === 'all' ? conditions.map((condition) => condition.words).join(' and ') : deciding.words;
  const legacyKey = new Date(at).toISOString();
  const key = `${legacyKey}/${assignmentTag(lead.ownerId, lead.assignment.assignedAt)}`;
  const warned = recordedFor(lead.followUp?.recycleKey, key, legacyKey) && lead.followUp?.recycleWarnedAt ? Date.parse(lead.followUp.recycleWarnedAt) : undefined;
  return { at, key, legacyKey, rule, warnAt: rules.warnDaysBefore > 0 ? at - rules.warnDaysBefore * dayMs : undefined, warnedAt: warned };
}

/** The recycle time once the warning is taken into account: never sooner than `warnDaysBefore` after the warning went out. */
function recycleDueAt(schedule: RecycleSchedule, rules: PoolRecycleRules): number | undefined {
  if (schedule.warnAt === undefined) return schedule.at;
  if (schedule.warnedAt === undefined) return undefined;
  return Math.max(schedule.at, schedule.warnedAt + rules.warnDaysBefore * dayMs);
}

/** The rules that apply to a lead: the organisation's SLAs and its pool's recycle rule. */
export interface FollowUpRules {
  sla?: SlaRules;
  pool?: Pick<Pool, 'id' | 'members' | 'recycle'>;
  /** Reps the configuration marks inactive: a recycle rule's `toRep` among them gets no lead, the pool does. */
  inactiveReps?: readonly string[];
}

export function followUpRulesFor(config: Pick<Configuration, 'sla' | 'pools' | 'reps'>, lead: Pick<Lead, 'poolId'>): FollowUpRules {
  const inactiveReps = config.reps.filter((rep) => !rep.active).map((rep) => rep.id);
  return { sla: config.sla, pool: config.pools.find((pool) => pool.id === lead.poolId), inactiveReps };
}

/**
 * The edition of `nextFollowUpCheck`'s own reading of the rules: raised whenever a change to it moves due
 * times already filed, so that a deployment of it re-files them as a change of the rules would.
 * 2: a grade without a first-contact SLA is held to a next step promised before a contact.
 */
const followUpCheckEdition = 2;

/**
 * What the due times `nextFollowUpCheck` files depend on, as a short hash: the SLA, each pool's recycle
 * rule and `followUpCheckEdition`. When a deployment changes it, leads filed under the old ones are filed
 * again (see `refileFollowUpChecks`); a change to anything else (reps, routes) leaves it as it was.
 */
export function followUpRulesVersion(config: Pick<Configuration, 'sla' | 'pools'>): string {
  const recycle = [...config.pools].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((pool) => [pool.id, pool.recycle ?? null]);
  return createHash('sha256')
    .update(JSON.stringify({ edition: followUpCheckEdition, sla: config.sla ?? null, recycle }))
    .digest('hex')
    .slice(0, 16);
}

/**
 * The next instant any follow-up rule must look at the lead (a reminder, a breach, a recycle warning,
 * a recycle), or `undefined` when none ever will as the lead stands. The job reads leads by this time.
 */
export function nextFollowUpCheck(lead: Lead, rules: FollowUpRules): string | undefined {
  const times: number[] = [];
  const steps = rules.sla && slaSteps(lead, rules.sla);
  const slaAt = steps && nextSlaStep(steps);
  if (slaAt !== undefined) times.push(slaAt);
  const recycle = recycleSchedule(lead, rules.pool?.recycle);
  if (recycle && rules.pool?.recycle) times.push(recycle.warnAt !== undefined && recycle.warnedAt === undefined ? recycle.warnAt : (recycleDueAt(recycle, rules.pool.recycle) ?? recycle.at));
  return times.length ? new Date(Math.min(...times)).toISOString() : undefined;
}

/**
 * Whether the reminder that went out at `remindedAt` is of the obligation the lead has now: its `followUp` records it under
 * that obligation's key. A contact made, a new next step or a new owner since is another obligation, with nothing yet to remind of.
 */
export function isCurrentReminder(lead: Lead, sla: SlaRules | undefined, remindedAt: string): boolean {
  const obligation = sla && slaObligation(lead, sla);
  return obligation !== undefined && recordedFor(lead.followUp?.slaKey, obligation.key, obligation.legacyKey) && lead.followUp?.remindedAt === remindedAt;
}

/**
 * Whether the recycle warning that went out at `warnedAt` still stands: the lead's `followUp` records it for the recycle its
 * pool's rule sets now. A follow-up that moved the recycle time, a lock, a status no longer worked or a new owner since voids it.
 */
export function isCurrentRecycleWarning(lead: Lead, recycle: PoolRecycleRules | undefined, warnedAt: string): boolean {
  return recycleSchedule(lead, recycle)?.warnedAt !== undefined && lead.followUp?.recycleWarnedAt === warnedAt;
}

/** Where a lead taken from its owner goes: its pool (with the previous-owner cooldown) or a named rep. */
export type FollowUpMove = { to: 'pool' } | { to: 'rep'; repId: string };

/** Everything one run of the job does to one lead, written in one transaction conditional on the lead as read. */
export interface FollowUpPlan {
  /** The lead as it is after the plan (its new state, history, owner). */
  lead: Lead;
  historyEntries: LeadHistoryEntry[];
  events: LeadEvent[];
  /** Set when the lead leaves its owner. */
  move?: FollowUpMove & { previousOwnerId: string };
  nextCheckAt?: string;
}

/**
 * Decides what is due on a lead at `now`: the owner's reminder (only before the breach), the breach
 * (the managers are told through `lead.sla_breached`), the second breach and its action, the recycle
 * warning and the recycle itself. Every step is recorded in `followUp`, so deciding again at the same
 * `now` from the plan's lead finds nothing. `undefined` when nothing is due. `reassignTo` is the rep a
 * second breach's `reassign` hands the lead to (the caller picks them by the pool's order); without one
 * the lead goes back to the pool. `repAtCapacity`: the rep a move would hand the lead to is at their
 * holding cap, so the lead goes back to the pool instead.
 */
export function planFollowUps(input: { lead: Lead; rules: FollowUpRules; now: Date; reassignTo?: string; repAtCapacity?: boolean }): FollowUpPlan | undefined {
  const { lead, rules, now } = input;
  const nowMs = now.getTime();
  const at = now.toISOString();
  const ownerId = lead.ownerId;
  if (!ownerId) return undefined;
  const reassignTo = input.repAtCapacity ? undefined : input.reassignTo;
  const facts = { leadId: lead.leadId, poolId: lead.poolId, channel: lead.channel, capturedAt: lead.capturedAt, ownerId, by: 'system', ...testLeadMark(lead) };
  const history: LeadHistoryEntry[] = [];
  const events: LeadEvent[] = [];
  const state: LeadFollowUpState = { ...lead.followUp };
  let move: FollowUpPlan['move'];

  const steps = rules.sla && slaSteps(lead, rules.sla);
  if (rules.sla && steps) {
    const { obligation } = steps;
    const dueAt = new Date(obligation.dueAt).toISOString();
    const what = obligation.sla === 'first_contact' ? 'first contact' : 'next step';
    // State under the obligation's old key is kept, and filed under the new one.
    Object.assign(state, recordedFor(state.slaKey, obligation.key, obligation.legacyKey) ? { slaKey: obligation.key } : { slaKey: obligation.key, remindedAt: undefined, breaches: 0 });
    if (!steps.reminded && steps.breaches === 0 && steps.remindAt !== undefined && nowMs >= steps.remindAt && nowMs < obligation.dueAt) {
      state.remindedAt = at;
      history.push({ at, action: 'reminded', by: 'system', detail: `${ownerId} reminded: ${what} due at ${dueAt}` });
      events.push(leadEvent('lead.reminded', { ...facts, eventId: stepEventId(lead, 'reminded', obligation.key, at), sla: obligation.sla, dueAt, remindedAt: at }, at));
    }
    const breachTimes = [obligation.dueAt, steps.secondBreachAt];
    for (let breach = steps.breaches + 1; breach <= 2; breach += 1) {
      const breachAt = breachTimes[breach - 1];
      if (breachAt === undefined || nowMs < breachAt) break;
      state.breaches = breach;
      // A locked lead stays with its owner whatever the second breach's action.
      const action = breach === 2 && !lead.lock ? rules.sla.secondBreach?.action : undefined;
      const outcome = action === 'reassign' && reassignTo ? `; reassigned to ${reassignTo}` : action ? '; returned to the pool' : lead.lock && breach === 2 ? '; managers told (locked: not taken)' : '; managers told';
      history.push({ at, action: 'escalated', by: 'system', detail: `${what} SLA breached (breach ${breach}, due at ${dueAt})${outcome}` });
      events.push(leadEvent('lead.sla_breached', { ...facts, eventId: stepEventId(lead, `sla_breached:${breach}`, obligation.key, at), sla: obligation.sla, dueAt, breach, breachedAt: at }, at));
      if (action) move = action === 'reassign' && reassignTo ? { to: 'rep', repId: reassignTo, previousOwnerId: ownerId } : { to: 'pool', previousOwnerId: ownerId };
    }
  }

  const recycleRules = rules.pool?.recycle;
  const recycle = recycleSchedule(lead, recycleRules);
  let recycleRule: string | undefined;
  if (recycleRules && recycle) {
    // A lead a second breach takes from its owner in this plan is no longer theirs to save: no recycle warning.
    if (!move && recycle.warnAt !== undefined && recycle.warnedAt === undefined && nowMs >= recycle.warnAt) {
      Object.assign(state, { recycleKey: recycle.key, recycleWarnedAt: at });
      const recycleAt = new Date(Math.max(recycle.at, nowMs + recycleRules.warnDaysBefore * dayMs)).toISOString();
      history.push({ at, action: 'recycle_warned', by: 'system', detail: `${ownerId} warned: pool ${lead.poolId} recycles the lead at ${recycleAt} (${recycle.rule})` });
      events.push(leadEvent('lead.recycle_warned', { ...facts, eventId: stepEventId(lead, 'recycle_warned', recycle.key, at), rule: recycle.rule, recycleAt, warnedAt: at }, at));
    } else {
      const dueAt = recycleDueAt(recycle, recycleRules);
      if (dueAt !== undefined && nowMs >= dueAt) {
        recycleRule = recycle.rule;
        // The pool's own rule decides where the lead goes, whatever a breach in the same run would have done;
        // a lead its `toRep` already holds and does not work goes to the pool, as does one for a `toRep` no longer active.
        const toRep = recycleRules.toRep;
        move = toRep && toRep !== ownerId && !rules.inactiveReps?.includes(toRep) ? { to: 'rep', repId: toRep, previousOwnerId: ownerId } : { to: 'pool', previousOwnerId: ownerId };
      }
    }
  }

  if (move?.to === 'rep' && input.repAtCapacity) move = { to: 'pool', previousOwnerId: ownerId };
  if (move) {
    const trigger = recycleRule ? 'recycle_rule' : 'second_sla_breach';
    const rule = recycleRule ? `pool ${lead.poolId}: ${recycleRule}` : `second breach of the ${state.slaKey?.split('@')[0].replace('_', ' ')} SLA`;
    const toWords = move.to === 'rep' ? `to ${move.repId}` : `to pool ${lead.poolId}`;
    history.push({ at, action: 'recycled', by: 'system', detail: `recycled from ${ownerId} ${toWords} (${rule})` });
    const newOwner = move.to === 'rep' ? move.repId : undefined;
    events.push(leadEvent('lead.recycled', { ...facts, ownerId: newOwner, eventId: `${lead.leadId}:recycled:${at}`, previousOwnerId: ownerId, trigger, rule, to: move.to, recycledAt: at }, at));
    if (move.to === 'rep') {
      events.push(
        leadEvent(
          'lead.assigned',
          {
            eventId: `${lead.leadId}:assigned:${at}`,
            leadId: lead.leadId,
            ...testLeadMark(lead),
            ownerId: move.repId,
            poolId: lead.poolId,
            rule: 'recycle',
            assignedAt: at,
            by: 'system',
            previousOwnerId: ownerId,
            explanation: rule,
          },
          at,
        ),
      );
    }
  }

  if (history.length === 0) return undefined;
  const after = movedLead({ ...lead, followUp: move ? undefined : state, history: [...lead.history, ...history], updatedAt: at }, move, at);
  return { lead: after, historyEntries: history, events, move, nextCheckAt: nextFollowUpCheck(after, rules) };
}

/**
 * The id of a reminder, breach or warning event: the step, the obligation's key and the run's instant. The
 * key alone can come round again for a step not taken, once the state that recorded it was replaced (a step
 * moved to another time and back, a grade that loses its first-contact SLA and gets it back, a rule changed
 * and changed back); an id already in the outbox would then stop the step for good. The lead's state, written
 * in the same transaction, is what keeps a step from being taken twice; the id only has to be unique.
 */
function stepEventId(lead: Pick<Lead, 'leadId'>, step: string, key: string, at: string): string {
  return `${lead.leadId}:${step}:${key}:${at}`;
}

/** The lead after leaving its owner: unowned in its pool, or assigned to a rep, with the previous owner kept for the cooldown. */
function movedLead(lead: Lead, move: FollowUpMove | undefined, at: string): Lead {
  if (!move) return lead;
  const { ownerId, assignment: _assignment, nextStepAt: _nextStepAt, ...rest } = lead;
  const kept = { ...rest, previousOwnerId: ownerId, releasedAt: at };
  if (move.to === 'pool') return { ...kept, status: 'in_pool' };
  return { ...kept, status: 'assigned', ownerId: move.repId, assignment: { rule: 'recycle', poolId: lead.poolId, assignedAt: at } };
}

/**
 * The rep a second breach's `reassign` hands the lead to: the next active member of the pool after the
 * owner, in the pool's order, or `undefined` when there is nobody else (the lead goes back to the pool).
 */
export function reassignmentCandidate(pool: Pick<Pool, 'members'>, ownerId: string, isActive: (repId: string) => boolean): string | undefined {
  const start = pool.members.indexOf(ownerId);
  for (let step = 1; step <= pool.members.length; step += 1) {
    const candidate = pool.members[(start + step + pool.members.length) % pool.members.length];
    if (candidate !== ownerId && isActive(candidate)) return candidate;
  }
  return undefined;
}

import './zod-locale';
import * as z from 'zod/mini';
import type { Principal } from './access-policy';
import { humanTextSchema } from './human-text';
import type { Pool, Rep } from './configuration';
import type { Lead, LeadHistoryEntry } from './lead';
import { leadEvent, testLeadMark } from './lead-events';
import { leadFullRefusal } from './lead-size';
import { holdingCapOf, isPoolMember } from './pool-claim';
import { changedLead, illegalTransition, isManager, lifecycleEventFacts, managesPool, openLeadStatuses, type LifecyclePlan } from './lead-transition';

/** The body of `POST /leads/{leadId}/assign`: the rep who gets the lead, and why. */
export const assignBodySchema = z.strictObject({ repId: z.string().check(z.minLength(1)), reason: z.optional(humanTextSchema(500)) });

/** The assign body as a request is checked: a `repId` no rep of the configuration has is a mistake in the request (`400`), not a conflict. */
export const assignBodyFor = (reps: readonly Pick<Rep, 'id'>[]) =>
  assignBodySchema.check(z.refine((body) => body.repId === '' || reps.some((rep) => rep.id === body.repId), { path: ['repId'], message: 'is not a rep of the configuration' }));

/** The optional body of `POST /leads/{leadId}/lock` and `/unlock`: why. */
export const lockBodySchema = z.strictObject({ reason: z.optional(humanTextSchema(500)) });

/** Statuses a manager may hand out, lock or unlock: waiting in the pool, or worked by someone (a lock needs an owner too, see `planLockChange`). */
const assignableStatuses: readonly Lead['status'][] = ['in_pool', ...openLeadStatuses];

/**
 * A manager or pool admin gives a lead to a member of its pool (分配): an unowned lead waiting in the pool
 * becomes `assigned`; an owned one is transferred and keeps its status and timeline. As on a release, the
 * next step the previous owner promised and what the SLA rules did about it go with them: the new owner
 * answers for their own promises only. The new owner's open-lead counter goes up under the same holding
 * cap a claim meets (the smaller of their `capacity` and the pool's `claim.holdingCap`), the previous owner's goes down.
 * The new owner must be `active`; out of office or outside working hours they may still be given a lead by hand.
 * A transfer keeps a manager's lock; a lock an earlier version let a manager put on a lead waiting unowned is
 * lifted as the lead is assigned (named on the timeline, `lead.unlocked` beside `lead.assigned`), as a claim lifts it.
 * A transfer of a lead past `repeatableStepsLimitBytes` is refused (`409 lead_full`); assigning a waiting one is not.
 */
export function planManualAssignment(input: { lead: Lead; pool: Pool; principal: Principal; target: Rep | undefined; repId: string; reason?: string; now: Date; eventId: string }): LifecyclePlan {
  const { lead, pool, principal, target } = input;
  if (!managesPool(principal, pool)) return { refusal: { status: 403, rule: 'not_pool_manager', message: `only managers and admins of pool ${pool.id} may assign its leads` } };
  if (!assignableStatuses.includes(lead.status)) return { refusal: illegalTransition(lead, 'assign', assignableStatuses) };
  if (!target || !isPoolMember(pool, target.id)) return { refusal: { status: 409, rule: 'target_not_member', message: `repId ${input.repId} is not a member of pool ${pool.id}` } };
  // A rep marked inactive has left or is leaving: routing and SLA reassignment pass them by, and a manager may not hand them leads either.
  if (!target.active) return { refusal: { status: 409, rule: 'target_inactive', message: `repId ${target.id} is inactive (active: false in the configuration)` } };
  if (lead.ownerId === target.id) return { refusal: { status: 409, rule: 'already_owner', message: `lead ${lead.leadId} is already owned by ${target.id}` } };
  const previousOwnerId = lead.ownerId;
  // A transfer can be asked again and again; handing out a lead waiting unowned happens once a cycle, so it keeps the room left above the limit.
  const full = previousOwnerId ? leadFullRefusal(lead, 'transferring') : undefined;
  if (full) return { refusal: full };
  const at = input.now.toISOString();
  const why = input.reason ? `: ${input.reason}` : '';
  const explanation = previousOwnerId ? `transferred from ${previousOwnerId} to ${target.id} by ${principal.id}${why}` : `assigned to ${target.id} from pool ${pool.id} by ${principal.id}${why}`;
  // A lock keeps a lead with its owner: one left on a lead waiting with none (by an earlier version) is nobody's, and would exempt the new owner from recycling.
  const liftedLock = !previousOwnerId ? lead.lock : undefined;
  const after = changedLead(lead, {
    set: { ownerId: target.id, assignment: { rule: 'manual', poolId: pool.id, assignedAt: at }, status: previousOwnerId ? lead.status : 'assigned' },
    remove: ['nextStepAt', 'followUp', ...(liftedLock ? (['lock'] as const) : [])],
    entry: { at, action: previousOwnerId ? 'transferred' : 'assigned', by: principal.id, detail: `${explanation}${liftedLock ? `; the lock ${liftedLock.by} put on it is lifted` : ''}` },
  });
  const cap = holdingCapOf(target, pool);
  return {
    transition: {
      before: lead,
      after,
      openLeads: [{ repId: target.id, change: 1, cap }, ...(previousOwnerId ? [{ repId: previousOwnerId, change: -1 as const }] : [])],
      // Told of the lead as the assignment leaves it, with its new owner: a consumer applying it after `lead.assigned` must not take the lead away.
      ...(liftedLock ? { unlockedEvent: leadEvent('lead.unlocked', { ...lifecycleEventFacts(after, principal.id, `${input.eventId}.unlocked`), reason: explanation, changedAt: at }, at) } : {}),
      event: leadEvent(
        'lead.assigned',
        {
          eventId: input.eventId,
          leadId: lead.leadId,
          ...testLeadMark(lead),
          ownerId: target.id,
          poolId: pool.id,
          rule: 'manual',
          assignedAt: at,
          by: principal.id,
          ...(previousOwnerId ? { previousOwnerId } : {}),
          explanation,
        },
        at,
      ),
    },
  };
}

/**
 * The lead without its lock, and without the recycle warning sent before it: the owner is owed a fresh
 * warning, `warnDaysBefore` ahead. A warning from before a long lock would let the first follow-up run after
 * the unlock recycle the lead at once.
 */
function unlockedLead(lead: Lead, entry: LeadHistoryEntry): Lead {
  const { recycleKey, recycleWarnedAt, ...followUp } = lead.followUp ?? {};
  const warned = recycleKey !== undefined || recycleWarnedAt !== undefined;
  if (!warned) return changedLead(lead, { remove: ['lock'], entry });
  return Object.keys(followUp).length > 0 ? changedLead(lead, { set: { followUp }, remove: ['lock'], entry }) : changedLead(lead, { remove: ['lock', 'followUp'], entry });
}

/**
 * A manager locks a lead (锁定): a locked lead is never recycled. The lock keeps the lead with its owner, so a
 * lead with none (waiting in its pool) cannot be locked: the lock would bind whoever claims it next. Unlocking
 * takes the lock away, on a waiting lead too (one an earlier version let a manager lock). Both can repeat without
 * end, so neither is taken on a lead past `repeatableStepsLimitBytes` (`409 lead_full`).
 */
export function planLockChange(input: { lead: Lead; principal: Principal; lock: boolean; reason?: string; now: Date; eventId: string }): LifecyclePlan {
  const { lead, principal } = input;
  const step = input.lock ? 'lock' : 'unlock';
  if (!isManager(principal)) return { refusal: { status: 403, rule: 'not_manager', message: `only managers and admins may ${step} leads` } };
  if (!assignableStatuses.includes(lead.status)) return { refusal: illegalTransition(lead, step, assignableStatuses) };
  if (input.lock && !lead.ownerId) return { refusal: { status: 409, rule: 'not_owned', message: `a lock keeps a lead with its owner; lead ${lead.leadId} has none` } };
  if (input.lock && lead.lock) return { refusal: { status: 409, rule: 'already_locked', message: `lead ${lead.leadId} is already locked by ${lead.lock.by} since ${lead.lock.at}` } };
  if (!input.lock && !lead.lock) return { refusal: { status: 409, rule: 'not_locked', message: `lead ${lead.leadId} is not locked` } };
  const full = leadFullRefusal(lead, input.lock ? 'locking' : 'unlocking');
  if (full) return { refusal: full };
  const at = input.now.toISOString();
  const reason = input.reason ? { reason: input.reason } : {};
  const entry = { at, action: input.lock ? ('locked' as const) : ('unlocked' as const), by: principal.id, ...(input.reason ? { detail: input.reason } : {}) };
  const after = input.lock ? changedLead(lead, { set: { lock: { by: principal.id, at, ...reason } }, entry }) : unlockedLead(lead, entry);
  return {
    transition: {
      before: lead,
      after,
      openLeads: [],
      event: leadEvent(input.lock ? 'lead.locked' : 'lead.unlocked', { ...lifecycleEventFacts(lead, principal.id, input.eventId), ...reason, changedAt: at }, at),
    },
  };
}

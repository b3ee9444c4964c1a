import { describe, expect, it } from 'vitest';
import {
  activityBodySchema,
  conversionBodySchema,
  erasePersonFromLead,
  leadEventDetailSchemas,
  planAcceptance,
  planActivity,
  planClaim,
  planConversion,
  planFollowUps,
  planLockChange,
  planManualAssignment,
  planRelease,
  planStatusChange,
  planTagChange,
  poolRecycleRulesSchema,
  slaRulesSchema,
  statusBodySchema,
  type FollowUpRules,
  type Lead,
  type LeadEvent,
  type LifecyclePlan,
} from '@leadflow/domain';
import { config, nurture, rep, now, ava, maya } from '../../support/lifecycle-fixtures';
import { webFormIntake } from '../../support/intakes';

function lead(isTest: boolean, overrides: Partial<Lead> = {}): Lead {
  return { ...webFormIntake(config, { leadId: 'lead-1' }).lead, isTest, poolId: 'nurture', status: 'assigned', ownerId: 'rep-ava', ...overrides };
}

function eventOf(plan: LifecyclePlan): LeadEvent {
  if ('refusal' in plan) throw new Error(`refused: ${plan.refusal.message}`);
  return plan.transition.event;
}

/** One event of each kind a lead's lifecycle publishes after capture: by hand, from a link, or by the follow-up rules. */
function lifecycleEvents(isTest: boolean): LeadEvent[] {
  const owned = lead(isTest);
  const pooled = lead(isTest, { status: 'in_pool', ownerId: undefined });
  const claim = planClaim({ lead: pooled, pool: nurture, rep: rep('rep-ava'), timeZone: 'Asia/Shanghai', now, eventId: 'claim-1' });
  const release = planRelease({ lead: owned, pool: nurture, repId: 'rep-ava', reason: nurture.releaseReasons[0], now, eventId: 'release-1' });
  const sla = slaRulesSchema.parse({ firstContactMinutes: { B: 240 }, remindBeforeMinutes: 30, secondBreach: { afterMinutes: 60, action: 'reassign' } });
  const rules: FollowUpRules = { sla, pool: { id: 'nurture', members: ['rep-ava', 'rep-ben'], recycle: poolRecycleRulesSchema.parse({ noFollowUpDays: 30 }) } };
  const assignedAt = '2026-03-02T10:00:00.000Z';
  const hours = (count: number) => new Date(Date.parse(assignedAt) + count * 3_600_000);
  let followed: Lead = { ...owned, assignment: { rule: 'round_robin', poolId: 'nurture', assignedAt }, score: { ...owned.score!, grade: 'B' } };
  const followUps: LeadEvent[] = [];
  for (const at of [3.5, 4, 5]) {
    const plan = planFollowUps({ lead: followed, rules, now: hours(at), reassignTo: 'rep-ben' });
    if (!plan) continue;
    followed = plan.lead;
    followUps.push(...plan.events);
  }
  return [
    eventOf(planManualAssignment({ lead: pooled, pool: nurture, principal: maya, target: rep('rep-ben'), repId: 'rep-ben', now, eventId: 'assign-1' })),
    eventOf(planStatusChange({ lead: owned, pool: nurture, principal: ava, body: statusBodySchema(nurture).parse({ status: 'contacted' }), now, eventId: 'status-1' })),
    eventOf(planActivity({ lead: owned, principal: ava, activity: activityBodySchema(now).parse({ kind: 'call' }), now, eventId: 'activity-1' })),
    eventOf(
      planConversion({
        lead: { ...owned, status: 'qualified' },
        principal: ava,
        conversion: conversionBodySchema(now).parse({ revenue: 1200, currency: 'USD', wonAt: '2026-03-02T11:00:00Z' }),
        now,
        eventId: 'convert-1',
      }),
    ),
    eventOf(planLockChange({ lead: owned, principal: maya, lock: true, now, eventId: 'lock-1' })),
    eventOf(planTagChange({ lead: owned, principal: maya, tag: 'vip', add: true, tags: config.tags, now, eventId: 'tag-1' })),
    ...('claim' in claim ? [claim.claim.event] : []),
    ...('release' in release ? [release.release.event] : []),
    planAcceptance({ lead: owned, repId: 'rep-ava', now, eventId: 'accept-1' }).event,
    ...followUps,
    webFormIntake(config, { leadId: 'lead-1' }).touch(owned, []).events[0],
    erasePersonFromLead(owned, { at: now.toISOString(), eventId: 'erase-1' })!.event,
  ];
}

describe('events of a platform test lead', () => {
  it('every lifecycle event of a test lead says isTest: true, and a real lead’s leaves it out', () => {
    const tested = lifecycleEvents(true);
    expect(tested.map((event) => event.type)).toEqual([
      'lead.assigned',
      'lead.status_changed',
      'lead.activity_logged',
      'lead.converted',
      'lead.locked',
      'lead.tagged',
      'lead.claimed',
      'lead.released',
      'lead.accepted',
      'lead.reminded',
      'lead.sla_breached',
      'lead.sla_breached',
      'lead.recycled',
      'lead.assigned',
      'lead.touched',
      'lead.erased',
    ]);
    for (const event of tested) expect({ type: event.type, isTest: (event.detail as { isTest?: boolean }).isTest }).toEqual({ type: event.type, isTest: true });
    for (const event of lifecycleEvents(false)) expect(Object.hasOwn(event.detail, 'isTest')).toBe(false);
  });

  it('lets every event about a lead carry the mark, so no builder can be refused it', () => {
    const aboutALead = Object.entries(leadEventDetailSchemas).filter(([, schema]) => 'leadId' in schema.shape);
    expect(aboutALead.map(([type]) => type)).toHaveLength(Object.keys(leadEventDetailSchemas).length - 1);
    for (const [type, schema] of aboutALead) expect({ type, isTest: 'isTest' in schema.shape }).toEqual({ type, isTest: true });
  });
});

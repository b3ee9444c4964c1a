import { describe, expect, it } from 'vitest';
import {
  activityBodySchema,
  agendaKey,
  conversionBodySchema,
  myLeadsFilter,
  myLeadsQuerySchema,
  planActivity,
  planConversion,
  planFollowUps,
  planLockChange,
  planManualAssignment,
  planStatusChange,
  poolListingFilter,
  poolListingQuerySchema,
  slaRulesSchema,
  statusBodySchema,
  type Lead,
  type LifecyclePlan,
  type Principal,
} from '@leadflow/domain';
import { config, nurture, rep, now, ava, ben, maya } from '../../support/lifecycle-fixtures';
import { webFormIntake } from '../../support/intakes';

function lead(overrides: Partial<Lead> = {}): Lead {
  return { ...webFormIntake(config, { leadId: 'lead-1' }).lead, poolId: 'nurture', status: 'assigned', ownerId: 'rep-ava', ...overrides };
}

function transitionOf(plan: LifecyclePlan) {
  if ('refusal' in plan) throw new Error(`refused: ${plan.refusal.message}`);
  return plan.transition;
}

const status = (body: unknown, from: Lead, by: Principal = ava) => planStatusChange({ lead: from, pool: nurture, principal: by, body: statusBodySchema(nurture).parse(body), now, eventId: 'e-1' });
const activity = (body: unknown, from: Lead, by: Principal = ava) => planActivity({ lead: from, principal: by, activity: activityBodySchema(now).parse(body), now, eventId: 'e-1' });

describe('follow-ups (pure)', () => {
  it('records the first contact once, from the first contact activity, and sets the next step', () => {
    const first = transitionOf(activity({ kind: 'call', outcome: 'reached, wants a demo', nextStepAt: '2026-03-03T09:00:00+01:00' }, lead()));
    expect(first.after).toMatchObject({ firstContactAt: now.toISOString(), lastActivityAt: now.toISOString(), nextStepAt: '2026-03-03T08:00:00.000Z' });
    expect(first.after.history.at(-1)).toEqual({ at: now.toISOString(), action: 'activity', by: 'rep-ava', detail: 'call: reached, wants a demo; next step 2026-03-03T08:00:00.000Z' });
    expect(first.event).toMatchObject({ type: 'lead.activity_logged', detail: { kind: 'call', firstContact: true, nextStepAt: '2026-03-03T08:00:00.000Z', ownerId: 'rep-ava', by: 'rep-ava', channel: 'website' } });
    expect(first.openLeads).toEqual([]);
    const second = transitionOf(activity({ kind: 'email' }, first.after));
    expect(second.after.firstContactAt).toBe(now.toISOString());
    expect(second.after.nextStepAt).toBeUndefined();
    expect(second.event.detail).toMatchObject({ firstContact: false });
  });

  it('does not count a note as contact and keeps the next step a note does not name', () => {
    const noted = transitionOf(activity({ kind: 'note', outcome: 'asked the partner first' }, lead({ nextStepAt: '2026-03-05T00:00:00.000Z' })));
    expect(noted.after.firstContactAt).toBeUndefined();
    expect(noted.after.nextStepAt).toBe('2026-03-05T00:00:00.000Z');
    expect(noted.event.detail).toMatchObject({ firstContact: false });
  });

  it('refuses a next step that is not in the future, other reps, and leads nobody works', () => {
    expect(activityBodySchema(now).safeParse({ kind: 'call', nextStepAt: now.toISOString() }).error?.issues[0].path).toEqual(['nextStepAt']);
    expect(activityBodySchema(now).safeParse({ kind: 'fax' }).error?.issues[0].path).toEqual(['kind']);
    expect(activity({ kind: 'call' }, lead(), ben)).toMatchObject({ refusal: { status: 403, rule: 'not_owner' } });
    expect(transitionOf(activity({ kind: 'call' }, lead(), maya)).after.history.at(-1)?.by).toBe('mgr-maya');
    expect(activity({ kind: 'call' }, lead({ status: 'converted' }))).toMatchObject({ refusal: { status: 409, rule: 'illegal_transition', message: expect.stringContaining('lead lead-1 is converted') } });
  });
});

describe('the lifecycle (pure)', () => {
  it('goes assigned → contacted → qualified (mql, then sql) → converted, freeing holding capacity at the end', () => {
    const contacted = transitionOf(status({ status: 'contacted' }, lead()));
    expect(contacted.after).toMatchObject({ status: 'contacted', firstContactAt: now.toISOString() });
    expect(contacted.event).toMatchObject({ type: 'lead.status_changed', detail: { from: 'assigned', to: 'contacted', by: 'rep-ava', ownerId: 'rep-ava' } });
    const mql = transitionOf(status({ status: 'qualified', qualification: 'mql' }, contacted.after));
    expect(mql.after).toMatchObject({ status: 'qualified', qualification: 'mql' });
    expect(mql.event.detail).toMatchObject({ qualification: 'mql', from: 'contacted', to: 'qualified' });
    const sql = transitionOf(status({ status: 'qualified', qualification: 'sql' }, mql.after));
    expect(sql.after.qualification).toBe('sql');
    expect(status({ status: 'qualified', qualification: 'mql' }, sql.after)).toMatchObject({ refusal: { status: 409, rule: 'illegal_transition' } });
    const won = transitionOf(
      planConversion({
        lead: { ...sql.after, nextStepAt: '2026-03-09T00:00:00.000Z' },
        principal: ava,
        conversion: conversionBodySchema(now).parse({ revenue: 1200, currency: 'USD', wonAt: '2026-03-02T11:00:00Z', dealId: 'D-7' }),
        now,
        eventId: 'e-2',
      }),
    );
    expect(won.after).toMatchObject({ status: 'converted', ownerId: 'rep-ava', conversion: { revenue: 1200, currency: 'USD', wonAt: '2026-03-02T11:00:00.000Z', dealId: 'D-7', by: 'rep-ava' } });
    expect(won.after.nextStepAt).toBeUndefined();
    expect(won.openLeads).toEqual([{ repId: 'rep-ava', change: -1 }]);
    expect(won.event).toMatchObject({ type: 'lead.converted', detail: { revenue: 1200, currency: 'USD', dealId: 'D-7', ownerId: 'rep-ava', channel: 'website', capturedAt: lead().capturedAt } });
  });

  it('keeps an earlier first contact when marked contacted', () => {
    expect(transitionOf(status({ status: 'contacted' }, lead({ firstContactAt: '2026-03-02T10:05:00.000Z' }))).after.firstContactAt).toBe('2026-03-02T10:05:00.000Z');
  });

  it('names the current state of an illegal transition', () => {
    expect(status({ status: 'contacted' }, lead({ status: 'qualified' }))).toEqual({ refusal: { status: 409, rule: 'illegal_transition', message: 'lead lead-1 is qualified; contacted is allowed only from assigned' } });
    expect(status({ status: 'qualified', qualification: 'sql' }, lead())).toMatchObject({ refusal: { rule: 'illegal_transition', message: expect.stringContaining('is assigned') } });
    expect(status({ status: 'reactivate' }, lead(), maya)).toMatchObject({ refusal: { rule: 'illegal_transition', message: expect.stringContaining('is assigned; reactivate is allowed only from invalid') } });
    const qualified = lead({ status: 'qualified' });
    expect(planConversion({ lead: lead({ status: 'contacted' }), principal: ava, conversion: { revenue: 1, currency: 'USD', wonAt: now.toISOString() }, now, eventId: 'e' })).toMatchObject({
      refusal: { rule: 'illegal_transition' },
    });
    expect(planConversion({ lead: qualified, principal: ben, conversion: { revenue: 1, currency: 'USD', wonAt: now.toISOString() }, now, eventId: 'e' })).toMatchObject({ refusal: { status: 403 } });
  });

  it('invalidates with a configured reason: the owner leaves (counter down), then a manager reactivates into the pool', () => {
    const invalid = transitionOf(status({ status: 'invalid', reason: 'wrong_person' }, lead({ nextStepAt: '2026-03-03T00:00:00.000Z' })));
    expect(invalid.after).toMatchObject({ status: 'invalid', statusReason: 'wrong_person', previousOwnerId: 'rep-ava', releasedAt: now.toISOString() });
    expect(invalid.after).not.toHaveProperty('ownerId');
    expect(invalid.after).not.toHaveProperty('nextStepAt');
    expect(invalid.openLeads).toEqual([{ repId: 'rep-ava', change: -1 }]);
    expect(invalid.event.detail).toMatchObject({ from: 'assigned', to: 'invalid', reason: 'wrong_person', ownerId: 'rep-ava' });
    expect(status({ status: 'reactivate' }, invalid.after, ava)).toMatchObject({ refusal: { status: 403, rule: 'not_pool_manager' } });
    const back = transitionOf(status({ status: 'reactivate', note: 'called back' }, invalid.after, maya));
    expect(back.after).toMatchObject({ status: 'in_pool', poolId: 'nurture' });
    expect(back.after).not.toHaveProperty('statusReason');
    expect(back.openLeads).toEqual([]);
    expect(back.after.history.at(-1)).toMatchObject({ action: 'reactivated', by: 'mgr-maya', detail: 'reactivated into pool nurture (called back)' });
  });

  it("lifts a manager's lock on invalid (on the timeline, with lead.unlocked) and reactivates a lead invalidated while locked without its lock", () => {
    const locked = lead({ lock: { by: 'mgr-maya', at: '2026-03-01T00:00:00.000Z' }, followUp: { slaKey: 'first_contact@x', breaches: 1 } });
    const invalid = transitionOf(status({ status: 'invalid', reason: 'fake' }, locked));
    expect(invalid.after).not.toHaveProperty('lock');
    expect(invalid.after).not.toHaveProperty('followUp');
    expect(invalid.after.history.at(-1)).toMatchObject({ action: 'invalidated', detail: 'invalid: fake; the lock mgr-maya put on it is lifted' });
    expect(invalid.unlockedEvent).toMatchObject({ type: 'lead.unlocked', detail: { eventId: 'e-1.unlocked', leadId: 'lead-1', by: 'rep-ava', reason: 'invalid: fake', changedAt: now.toISOString() } });
    expect(invalid.unlockedEvent?.detail).not.toHaveProperty('ownerId');
    expect(transitionOf(status({ status: 'invalid', reason: 'fake' }, lead()))).not.toHaveProperty('unlockedEvent');
    // Invalidated before invalid lifted locks: reactivated, the lead goes back to the pool without it.
    const stale = { ...invalid.after, lock: { by: 'mgr-maya', at: '2026-03-01T00:00:00.000Z' } };
    const back = transitionOf(status({ status: 'reactivate' }, stale, maya));
    expect(back.after).not.toHaveProperty('lock');
    expect(back.after.history.at(-1)).toMatchObject({ action: 'reactivated', detail: 'reactivated into pool nurture; the lock mgr-maya put on it is lifted' });
    expect(back.unlockedEvent).toMatchObject({ type: 'lead.unlocked', detail: { by: 'mgr-maya', reason: 'reactivated into pool nurture' } });
  });

  it('lets pool managers clean the pool but not reps, and never reactivates an erased lead', () => {
    expect(transitionOf(status({ status: 'invalid', reason: 'fake' }, lead({ status: 'in_pool', ownerId: undefined }), maya)).openLeads).toEqual([]);
    expect(status({ status: 'invalid', reason: 'fake' }, lead({ status: 'in_pool', ownerId: undefined }), ava)).toMatchObject({ refusal: { status: 403 } });
    expect(status({ status: 'reactivate' }, lead({ status: 'invalid', ownerId: undefined, statusReason: "erased at the person's request" }), maya)).toMatchObject({ refusal: { status: 409, rule: 'erased' } });
  });

  it('never reactivates a lead that was never routable: a platform test lead, or one captured invalid', () => {
    const capturedInvalid = webFormIntake(config, { leadId: 'lead-2', contact: { name: 'Ada', email: 'not an address' } }).lead;
    expect(capturedInvalid.status).toBe('invalid');
    expect(status({ status: 'reactivate' }, capturedInvalid, maya)).toMatchObject({
      refusal: { status: 409, rule: 'captured_invalid', message: expect.stringMatching(/^lead lead-2 was captured invalid \(no usable email or phone.*\) and cannot be reactivated$/) },
    });
    const invalidTestLead = transitionOf(status({ status: 'invalid', reason: 'fake' }, lead({ status: 'in_pool', ownerId: undefined, isTest: true }), maya)).after;
    expect(status({ status: 'reactivate' }, invalidTestLead, maya)).toEqual({ refusal: { status: 409, rule: 'test_lead', message: 'lead lead-1 is a platform test lead, never routed, and cannot be reactivated' } });
  });

  it('reads invalid reasons and qualification levels from the pool', () => {
    expect(statusBodySchema(nurture).safeParse({ status: 'invalid', reason: 'bored' }).error?.issues[0].path).toEqual(['reason']);
    expect(statusBodySchema({ ...nurture, qualifications: ['sql'] }).safeParse({ status: 'qualified', qualification: 'mql' }).error?.issues[0].path).toEqual(['qualification']);
    expect(statusBodySchema(nurture).safeParse({ status: 'won' }).error?.issues[0].path).toEqual(['status']);
    expect(nurture.invalidReasons).toEqual(['unreachable', 'fake', 'wrong_person', 'duplicate', 'no_need']);
    expect(conversionBodySchema(now).safeParse({ revenue: 1, currency: 'USD', wonAt: '2026-03-03T00:00:00Z' }).error?.issues[0].path).toEqual(['wonAt']);
    expect(
      conversionBodySchema(now)
        .safeParse({ revenue: -1, currency: 'usd', wonAt: now.toISOString() })
        .error?.issues.map((issue) => issue.path[0]),
    ).toEqual(['revenue', 'currency']);
  });
});

describe('assignment, transfer and locks (pure)', () => {
  const assign = (from: Lead, repId: string, by: Principal = maya) =>
    planManualAssignment({ lead: from, pool: nurture, principal: by, target: config.reps.find((candidate) => candidate.id === repId), repId, reason: 'territory', now, eventId: 'e-1' });

  it('assigns a waiting lead under the holding cap, and transfers an owned one moving both counters', () => {
    const assigned = transitionOf(assign(lead({ status: 'in_pool', ownerId: undefined }), 'rep-ben'));
    expect(assigned.after).toMatchObject({ status: 'assigned', ownerId: 'rep-ben', assignment: { rule: 'manual', poolId: 'nurture' } });
    expect(assigned.openLeads).toEqual([{ repId: 'rep-ben', change: 1, cap: Math.min(rep('rep-ben').capacity, 30) }]);
    expect(assigned.after.history.at(-1)).toMatchObject({ action: 'assigned', by: 'mgr-maya', detail: 'assigned to rep-ben from pool nurture by mgr-maya: territory' });
    expect(assigned.event).toMatchObject({ type: 'lead.assigned', detail: { rule: 'manual', ownerId: 'rep-ben', by: 'mgr-maya' } });
    expect(assigned.event.detail).not.toHaveProperty('previousOwnerId');
    const transferred = transitionOf(assign(lead({ status: 'contacted' }), 'rep-ben'));
    expect(transferred.after).toMatchObject({ status: 'contacted', ownerId: 'rep-ben' });
    expect(transferred.openLeads).toEqual([
      { repId: 'rep-ben', change: 1, cap: 30 },
      { repId: 'rep-ava', change: -1 },
    ]);
    expect(transferred.after.history.at(-1)).toMatchObject({ action: 'transferred', detail: 'transferred from rep-ava to rep-ben by mgr-maya: territory' });
    expect(transferred.event.detail).toMatchObject({ previousOwnerId: 'rep-ava', by: 'mgr-maya', rule: 'manual' });
  });

  it("does not hand the previous owner's missed next step to the new owner on a transfer", () => {
    const missed = lead({ status: 'contacted', nextStepAt: '2026-03-02T09:00:00.000Z', followUp: { slaKey: 'next_step@2026-03-02T09:00:00.000Z', breaches: 1 } });
    const transferredAt = new Date('2026-03-05T10:00:00.000Z');
    const transferred = transitionOf(planManualAssignment({ lead: missed, pool: nurture, principal: maya, target: rep('rep-ben'), repId: 'rep-ben', now: transferredAt, eventId: 'e-1' }));
    expect(transferred.after).not.toHaveProperty('nextStepAt');
    expect(transferred.after).not.toHaveProperty('followUp');
    const sla = slaRulesSchema.parse({ secondBreach: { afterMinutes: 1440, action: 'return_to_pool' } });
    expect(planFollowUps({ lead: transferred.after, rules: { sla }, now: new Date(transferredAt.getTime() + 60_000) })).toBeUndefined();
  });

  it('lets pool admins assign, refuses reps, non-members, the same owner and closed leads', () => {
    expect(transitionOf(assign(lead(), 'rep-ben', { id: 'mgr-maya', roles: ['rep'] })).after.ownerId).toBe('rep-ben');
    expect(assign(lead(), 'rep-ben', ben)).toMatchObject({ refusal: { status: 403, rule: 'not_pool_manager' } });
    expect(assign(lead(), 'nobody')).toMatchObject({ refusal: { status: 409, rule: 'target_not_member', message: 'repId nobody is not a member of pool nurture' } });
    expect(assign(lead(), 'rep-ava')).toMatchObject({ refusal: { status: 409, rule: 'already_owner' } });
    expect(assign(lead({ status: 'converted' }), 'rep-ben')).toMatchObject({ refusal: { status: 409, rule: 'illegal_transition', message: expect.stringContaining('is converted') } });
  });

  it('refuses a rep marked inactive, as routing skips them', () => {
    const waiting = lead({ status: 'in_pool', ownerId: undefined });
    const leaving = { ...rep('rep-ben'), active: false };
    expect(planManualAssignment({ lead: waiting, pool: nurture, principal: maya, target: leaving, repId: 'rep-ben', now, eventId: 'e-1' })).toEqual({
      refusal: { status: 409, rule: 'target_inactive', message: 'repId rep-ben is inactive (active: false in the configuration)' },
    });
  });

  it('locks and unlocks for managers only, once each', () => {
    const locked = transitionOf(planLockChange({ lead: lead(), principal: maya, lock: true, reason: 'key account', now, eventId: 'e-1' }));
    expect(locked.after.lock).toEqual({ by: 'mgr-maya', at: now.toISOString(), reason: 'key account' });
    expect(locked.event).toMatchObject({ type: 'lead.locked', detail: { reason: 'key account', by: 'mgr-maya', ownerId: 'rep-ava' } });
    expect(planLockChange({ lead: locked.after, principal: maya, lock: true, now, eventId: 'e' })).toMatchObject({ refusal: { rule: 'already_locked' } });
    expect(planLockChange({ lead: locked.after, principal: ava, lock: false, now, eventId: 'e' })).toMatchObject({ refusal: { status: 403 } });
    const unlocked = transitionOf(planLockChange({ lead: locked.after, principal: maya, lock: false, now, eventId: 'e-2' }));
    expect(unlocked.after).not.toHaveProperty('lock');
    expect(unlocked.event.type).toBe('lead.unlocked');
    expect(planLockChange({ lead: unlocked.after, principal: maya, lock: false, now, eventId: 'e' })).toMatchObject({ refusal: { rule: 'not_locked' } });
  });

  it('refuses to lock a lead waiting unowned in its pool (the lock would bind whoever claims it next), and still unlocks one an earlier version locked', () => {
    const waiting = lead({ status: 'in_pool', ownerId: undefined });
    expect(planLockChange({ lead: waiting, principal: maya, lock: true, reason: 'key account', now, eventId: 'e-1' })).toEqual({
      refusal: { status: 409, rule: 'not_owned', message: 'a lock keeps a lead with its owner; lead lead-1 has none' },
    });
    const stale = { ...waiting, lock: { by: 'mgr-maya', at: '2026-03-01T00:00:00.000Z' } };
    expect(planLockChange({ lead: stale, principal: maya, lock: true, now, eventId: 'e-1' })).toMatchObject({ refusal: { rule: 'not_owned' } });
    const unlocked = transitionOf(planLockChange({ lead: stale, principal: maya, lock: false, now, eventId: 'e-2' }));
    expect(unlocked.after).not.toHaveProperty('lock');
    expect(unlocked.event).toMatchObject({ type: 'lead.unlocked', detail: { leadId: 'lead-1', by: 'mgr-maya' } });
  });

  it("lifts a lock an earlier version left on a waiting lead when assigning it (on the timeline, with lead.unlocked), and keeps the owner's lock on a transfer", () => {
    const lockedAt = '2026-03-01T00:00:00.000Z';
    const assigned = transitionOf(assign(lead({ status: 'in_pool', ownerId: undefined, lock: { by: 'mgr-maya', at: lockedAt } }), 'rep-ben'));
    expect(assigned.after).not.toHaveProperty('lock');
    expect(assigned.after.history.at(-1)).toMatchObject({ action: 'assigned', detail: 'assigned to rep-ben from pool nurture by mgr-maya: territory; the lock mgr-maya put on it is lifted' });
    expect(assigned.event.type).toBe('lead.assigned');
    expect(assigned.unlockedEvent).toMatchObject({
      type: 'lead.unlocked',
      detail: { eventId: 'e-1.unlocked', leadId: 'lead-1', ownerId: 'rep-ben', by: 'mgr-maya', reason: 'assigned to rep-ben from pool nurture by mgr-maya: territory', changedAt: now.toISOString() },
    });
    expect(transitionOf(assign(lead({ status: 'in_pool', ownerId: undefined }), 'rep-ben'))).not.toHaveProperty('unlockedEvent');
    const transferred = transitionOf(assign(lead({ status: 'contacted', lock: { by: 'mgr-maya', at: lockedAt } }), 'rep-ben'));
    expect(transferred.after.lock).toEqual({ by: 'mgr-maya', at: lockedAt });
    expect(transferred).not.toHaveProperty('unlockedEvent');
  });
});

describe('listings (pure)', () => {
  it("orders a rep's leads by next step, then temperature and grade", () => {
    const scored = (temperature: 'hot' | 'warm' | 'cold', grade: 'A' | 'B' | 'C' | 'D') => ({ points: 50, grade, temperature, contributions: [], scoredAt: now.toISOString() }) as unknown as Lead['score'];
    const keys = [
      agendaKey({ score: scored('cold', 'A') }),
      agendaKey({ nextStepAt: '2026-03-04T00:00:00.000Z', score: scored('cold', 'D') }),
      agendaKey({ score: scored('hot', 'B') }),
      agendaKey({}),
      agendaKey({ nextStepAt: '2026-03-01T00:00:00.000Z' }),
      agendaKey({ score: scored('hot', 'A') }),
    ];
    expect([...keys].sort()).toEqual(['2026-03-01T00:00:00.000Z#3E', '2026-03-04T00:00:00.000Z#2D', '~#0A', '~#0B', '~#2A', '~#3E']);
  });

  it('turns due and overdue into the earlier bound, and open statuses by default', () => {
    expect(myLeadsFilter(myLeadsQuerySchema.parse({ overdue: 'true', due: '2026-03-05T00:00:00Z' }), now)).toEqual({ statuses: ['assigned', 'contacted', 'qualified'], dueBefore: now.toISOString() });
    expect(myLeadsFilter(myLeadsQuerySchema.parse({ status: 'converted', grade: 'A', due: '2026-03-01T00:00:00Z' }), now)).toEqual({ statuses: ['converted'], grade: 'A', dueBefore: '2026-03-01T00:00:00.000Z' });
    expect(myLeadsQuerySchema.safeParse({ due: 'tomorrow' }).error?.issues[0].path).toEqual(['due']);
  });

  it('turns pool ages into a capture window and names bad filters', () => {
    expect(poolListingFilter(poolListingQuerySchema.parse({ minAgeHours: '2', maxAgeHours: '48', grade: 'A', temperature: 'hot', channel: 'website' }), now)).toEqual({
      grade: 'A',
      temperature: 'hot',
      channel: 'website',
      capturedFrom: '2026-02-28T12:00:00.000Z',
      capturedTo: '2026-03-02T10:00:00.000Z',
    });
    for (const [parameter, value] of [
      ['grade', 'E'],
      ['temperature', 'lukewarm'],
      ['minAgeHours', '-1'],
      ['maxAgeHours', 'old'],
      ['maxAgeHours', '1e12'],
      ['minAgeHours', '876001'],
      ['channel', 'Web Site'],
    ]) {
      expect(poolListingQuerySchema.safeParse({ [parameter]: value }).error?.issues[0].path).toEqual([parameter]);
    }
    expect(poolListingQuerySchema.safeParse({ minAgeHours: '5', maxAgeHours: '1' }).error?.issues[0].path).toEqual(['maxAgeHours']);
    // Each refusal says what is wrong with the value, once: its form, its decimals or its size.
    const refusal = (value: string) => poolListingQuerySchema.safeParse({ minAgeHours: value }).error?.issues.map((issue) => issue.message);
    expect(refusal('1e3')).toEqual(['must be a number written in digits, such as 24 or 1.5']);
    expect(refusal('0.0000001')).toEqual(['must have at most 6 decimal places']);
    expect(refusal('99999999999')).toEqual(['must be at most 876000 (a hundred years)']);
    expect(refusal('9'.repeat(400))).toEqual(['is too large']);
    expect(refusal('0.000001')).toBeUndefined();
    expect(refusal('0000000000000000024')).toBeUndefined();
  });

  it('reads a page limit written with leading zeros, and names the bound a limit is outside of, however many digits it has', () => {
    const limitOf = (limit: string) => poolListingQuerySchema.safeParse({ limit });
    expect(limitOf('0000050').data?.limit).toBe(50);
    expect(myLeadsQuerySchema.safeParse({ limit: '0000100' }).data?.limit).toBe(100);
    expect(limitOf('1234567').error?.issues.map((issue) => issue.message)).toEqual(['must be at most 100']);
    expect(limitOf('9'.repeat(400)).error?.issues.map((issue) => issue.message)).toEqual(['must be at most 100']);
    expect(limitOf('0000000').error?.issues.map((issue) => issue.message)).toEqual(['must be at least 1']);
    expect(limitOf('1e2').error?.issues.map((issue) => issue.message)).toEqual(['must be a whole number written in digits']);
  });
});

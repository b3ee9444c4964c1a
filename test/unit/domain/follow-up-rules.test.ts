import { describe, expect, it } from 'vitest';
import {
  erasePersonFromLead,
  followUpRulesFor,
  nextFollowUpCheck,
  parseConfiguration,
  planFollowUps,
  planLockChange,
  poolRecycleRulesSchema,
  reassignmentCandidate,
  slaRulesSchema,
  staleFollowUpNotice,
  type FollowUpNotice,
  type FollowUpPlan,
  type FollowUpRules,
  type Lead,
} from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';
import { webFormIntake } from '../../support/intakes';

const config = demoConfiguration();
const assignedAt = '2026-03-02T10:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(assignedAt) + hours * 3_600_000);
const iso = (hours: number) => at(hours).toISOString();

/** A lead assigned to rep-ava at `assignedAt`, grade B unless told. */
function owned(overrides: Partial<Lead> = {}, grade: 'A' | 'B' | 'C' | 'D' = 'B'): Lead {
  const lead = webFormIntake(config, { leadId: 'lead-1', now: new Date('2026-03-02T09:59:00.000Z') }).lead;
  return {
    ...lead,
    status: 'assigned',
    poolId: 'americas-inbound',
    ownerId: 'rep-ava',
    assignment: { rule: 'round_robin', poolId: 'americas-inbound', assignedAt },
    score: lead.score ? { ...lead.score, grade } : undefined,
    updatedAt: assignedAt,
    ...overrides,
  };
}

const sla = slaRulesSchema.parse({ firstContactMinutes: { A: 15, B: 240 }, remindBeforeMinutes: 30, nextStepGraceMinutes: 60 });
const pool = (recycle: unknown) => ({ id: 'americas-inbound', members: ['rep-ava', 'rep-ben'], recycle: poolRecycleRulesSchema.parse(recycle) });
const slaOnly: FollowUpRules = { sla };

/** Applies plans at each instant in turn, as successive runs of the job would, and returns the last lead. */
function runAt(lead: Lead, rules: FollowUpRules, hours: number[], reassignTo?: string) {
  const plans = [];
  let current = lead;
  for (const hour of hours) {
    const plan = planFollowUps({ lead: current, rules, now: at(hour), reassignTo });
    plans.push(plan);
    if (plan) current = plan.lead;
  }
  return { lead: current, plans };
}

describe('SLA reminders and escalation (pure, controlled clock)', () => {
  it('files a B lead at its reminder, 30 minutes before the 4-hour first-contact SLA, and an A lead at once', () => {
    expect(nextFollowUpCheck(owned(), slaOnly)).toBe(iso(3.5));
    // 15 minutes with a 30-minute reminder: the reminder is due from the assignment on.
    expect(nextFollowUpCheck(owned({}, 'A'), slaOnly)).toBe(iso(-0.25));
    expect(nextFollowUpCheck(owned({}, 'C'), slaOnly)).toBeUndefined();
  });

  it('holds a lead whose grade has no first-contact SLA to the next step its owner promised before a contact', () => {
    // A note with a next step is not a contact: the lead is still `assigned`.
    const promised = owned({ lastActivityAt: iso(1), nextStepAt: iso(24) }, 'C');
    expect(nextFollowUpCheck(promised, slaOnly)).toBe(iso(24.5));
    expect(planFollowUps({ lead: promised, rules: slaOnly, now: at(25) })!.events[0]).toMatchObject({ type: 'lead.sla_breached', detail: { sla: 'next_step', dueAt: iso(25) } });
    // A grade with a first-contact SLA is held to the first contact first.
    expect(nextFollowUpCheck({ ...promised, score: owned().score }, slaOnly)).toBe(iso(3.5));
  });

  it('reminds the owner once before the breach, then breaches once, and a second plan at the same time finds nothing', () => {
    const early = planFollowUps({ lead: owned(), rules: slaOnly, now: at(3.4) });
    expect(early).toBeUndefined();
    const reminded = planFollowUps({ lead: owned(), rules: slaOnly, now: at(3.5) })!;
    expect(reminded.events.map((event) => event.type)).toEqual(['lead.reminded']);
    expect(reminded.events[0].detail).toMatchObject({ sla: 'first_contact', dueAt: iso(4), ownerId: 'rep-ava', by: 'system' });
    expect(reminded.historyEntries).toEqual([{ at: iso(3.5), action: 'reminded', by: 'system', detail: `rep-ava reminded: first contact due at ${iso(4)}` }]);
    expect(reminded.nextCheckAt).toBe(iso(4));
    expect(planFollowUps({ lead: reminded.lead, rules: slaOnly, now: at(3.5) })).toBeUndefined();

    const breached = planFollowUps({ lead: reminded.lead, rules: slaOnly, now: at(4) })!;
    expect(breached.events.map((event) => [event.type, (event.detail as { breach?: number }).breach])).toEqual([['lead.sla_breached', 1]]);
    expect(breached.historyEntries[0]).toMatchObject({ action: 'escalated', detail: expect.stringContaining('breach 1') });
    expect(breached.nextCheckAt).toBeUndefined();
    expect(planFollowUps({ lead: breached.lead, rules: slaOnly, now: at(4) })).toBeUndefined();
  });

  it('skips a reminder that would come after the breach (the job ran late) and breaches instead', () => {
    const plan = planFollowUps({ lead: owned(), rules: slaOnly, now: at(5) })!;
    expect(plan.events.map((event) => event.type)).toEqual(['lead.sla_breached']);
  });

  it('holds a promised next step to its time plus the grace, and a follow-up logged after it keeps the promise', () => {
    const contacted = owned({ status: 'contacted', firstContactAt: iso(1), lastContactAt: iso(1), lastActivityAt: iso(1), nextStepAt: iso(24) });
    expect(nextFollowUpCheck(contacted, slaOnly)).toBe(iso(24.5));
    const breach = planFollowUps({ lead: contacted, rules: slaOnly, now: at(25) })!;
    expect(breach.events[0]).toMatchObject({ type: 'lead.sla_breached', detail: { sla: 'next_step', dueAt: iso(25), breach: 1 } });
    expect(nextFollowUpCheck({ ...contacted, lastActivityAt: iso(24), lastContactAt: iso(24) }, slaOnly)).toBeUndefined();
    // A note is written for the team and reaches nobody: it does not keep the promise.
    expect(nextFollowUpCheck({ ...contacted, lastActivityAt: iso(24) }, slaOnly)).toBe(iso(24.5));
    // A new promise is a new obligation: the reminder and breach count start again.
    const renewed = { ...breach.lead, lastActivityAt: iso(26), lastContactAt: iso(26), nextStepAt: iso(48) };
    expect(planFollowUps({ lead: renewed, rules: slaOnly, now: at(48.5) })!.events.map((event) => event.type)).toEqual(['lead.reminded']);
  });

  it('on a second breach, reassigns to the next active pool member, or returns the lead to the pool', () => {
    const rules: FollowUpRules = { sla: { ...sla, secondBreach: { afterMinutes: 60, action: 'reassign' } }, pool: pool({ noFollowUpDays: 30 }) };
    const { lead, plans } = runAt(owned(), rules, [3.5, 4, 5], 'rep-ben');
    expect(plans[2]!.events.map((event) => event.type)).toEqual(['lead.sla_breached', 'lead.recycled', 'lead.assigned']);
    expect(plans[2]!.events[2].detail).toMatchObject({ ownerId: 'rep-ben', rule: 'recycle', previousOwnerId: 'rep-ava' });
    expect(lead).toMatchObject({ ownerId: 'rep-ben', previousOwnerId: 'rep-ava', releasedAt: iso(5), status: 'assigned', assignment: { rule: 'recycle', assignedAt: iso(5) } });
    expect(lead.followUp).toBeUndefined();
    // The new owner has a first-contact SLA of their own, from the reassignment.
    expect(nextFollowUpCheck(lead, rules)).toBe(iso(8.5));

    const toPool = runAt(owned(), { ...rules, sla: { ...sla, secondBreach: { afterMinutes: 60, action: 'return_to_pool' } } }, [4, 5]);
    expect(toPool.lead).toMatchObject({ status: 'in_pool', previousOwnerId: 'rep-ava', releasedAt: iso(5) });
    expect(toPool.lead.ownerId).toBeUndefined();
    expect(toPool.plans[1]!.events.find((event) => event.type === 'lead.recycled')!.detail).toMatchObject({ trigger: 'second_sla_breach', to: 'pool', rule: 'second breach of the first contact SLA' });
  });

  it('escalates a locked lead on its second breach but keeps it with its owner, and its timeline says so', () => {
    const rules: FollowUpRules = { sla: { ...sla, secondBreach: { afterMinutes: 60, action: 'return_to_pool' } } };
    const { lead, plans } = runAt(owned({ lock: { by: 'mgr-maya', at: assignedAt } }), rules, [4, 5]);
    expect(plans[1]!.events.map((event) => event.type)).toEqual(['lead.sla_breached']);
    expect(plans[1]!.move).toBeUndefined();
    expect(lead).toMatchObject({ ownerId: 'rep-ava', status: 'assigned' });
    expect(plans[1]!.historyEntries.map((entry) => entry.detail)).toEqual([`first contact SLA breached (breach 2, due at ${iso(4)}); managers told (locked: not taken)`]);
  });

  it('gives a new owner a first contact of their own: a contact under the earlier owner does not count', () => {
    // Contacted by rep-ben before a release; rep-ava claimed it at assignedAt.
    const claimed = owned({ firstContactAt: iso(-48), lastContactAt: iso(-24), lastActivityAt: iso(-24), assignment: { rule: 'claim', poolId: 'americas-inbound', assignedAt } });
    expect(nextFollowUpCheck(claimed, slaOnly)).toBe(iso(3.5));
    expect(planFollowUps({ lead: claimed, rules: slaOnly, now: at(4) })!.events[0].detail).toMatchObject({ sla: 'first_contact' });
    // Her own contact counts, though the lead's first contact stays the earlier one (speed to lead).
    expect(nextFollowUpCheck({ ...claimed, lastContactAt: iso(1) }, slaOnly)).toBeUndefined();
    // A lead stored before lastContactAt existed goes by its first contact.
    expect(nextFollowUpCheck(owned({ firstContactAt: iso(1) }), slaOnly)).toBeUndefined();
    const recycling: FollowUpRules = { pool: pool({ noFirstContactHours: 24 }) };
    expect(nextFollowUpCheck(claimed, recycling)).toBe(iso(24));
    expect(nextFollowUpCheck({ ...claimed, lastContactAt: iso(1) }, recycling)).toBeUndefined();
  });

  const noGrace: FollowUpRules = { sla: { ...sla, nextStepGraceMinutes: 0 } };

  it("gives a new owner's reminder of a next step at the time the previous owner was reminded of an id of its own", () => {
    const ava = owned({ status: 'contacted', firstContactAt: iso(1), lastContactAt: iso(1), lastActivityAt: iso(1), nextStepAt: iso(5) });
    const avaReminded = planFollowUps({ lead: ava, rules: noGrace, now: at(4.5) })!;
    // Transferred at T+4.6h (the step and the state go with Ava), Ben promises the same time.
    const { followUp: _followUp, ...transferred } = avaReminded.lead;
    const ben = { ...transferred, ownerId: 'rep-ben', assignment: { rule: 'manual' as const, poolId: 'americas-inbound', assignedAt: iso(4.6) }, lastActivityAt: iso(4.65), nextStepAt: iso(5) };
    const benReminded = planFollowUps({ lead: ben, rules: noGrace, now: at(4.7) })!;
    expect(benReminded.events.map((event) => [event.type, (event.detail as { ownerId?: string }).ownerId])).toEqual([['lead.reminded', 'rep-ben']]);
    expect(benReminded.events[0].detail.eventId).not.toBe(avaReminded.events[0].detail.eventId);
    expect(benReminded.lead.followUp?.slaKey).not.toBe(avaReminded.lead.followUp?.slaKey);
    // Breaches too: each owner's ids are their own.
    const avaBreach = planFollowUps({ lead: ava, rules: noGrace, now: at(6) })!;
    const benBreach = planFollowUps({ lead: ben, rules: noGrace, now: at(6) })!;
    expect(benBreach.events[0].detail.eventId).not.toBe(avaBreach.events[0].detail.eventId);
  });

  it('reminds again of a step moved away and back once the reminder of the step between replaced its record, under a new id', () => {
    const promised = owned({ status: 'contacted', firstContactAt: iso(1), lastContactAt: iso(1), lastActivityAt: iso(1), nextStepAt: iso(5) });
    const first = planFollowUps({ lead: promised, rules: noGrace, now: at(4.5) })!;
    const between = planFollowUps({ lead: { ...first.lead, lastActivityAt: iso(4.52), nextStepAt: iso(4.75) }, rules: noGrace, now: at(4.55) })!;
    expect(between.events.map((event) => event.type)).toEqual(['lead.reminded']);
    const back = planFollowUps({ lead: { ...between.lead, lastActivityAt: iso(4.6), nextStepAt: iso(5) }, rules: noGrace, now: at(4.65) })!;
    expect(back.events.map((event) => event.type)).toEqual(['lead.reminded']);
    expect(new Set([first, between, back].map((plan) => plan.events[0].detail.eventId)).size).toBe(3);
    // Moved away and back with no run between, the record still says reminded: no second reminder.
    expect(planFollowUps({ lead: { ...first.lead, lastActivityAt: iso(4.6) }, rules: noGrace, now: at(4.65) })).toBeUndefined();
  });

  it('keeps what was recorded under the keys of before (next step, recycle time): nothing is reminded, breached or warned twice after a deploy', () => {
    const legacy = owned({
      status: 'contacted',
      firstContactAt: iso(1),
      lastContactAt: iso(1),
      lastActivityAt: iso(1),
      nextStepAt: iso(5),
      followUp: { slaKey: `next_step@${iso(5)}`, remindedAt: iso(4.5), breaches: 0 },
    });
    expect(nextFollowUpCheck(legacy, slaOnly)).toBe(iso(6));
    // Due at T+6h (an hour's grace): the reminder's time has come, and it went out before the deploy.
    expect(planFollowUps({ lead: legacy, rules: slaOnly, now: at(5.6) })).toBeUndefined();
    const breached = planFollowUps({ lead: legacy, rules: slaOnly, now: at(6) })!;
    expect(breached.events.map((event) => event.type)).toEqual(['lead.sla_breached']);
    expect(breached.lead.followUp).toMatchObject({ remindedAt: iso(4.5), breaches: 1, slaKey: `next_step@${iso(5)}/rep-ava@${assignedAt}` });
    expect(planFollowUps({ lead: { ...legacy, followUp: { slaKey: `next_step@${iso(5)}`, remindedAt: iso(4.5), breaches: 1 } }, rules: slaOnly, now: at(6) })).toBeUndefined();

    const recycling: FollowUpRules = { pool: pool({ noFirstContactHours: 72, warnDaysBefore: 1 }) };
    const warned = owned({ followUp: { recycleKey: iso(72), recycleWarnedAt: iso(48) } });
    expect(planFollowUps({ lead: warned, rules: recycling, now: at(50) })).toBeUndefined();
    expect(nextFollowUpCheck(warned, recycling)).toBe(iso(72));
  });

  it('picks the next active member after the owner, wrapping round, and nobody when the owner is alone', () => {
    expect(reassignmentCandidate({ members: ['a', 'b', 'c'] }, 'b', () => true)).toBe('c');
    expect(reassignmentCandidate({ members: ['a', 'b', 'c'] }, 'c', (id) => id !== 'a')).toBe('b');
    expect(reassignmentCandidate({ members: ['a'] }, 'a', () => true)).toBeUndefined();
  });
});

describe('whether a reminder or a recycle warning that arrives late is still news (pure)', () => {
  /** The notice the plan's first event makes, as notify-follow-ups parses it. */
  const noticeOf = (plan: FollowUpPlan) => ({ type: plan.events[0].type, detail: plan.events[0].detail }) as FollowUpNotice;
  const reminded = planFollowUps({ lead: owned(), rules: slaOnly, now: at(3.5) })!;
  const stale = (lead: Lead, notice = noticeOf(reminded), rules = slaOnly) => staleFollowUpNotice(notice, lead, rules);
  const metOrReplaced = 'the obligation it reminds of was met or replaced since';

  it("a reminder is news while the lead is its owner's, open, and still owes what it reminds of, breached or not", () => {
    expect(stale(reminded.lead)).toBeUndefined();
    expect(stale(planFollowUps({ lead: reminded.lead, rules: slaOnly, now: at(4) })!.lead)).toBeUndefined();
  });

  it('is not once the owner made contact, the lead changed hands (even back to them), or it was converted or erased', () => {
    expect(stale({ ...reminded.lead, status: 'contacted', firstContactAt: iso(3.6), lastContactAt: iso(3.6) })).toBe(metOrReplaced);
    const { ownerId: _ownerId, assignment: _assignment, followUp: _followUp, ...unowned } = reminded.lead;
    expect(stale({ ...unowned, status: 'in_pool' })).toBe('lead is now held by its pool');
    expect(stale({ ...unowned, ownerId: 'rep-ben', assignment: { rule: 'manual', poolId: 'americas-inbound', assignedAt: iso(3.6) } })).toBe('lead is now held by rep-ben');
    // Released and claimed again: her new assignment's first contact, which she has not been reminded of.
    expect(stale({ ...unowned, ownerId: 'rep-ava', assignment: { rule: 'claim', poolId: 'americas-inbound', assignedAt: iso(3.6) } })).toBe(metOrReplaced);
    expect(stale({ ...reminded.lead, status: 'converted' })).toBe('lead is now converted');
    expect(stale(erasePersonFromLead(reminded.lead, { at: iso(3.6), eventId: 'e-erased' })!.lead)).toBe('lead was erased');
  });

  it('a recycle warning is news until a follow-up moves the recycle, a lock calls it off or the lead leaves its owner', () => {
    const recycling: FollowUpRules = { pool: pool({ noFollowUpDays: 3, warnDaysBefore: 1 }) };
    const warned = planFollowUps({ lead: owned(), rules: recycling, now: at(48) })!;
    const warning = noticeOf(warned);
    expect(warning.type).toBe('lead.recycle_warned');
    expect(stale(warned.lead, warning, recycling)).toBeUndefined();
    const calledOff = 'the recycle it warns of was moved or called off since';
    expect(stale({ ...warned.lead, status: 'contacted', firstContactAt: iso(60), lastContactAt: iso(60) }, warning, recycling)).toBe(calledOff);
    const locked = planLockChange({ lead: warned.lead, principal: { id: 'mgr-maya', roles: ['manager'] }, lock: true, now: at(49), eventId: 'e-lock' });
    if (!('transition' in locked)) throw new Error(locked.refusal.message);
    expect(stale(locked.transition.after, warning, recycling)).toBe(calledOff);
    const recycled = planFollowUps({ lead: warned.lead, rules: recycling, now: at(72) })!;
    expect(stale(recycled.lead, warning, recycling)).toBe('lead is now held by its pool');
  });

  it('a breach and a recycle are what happened: always told, whatever became of the lead', () => {
    const breached = planFollowUps({ lead: reminded.lead, rules: slaOnly, now: at(4) })!;
    expect(stale({ ...breached.lead, status: 'converted' }, noticeOf(breached))).toBeUndefined();
    const recycling: FollowUpRules = { pool: pool({ noFirstContactHours: 72 }) };
    const recycled = planFollowUps({ lead: owned(), rules: recycling, now: at(72) })!;
    expect(stale(recycled.lead, noticeOf(recycled), recycling)).toBeUndefined();
  });
});

describe('recycling (pure, controlled clock)', () => {
  const rules = (recycle: unknown): FollowUpRules => ({ pool: pool(recycle) });

  it('warns D days before, recycles to the pool with the rule on the timeline, and never twice', () => {
    const recycling = rules({ noFirstContactHours: 72, warnDaysBefore: 1 });
    expect(nextFollowUpCheck(owned(), recycling)).toBe(iso(48));
    expect(planFollowUps({ lead: owned(), rules: recycling, now: at(47.9) })).toBeUndefined();
    const warned = planFollowUps({ lead: owned(), rules: recycling, now: at(48) })!;
    expect(warned.events[0]).toMatchObject({ type: 'lead.recycle_warned', detail: { recycleAt: iso(72), rule: 'no first contact within 72 hours' } });
    expect(warned.nextCheckAt).toBe(iso(72));
    expect(planFollowUps({ lead: warned.lead, rules: recycling, now: at(48) })).toBeUndefined();

    const recycled = planFollowUps({ lead: warned.lead, rules: recycling, now: at(72) })!;
    expect(recycled.events.map((event) => event.type)).toEqual(['lead.recycled']);
    expect(recycled.events[0].detail).toMatchObject({ trigger: 'recycle_rule', to: 'pool', previousOwnerId: 'rep-ava', rule: 'pool americas-inbound: no first contact within 72 hours' });
    expect(recycled.lead).toMatchObject({ status: 'in_pool', previousOwnerId: 'rep-ava', releasedAt: iso(72) });
    expect(recycled.historyEntries.at(-1)).toMatchObject({ action: 'recycled', detail: 'recycled from rep-ava to pool americas-inbound (pool americas-inbound: no first contact within 72 hours)' });
    expect(recycled.nextCheckAt).toBeUndefined();
    expect(planFollowUps({ lead: recycled.lead, rules: recycling, now: at(72) })).toBeUndefined();
  });

  it('does not warn of a recycle in the plan whose second breach takes the lead from its owner', () => {
    const recycling: FollowUpRules = {
      sla: slaRulesSchema.parse({ firstContactMinutes: { C: 1440 }, secondBreach: { afterMinutes: 1440, action: 'return_to_pool' } }),
      pool: pool({ noFirstContactHours: 72, warnDaysBefore: 1 }),
    };
    const { plans } = runAt(owned({}, 'C'), recycling, [24, 48]);
    expect(plans[0]!.events.map((event) => event.type)).toEqual(['lead.sla_breached']);
    // T+48h is both the second breach and the recycle warning's time: the breach returns the lead to the pool, unwarned.
    expect(plans[1]!.events.map((event) => event.type)).toEqual(['lead.sla_breached', 'lead.recycled']);
    expect(plans[1]!.move).toEqual({ to: 'pool', previousOwnerId: 'rep-ava' });
    expect(plans[1]!.historyEntries.map((entry) => entry.action)).toEqual(['escalated', 'recycled']);
  });

  it('a warning that went out late still gives the owner D days before the recycle', () => {
    const recycling = rules({ noFirstContactHours: 72, warnDaysBefore: 1 });
    const warned = planFollowUps({ lead: owned(), rules: recycling, now: at(80) })!;
    expect(warned.events.map((event) => event.type)).toEqual(['lead.recycle_warned']);
    expect(warned.nextCheckAt).toBe(iso(104));
    expect(planFollowUps({ lead: warned.lead, rules: recycling, now: at(103) })).toBeUndefined();
    expect(planFollowUps({ lead: warned.lead, rules: recycling, now: at(104) })!.move).toEqual({ to: 'pool', previousOwnerId: 'rep-ava' });
  });

  it('a follow-up moves the recycle time on, and the warning for the old time no longer counts', () => {
    const recycling = rules({ noFollowUpDays: 3, warnDaysBefore: 1 });
    const warned = planFollowUps({ lead: owned(), rules: recycling, now: at(48) })!;
    const worked = { ...warned.lead, status: 'contacted' as const, firstContactAt: iso(60), lastContactAt: iso(60), lastActivityAt: iso(60), updatedAt: iso(60) };
    expect(planFollowUps({ lead: worked, rules: recycling, now: at(72) })).toBeUndefined();
    expect(nextFollowUpCheck(worked, recycling)).toBe(iso(60 + 48));
  });

  it('owes the owner a fresh warning after an unlock: a warning sent before a long lock does not let the next run recycle at once', () => {
    const recycling = rules({ noFirstContactHours: 72, warnDaysBefore: 1 });
    const warned = planFollowUps({ lead: owned(), rules: recycling, now: at(48) })!;
    expect(warned.events.map((event) => event.type)).toEqual(['lead.recycle_warned']);
    const manager = { id: 'mgr-maya', roles: ['manager' as const] };
    const afterLockChange = (plan: ReturnType<typeof planLockChange>) => {
      if (!('transition' in plan)) throw new Error(plan.refusal.message);
      return plan.transition.after;
    };
    const locked = afterLockChange(planLockChange({ lead: warned.lead, principal: manager, lock: true, now: at(49), eventId: 'e-lock' }));
    expect(planFollowUps({ lead: locked, rules: recycling, now: at(500) })).toBeUndefined();
    const unlocked = afterLockChange(planLockChange({ lead: locked, principal: manager, lock: false, now: at(1_440), eventId: 'e-unlock' }));
    const next = planFollowUps({ lead: unlocked, rules: recycling, now: at(1_440) })!;
    expect(next.events.map((event) => event.type)).toEqual(['lead.recycle_warned']);
    expect(next.lead.status).toBe('assigned');
    expect(planFollowUps({ lead: next.lead, rules: recycling, now: at(1_440 + 23) })).toBeUndefined();
    expect(planFollowUps({ lead: next.lead, rules: recycling, now: at(1_440 + 24) })!.events.map((event) => event.type)).toEqual(['lead.recycled']);
  });

  it('reads a lead contacted before lastContactAt was kept by its last activity, so its calls since still count', () => {
    const recycling = rules({ noFollowUpDays: 3 });
    // Contacted at +1 h, a call logged at +60 h, both before lastContactAt was kept.
    const legacy = owned({ status: 'contacted', firstContactAt: iso(1), lastActivityAt: iso(60), nextStepAt: iso(30) });
    expect(nextFollowUpCheck(legacy, recycling)).toBe(iso(60 + 72));
    expect(nextFollowUpCheck(legacy, slaOnly)).toBeUndefined();
  });

  it('counts contacts as follow-ups, not notes: a note every few days does not keep a lead from its recycle', () => {
    const recycling = rules({ noFollowUpDays: 3 });
    const contacted = owned({ status: 'contacted', firstContactAt: iso(1), lastContactAt: iso(1), lastActivityAt: iso(1) });
    const noted = { ...contacted, lastActivityAt: iso(70) };
    expect(nextFollowUpCheck(noted, recycling)).toBe(iso(73));
    expect(planFollowUps({ lead: noted, rules: recycling, now: at(73) })!.historyEntries.map((entry) => entry.action)).toContain('recycled');
  });

  it('warns a new owner of a recycle at the time the previous owner was warned of, under an id of its own', () => {
    const recycling = rules({ noFollowUpDays: 3, noFirstContactHours: 12, warnDaysBefore: 1 });
    // Ava contacted at T+1h: recycled at T+73h, warned at T+49h; released at T+50h, claimed by Ben at T+61h: 12 h without a contact, T+73h too.
    const ava = owned({ status: 'contacted', firstContactAt: iso(1), lastContactAt: iso(1), lastActivityAt: iso(1) });
    const avaWarned = planFollowUps({ lead: ava, rules: recycling, now: at(49) })!;
    expect(avaWarned.events[0].detail).toMatchObject({ ownerId: 'rep-ava', recycleAt: iso(73) });
    const { followUp: _followUp, ...released } = avaWarned.lead;
    const ben = { ...released, status: 'assigned' as const, ownerId: 'rep-ben', assignment: { rule: 'claim' as const, poolId: 'americas-inbound', assignedAt: iso(61) } };
    expect(nextFollowUpCheck(ben, recycling)).toBe(iso(49));
    const benWarned = planFollowUps({ lead: ben, rules: recycling, now: at(61.5) })!;
    expect(benWarned.events.map((event) => [event.type, (event.detail as { ownerId?: string }).ownerId])).toEqual([['lead.recycle_warned', 'rep-ben']]);
    expect(benWarned.events[0].detail.eventId).not.toBe(avaWarned.events[0].detail.eventId);
    expect(benWarned.nextCheckAt).toBe(iso(85.5));
  });

  it('combines conditions with any (the first) or all (the last), and honours the protection period', () => {
    const contacted = owned({ status: 'contacted', firstContactAt: iso(1), lastActivityAt: iso(1) });
    expect(nextFollowUpCheck(contacted, rules({ noFollowUpDays: 5, notConvertedDays: 10 }))).toBe(iso(1 + 120));
    expect(nextFollowUpCheck(contacted, rules({ when: 'all', noFollowUpDays: 5, notConvertedDays: 10 }))).toBe(iso(240));
    // Contacted: "no first contact" can never hold, so an "all" rule that needs it never fires.
    expect(nextFollowUpCheck(contacted, rules({ when: 'all', noFollowUpDays: 5, noFirstContactHours: 24 }))).toBeUndefined();
    expect(nextFollowUpCheck(owned(), rules({ noFirstContactHours: 24, protectionDays: 3 }))).toBe(iso(72));
  });

  it('never recycles a locked lead, an unowned one or a converted one', () => {
    const recycling = rules({ noFirstContactHours: 1 });
    expect(nextFollowUpCheck(owned({ lock: { by: 'mgr-maya', at: assignedAt } }), recycling)).toBeUndefined();
    expect(planFollowUps({ lead: owned({ lock: { by: 'mgr-maya', at: assignedAt } }), rules: recycling, now: at(100) })).toBeUndefined();
    expect(nextFollowUpCheck(owned({ status: 'converted' }), recycling)).toBeUndefined();
    const { ownerId: _ownerId, ...unowned } = owned({ status: 'in_pool' });
    expect(nextFollowUpCheck(unowned, recycling)).toBeUndefined();
  });

  it('recycles to a named rep with lead.assigned for them, or to the pool when that rep is at their holding cap', () => {
    const recycling = rules({ noFirstContactHours: 1, toRep: 'rep-ben' });
    const plan = planFollowUps({ lead: owned(), rules: recycling, now: at(1) })!;
    expect(plan.events.map((event) => event.type)).toEqual(['lead.recycled', 'lead.assigned']);
    expect(plan.lead).toMatchObject({ ownerId: 'rep-ben', previousOwnerId: 'rep-ava', status: 'assigned' });
    const full = planFollowUps({ lead: owned(), rules: recycling, now: at(1), repAtCapacity: true })!;
    expect(full.move).toEqual({ to: 'pool', previousOwnerId: 'rep-ava' });
    // Recycled to rep-ben once, and not worked by him either: the pool gets it, not rep-ben again.
    const again = planFollowUps({ lead: plan.lead, rules: recycling, now: at(3) })!;
    expect(again.move).toEqual({ to: 'pool', previousOwnerId: 'rep-ben' });
  });

  it('recycles to the pool, not to a named rep the configuration marks inactive, as when that rep is at their holding cap', () => {
    const document = demoConfiguration();
    document.pools[0].recycle = poolRecycleRulesSchema.parse({ noFirstContactHours: 1, toRep: 'rep-ben' });
    document.reps.find((rep) => rep.id === 'rep-ben')!.active = false;
    const plan = planFollowUps({ lead: owned(), rules: followUpRulesFor(document, owned()), now: at(1) })!;
    expect(plan.move).toEqual({ to: 'pool', previousOwnerId: 'rep-ava' });
    expect(plan.events.map((event) => event.type)).toEqual(['lead.recycled']);
    expect(plan.lead).toMatchObject({ status: 'in_pool', previousOwnerId: 'rep-ava' });
    expect(plan.lead.ownerId).toBeUndefined();
  });

  it('refuses a recycle rule without conditions and a target rep the configuration does not have', () => {
    expect(() => poolRecycleRulesSchema.parse({ warnDaysBefore: 1 })).toThrow(/at least one of noFollowUpDays/);
    const document = JSON.parse(JSON.stringify(config));
    document.pools[0].recycle = { noFollowUpDays: 3, toRep: 'rep-nobody' };
    expect(() => parseConfiguration(document)).toThrow(/pools\[0\]\.recycle\.toRep: unknown rep "rep-nobody"/);
  });
});

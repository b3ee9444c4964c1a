import { describe, expect, it, vi } from 'vitest';
import { followUpRulesFor, planFollowUps, routeFor } from '@leadflow/domain';
import { logger } from '@leadflow/platform';
import { createHandler } from '../../../functions/notify-follow-ups/handler';
import { createHandler as createAssign } from '../../../functions/assign-lead/handler';
import { createHandler as createManualAssign } from '../../../functions/assign-lead-manually/handler';
import { createHandler as createStatusChange } from '../../../functions/change-lead-status/handler';
import { createHandler as createActivityLog } from '../../../functions/log-lead-activity/handler';
import { busEvent, httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';

type Deps = ReturnType<typeof fakeDependencies>;

const facts = { leadId: 'lead-1', poolId: 'americas-inbound', channel: 'website', capturedAt: '2026-03-02T10:00:00.000Z', ownerId: 'rep-ava', by: 'system' };

/** What a run of the follow-up rules at `at` does to lead-1, as run-follow-up-rules writes it: its events, as the bus delivers them. */
function followUpsAt(deps: Deps, at: string) {
  const lead = deps.store.leads.get('lead-1')!;
  const plan = planFollowUps({ lead, rules: followUpRulesFor(deps.config, lead), now: new Date(at) })!;
  deps.store.leads.set(lead.leadId, plan.lead);
  return plan.events.map((event) => busEvent(event.type, event.detail));
}

/** Lead-1 (grade C: first contact within a day), which round robin gave Ava at 10:00, and which the rules reminded her of at 09:50 the next day. */
async function world() {
  const deps = fakeDependencies(new Date(facts.capturedAt));
  const intake = webFormIntake(deps.config, { leadId: 'lead-1', now: deps.now(), contact: { name: 'Grace\nBcc: all@example.com', email: 'grace@example.com' } });
  await deps.store.ingestLead(intake);
  const detail = intake.events.find((event) => event.type === 'lead.scored')!.detail;
  await createAssign(() => deps)({ routeId: routeFor(deps.config.routing, detail).id, detail }, lambdaContext);
  expect(deps.store.leads.get('lead-1')).toMatchObject({ ownerId: 'rep-ava', score: { grade: 'C' } });
  const [reminder] = followUpsAt(deps, '2026-03-03T09:50:00.000Z');
  return { deps, notify: createHandler(() => deps), reminder };
}

const steps = { assign: createManualAssign, status: createStatusChange, activities: createActivityLog };

/** `POST /leads/lead-1/<step>` as `sub`, at `at`. */
async function post(deps: Deps, step: keyof typeof steps, sub: string, body: unknown, at: string) {
  deps.now = () => new Date(at);
  const claims = { sub, 'cognito:groups': sub.startsWith('mgr-') ? '[manager]' : '[rep]' };
  const event = httpEvent({ method: 'POST', path: `/leads/lead-1/${step}`, pathParameters: { leadId: 'lead-1' }, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), claims });
  const response = (await steps[step](() => deps)(event, lambdaContext)) as { statusCode: number };
  expect(response.statusCode).toBe(200);
}

describe('notify-follow-ups', () => {
  it('emails the owner a reminder once, however often the event is delivered, with lead text on one line', async () => {
    const { deps, notify } = await world();
    const event = busEvent('lead.reminded', { ...facts, eventId: 'r1', sla: 'first_contact', dueAt: '2026-03-03T10:00:00.000Z', remindedAt: '2026-03-03T09:50:00.000Z' });
    await notify(event);
    await notify(event);
    expect(deps.mailer.sent).toHaveLength(1);
    expect(deps.mailer.sent[0]).toMatchObject({
      to: 'ava.chen@northwind.example',
      subject: 'Reminder: first contact with Grace Bcc: all@example.com due at 2026-03-03T10:00:00.000Z',
      tags: { leadId: 'lead-1', repId: 'rep-ava' },
    });
  });

  it('emails once when two deliveries race: the one that finds the claim fails for a retry, which sends nothing', async () => {
    const { deps, notify } = await world();
    const event = busEvent('lead.reminded', { ...facts, eventId: 'r1', sla: 'first_contact', dueAt: '2026-03-03T10:00:00.000Z', remindedAt: '2026-03-03T09:50:00.000Z' });
    const deliveries = await Promise.allSettled([notify(event), notify(event)]);
    expect(deliveries.map((delivery) => delivery.status).sort()).toEqual(['fulfilled', 'rejected']);
    await notify(event);
    expect(deps.mailer.sent).toHaveLength(1);
  });

  it('gives the claim back when the email fails, so the retry sends it; a claim whose holder died is taken over after its lease', async () => {
    const { deps, notify } = await world();
    const event = busEvent('lead.reminded', { ...facts, eventId: 'r1', sla: 'first_contact', dueAt: '2026-03-03T10:00:00.000Z', remindedAt: '2026-03-03T09:50:00.000Z' });
    vi.spyOn(deps.mailer, 'send').mockRejectedValueOnce(new Error('SES throttled'));
    await expect(notify(event)).rejects.toThrow(/SES throttled/);
    await notify(event);
    expect(deps.mailer.sent).toHaveLength(1);

    // A delivery claimed this one and died: within the claim's lease it may still be sending, after it the retry sends.
    const breach = (eventId: string) => busEvent('lead.sla_breached', { ...facts, eventId, sla: 'next_step', dueAt: '2026-03-03T10:00:00.000Z', breach: 1, breachedAt: '2026-03-03T10:00:00.000Z' });
    await deps.notifications.claim('lead.sla_breached-email:b1:mgr-maya', 'lead-1', new Date(deps.now().getTime() - 30_000).toISOString());
    await expect(notify(breach('b1'))).rejects.toThrow(/claimed/);
    await deps.notifications.claim('lead.sla_breached-email:b2:mgr-maya', 'lead-1', new Date(deps.now().getTime() - 61_000).toISOString());
    await notify(breach('b2'));
    expect(deps.mailer.sent.map((email) => email.subject)).toEqual([expect.stringMatching(/^Reminder/), expect.stringMatching(/^SLA breached/)]);
  });

  it("tells the pool team's managers of a breach, and the old owner of a recycle", async () => {
    const { deps, notify } = await world();
    await notify(busEvent('lead.sla_breached', { ...facts, eventId: 'b1', sla: 'next_step', dueAt: '2026-03-03T10:00:00.000Z', breach: 1, breachedAt: '2026-03-03T10:00:00.000Z' }));
    await notify(
      busEvent('lead.recycled', {
        ...facts,
        ownerId: undefined,
        eventId: 'c1',
        previousOwnerId: 'rep-ben',
        trigger: 'recycle_rule',
        rule: 'pool americas-inbound: no follow-up for 14 days',
        to: 'pool',
        recycledAt: '2026-03-20T10:00:00.000Z',
      }),
    );
    expect(deps.mailer.sent.map((email) => [email.to, email.subject])).toEqual([
      ['maya.goldberg@northwind.example', 'SLA breached: Grace Bcc: all@example.com, promised next step overdue (breach 1)'],
      ['ben.okafor@northwind.example', 'Grace Bcc: all@example.com was recycled'],
    ]);
    expect(deps.mailer.sent[1].text).toContain('was taken back to pool americas-inbound (pool americas-inbound: no follow-up for 14 days)');
  });

  describe('a reminder or a recycle warning that arrives late (a retry, the outbox sweep after an outage)', () => {
    it.each([
      ['the lead a manager moved to Ben since', (deps: Deps) => post(deps, 'assign', 'mgr-maya', { repId: 'rep-ben' }, '2026-03-03T09:51:00.000Z'), 'lead is now held by rep-ben'],
      ['the lead she marked contacted since', (deps: Deps) => post(deps, 'status', 'rep-ava', { status: 'contacted' }, '2026-03-03T09:51:00.000Z'), 'the obligation it reminds of was met or replaced since'],
    ])('is not sent about %s, claims nothing, and says why', async (_case, since, reason) => {
      const { deps, notify, reminder } = await world();
      await since(deps);
      const info = vi.spyOn(logger, 'info');
      await notify(reminder);
      expect(deps.mailer.sent).toEqual([]);
      expect([...deps.notifications.claims.keys(), ...deps.notifications.sent.keys()]).toEqual([]);
      expect(info).toHaveBeenCalledWith('Follow-up notice not sent: no longer news', { leadId: 'lead-1', type: 'lead.reminded', recipientId: 'rep-ava', reason });
    });

    it('is sent while it still stands: a reminder of a first contact breached since, a recycle warning nothing moved', async () => {
      const { deps, notify, reminder } = await world();
      const [breach] = followUpsAt(deps, '2026-03-03T10:00:00.000Z');
      const [warning] = followUpsAt(deps, '2026-03-04T10:00:00.000Z');
      for (const event of [reminder, breach, warning]) await notify(event);
      expect(deps.mailer.sent.map((email) => email.subject)).toEqual([expect.stringMatching(/^Reminder: first contact/), expect.stringMatching(/^SLA breached/), expect.stringMatching(/will be recycled at/)]);
    });

    it('a recycle warning is not sent once a call she logged since moved the recycle on', async () => {
      const { deps, notify } = await world();
      followUpsAt(deps, '2026-03-03T10:00:00.000Z');
      const [warning] = followUpsAt(deps, '2026-03-04T10:00:00.000Z');
      await post(deps, 'activities', 'rep-ava', { kind: 'call', outcome: 'Left a voicemail' }, '2026-03-04T10:01:00.000Z');
      const info = vi.spyOn(logger, 'info');
      await notify(warning);
      expect(deps.mailer.sent).toEqual([]);
      expect(info).toHaveBeenCalledWith('Follow-up notice not sent: no longer news', expect.objectContaining({ type: 'lead.recycle_warned', reason: 'the recycle it warns of was moved or called off since' }));
    });
  });

  it('refuses an event it does not handle and a detail that breaks its contract', async () => {
    const { deps, notify } = await world();
    await expect(notify(busEvent('lead.claimed', { eventId: 'x', leadId: 'lead-1' }))).rejects.toThrow('notify-follow-ups does not handle lead.claimed');
    await expect(notify(busEvent('lead.reminded', { ...facts, eventId: 'r2', sla: 'soon' }))).rejects.toThrow();
    expect(deps.mailer.sent).toEqual([]);
  });
});

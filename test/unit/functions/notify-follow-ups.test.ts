import { describe, expect, it, vi } from 'vitest';
import { createHandler } from '../../../functions/notify-follow-ups/handler';
import { busEvent } from '../../support/api-gateway-events';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';

const facts = { leadId: 'lead-1', poolId: 'americas-inbound', channel: 'website', capturedAt: '2026-03-02T10:00:00.000Z', ownerId: 'rep-ava', by: 'system' };

async function world() {
  const deps = fakeDependencies();
  await deps.store.ingestLead(webFormIntake(deps.config, { leadId: 'lead-1', contact: { name: 'Grace\nBcc: all@example.com', email: 'grace@example.com' } }));
  return { deps, notify: createHandler(() => deps) };
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

  it('refuses an event it does not handle and a detail that breaks its contract', async () => {
    const { deps, notify } = await world();
    await expect(notify(busEvent('lead.claimed', { eventId: 'x', leadId: 'lead-1' }))).rejects.toThrow('notify-follow-ups does not handle lead.claimed');
    await expect(notify(busEvent('lead.reminded', { ...facts, eventId: 'r2', sla: 'soon' }))).rejects.toThrow();
    expect(deps.mailer.sent).toEqual([]);
  });
});

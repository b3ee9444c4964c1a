import { describe, expect, it } from 'vitest';
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

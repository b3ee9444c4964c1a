import { describe, expect, it } from 'vitest';
import { teamActivityCount, teamDigestEmail, teamDigestRecipients, teamsDueForDigest } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';

const config = demoConfiguration();

describe("the managers' morning digest (pure)", () => {
  it('is due for a team on the quarter hour of its local time, for the local day before', () => {
    // 08:30 in New York (EST, UTC-5) is 13:30 UTC; London (GMT) is due at 08:30 UTC.
    expect(teamsDueForDigest(config, new Date('2026-03-03T13:30:00Z')).map(({ team, day }) => [team.id, day])).toEqual([['americas', '2026-03-02']]);
    expect(teamsDueForDigest(config, new Date('2026-03-03T13:44:59Z')).map(({ team }) => team.id)).toEqual(['americas']);
    expect(teamsDueForDigest(config, new Date('2026-03-03T13:45:00Z'))).toEqual([]);
    expect(teamsDueForDigest(config, new Date('2026-03-03T08:30:00Z')).map(({ team, day }) => [team.id, day])).toEqual([['emea', '2026-03-02']]);
    // Summer time moves the UTC hour, not the local one.
    expect(teamsDueForDigest(config, new Date('2026-07-01T12:30:00Z')).map(({ team }) => team.id)).toEqual(['americas']);
  });

  it('goes out at the first tick after a digest time the clocks skip, once, and at the time itself on other days', () => {
    const earlyBird = demoConfiguration();
    earlyBird.teams = [{ ...earlyBird.teams.find((team) => team.id === 'americas')!, digest: { at: '02:30', timeZone: 'America/New_York' } }];
    // New York skips 02:00–03:00 on 2026-03-08: from midnight EST (05:00 UTC) to the morning after 02:30 EDT, every tick.
    const ticks = Array.from({ length: 4 * 26 }, (_, index) => new Date(Date.parse('2026-03-08T05:00:00Z') + index * 15 * 60_000));
    const due = ticks.flatMap((tick) => teamsDueForDigest(earlyBird, tick).map(({ day }) => [tick.toISOString(), day]));
    expect(due).toEqual([
      ['2026-03-08T07:00:00.000Z', '2026-03-07'],
      ['2026-03-09T06:30:00.000Z', '2026-03-08'],
    ]);
  });

  it("counts each event for its rep on the team's local day, and only what the digest reports", () => {
    const base = { eventId: 'e1', leadId: 'l1', poolId: 'americas-inbound', channel: 'website', capturedAt: '2026-03-02T10:00:00.000Z', by: 'system' };
    // 03:00 UTC on the 3rd is still the 2nd in New York.
    expect(teamActivityCount('lead.claimed', { ...base, ownerId: 'rep-ben', claimedAt: '2026-03-03T03:00:00.000Z' }, config)).toEqual({ teamId: 'americas', day: '2026-03-02', metric: 'new', repId: 'rep-ben' });
    expect(teamActivityCount('lead.status_changed', { ...base, ownerId: 'rep-ava', from: 'assigned', to: 'contacted', changedAt: '2026-03-02T12:00:00.000Z' }, config)).toMatchObject({
      metric: 'contacted',
      repId: 'rep-ava',
    });
    expect(teamActivityCount('lead.status_changed', { ...base, ownerId: 'rep-ava', from: 'contacted', to: 'qualified', changedAt: '2026-03-02T12:00:00.000Z' }, config)).toBeUndefined();
    const breach = { ...base, ownerId: 'rep-ava', sla: 'first_contact', dueAt: '2026-03-02T11:00:00.000Z', breachedAt: '2026-03-02T11:00:00.000Z' };
    expect(teamActivityCount('lead.sla_breached', { ...breach, breach: 1 }, config)).toMatchObject({ metric: 'overdue' });
    expect(teamActivityCount('lead.sla_breached', { ...breach, breach: 2 }, config)).toBeUndefined();
    expect(teamActivityCount('lead.recycled', { ...base, previousOwnerId: 'rep-ava', trigger: 'recycle_rule', rule: 'r', to: 'pool', recycledAt: '2026-03-02T12:00:00.000Z' }, config)).toMatchObject({
      metric: 'recycled',
      repId: 'rep-ava',
    });
    const teamless = demoConfiguration();
    teamless.teams.forEach((team) => delete team.digest);
    expect(teamActivityCount('lead.claimed', { ...base, ownerId: 'rep-ben', claimedAt: '2026-03-03T03:00:00.000Z' }, teamless)).toBeUndefined();
  });

  it("goes to the team's managers and its pools' admins, with a row per rep, totals and each pool's backlog", () => {
    const americas = config.teams.find((team) => team.id === 'americas')!;
    const recipients = teamDigestRecipients(config, americas);
    expect(recipients.map((rep) => rep.id)).toEqual(['mgr-maya']);
    const email = teamDigestEmail({
      recipient: recipients[0],
      team: americas,
      day: '2026-03-02',
      counts: new Map([
        ['rep-ava', { new: 3, contacted: 2, converted: 1 }],
        ['rep-ben', { new: 1, overdue: 1, recycled: 1 }],
      ]),
      reps: config.reps.filter((rep) => ['rep-ava', 'rep-ben'].includes(rep.id)),
      pools: [{ poolId: 'nurture', name: 'Nurture (cold leads)', waiting: 4, oldestCapturedAt: '2026-03-01T13:30:00.000Z' }],
      now: new Date('2026-03-03T13:30:00Z'),
    });
    expect(email.to).toBe('maya.goldberg@northwind.example');
    expect(email.subject).toBe('Americas inside sales: leads on 2026-03-02');
    expect(email.text).toContain('rep | new | contacted | overdue | recycled | converted');
    expect(email.text).toContain('Ava Chen | 3 | 2 | 0 | 0 | 1');
    expect(email.text).toContain('Ben Okafor | 1 | 0 | 1 | 1 | 0');
    expect(email.text).toContain('total | 4 | 2 | 1 | 1 | 1');
    expect(email.text).toContain('Nurture (cold leads): 4 waiting, oldest waiting 48 h (since 2026-03-01T13:30:00.000Z)');
  });
});

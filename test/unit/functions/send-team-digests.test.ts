import { describe, expect, it } from 'vitest';
import type { PoolBacklog, TeamActivityCount, TeamDayCounts } from '@leadflow/domain';
import { MessageRefusedError, notificationClaimLeaseMs, type OutgoingEmail, type SentMessage, type TeamActivityStore } from '@leadflow/platform';
import { createHandler } from '../../../functions/send-team-digests/handler';
import { demoConfiguration } from '../../support/demo-configuration';
import { RecordingMailer } from '../../support/fakes';

/** The counters and the digest entries of the notification log, with the claim rules of the DynamoDB adapter. */
class MemoryTeamActivity implements TeamActivityStore {
  readonly days = new Map<string, TeamDayCounts>();
  readonly sent = new Map<string, string>();
  readonly claims = new Map<string, string>();
  /** Recipients whose "sent" record fails to write (the run dies, or DynamoDB refuses, after the email went out). */
  readonly failRecordFor = new Set<string>();

  async count(_eventId: string, count: TeamActivityCount): Promise<'counted'> {
    const day = this.days.get(`${count.teamId}:${count.day}`) ?? new Map();
    day.set(count.repId, { ...day.get(count.repId), [count.metric]: (day.get(count.repId)?.[count.metric] ?? 0) + 1 });
    this.days.set(`${count.teamId}:${count.day}`, day);
    return 'counted';
  }
  async readDay(teamId: string, day: string): Promise<TeamDayCounts> {
    return this.days.get(`${teamId}:${day}`) ?? new Map();
  }
  async poolBacklog(poolId: string): Promise<Omit<PoolBacklog, 'name'>> {
    return { poolId, waiting: 0 };
  }
  async digestSent(teamId: string, day: string, recipientId: string): Promise<boolean> {
    return this.sent.has(`${teamId}:${day}:${recipientId}`);
  }
  async claimDigest(teamId: string, day: string, recipientId: string, claimedAt: string): Promise<'claimed' | 'already_claimed'> {
    const key = `${teamId}:${day}:${recipientId}`;
    const held = this.claims.get(key);
    if (this.sent.has(key) || (held && Date.parse(held) >= Date.parse(claimedAt) - notificationClaimLeaseMs)) return 'already_claimed';
    this.claims.set(key, claimedAt);
    return 'claimed';
  }
  async recordDigestSent(teamId: string, day: string, recipientId: string, sentAt: string): Promise<void> {
    if (this.failRecordFor.has(recipientId)) throw new Error('ProvisionedThroughputExceededException');
    this.claims.delete(`${teamId}:${day}:${recipientId}`);
    this.sent.set(`${teamId}:${day}:${recipientId}`, sentAt);
  }
  async releaseDigestClaim(teamId: string, day: string, recipientId: string, claimedAt: string): Promise<void> {
    const key = `${teamId}:${day}:${recipientId}`;
    if (this.claims.get(key) === claimedAt) this.claims.delete(key);
  }
}

/** SES refuses addresses it has not verified (sandbox) with `MessageRejected`. */
class RefusingMailer extends RecordingMailer {
  readonly refused = new Set<string>();
  readonly claimedWhenSent: boolean[] = [];
  constructor(private readonly teamActivity?: MemoryTeamActivity) {
    super();
  }
  override async send(message: OutgoingEmail): Promise<SentMessage> {
    if (this.teamActivity) this.claimedWhenSent.push(this.teamActivity.claims.has(`${message.tags.teamId}:2026-03-09:${message.tags.repId}`));
    if (this.refused.has(message.to)) throw new MessageRefusedError('not_sendable', 'MessageRejected: Email address is not verified');
    return super.send(message);
  }
}

/** Two New York teams due at 08:30 local (12:30 UTC on 2026-03-10, summer time): A to Maya and Ava, B to Ben. */
function world() {
  const config = demoConfiguration();
  const americas = config.teams.find((team) => team.id === 'americas')!;
  config.teams = [
    { ...americas, id: 'a', name: 'A', managers: ['mgr-maya', 'rep-ava'] },
    { ...americas, id: 'b', name: 'B', managers: ['rep-ben'] },
  ];
  const teamActivity = new MemoryTeamActivity();
  const mailer = new RefusingMailer(teamActivity);
  const clock = { now: new Date('2026-03-10T12:30:04Z') };
  const digest = createHandler(() => ({ config, mailer, teamActivity, now: () => clock.now }));
  const tick = (time: string) => {
    clock.now = new Date(Date.parse(time) + 4_000);
    return digest({ scheduleName: 'team-digests', time });
  };
  return { config, teamActivity, mailer, tick };
}

const maya = 'maya.goldberg@northwind.example';
const ava = 'ava.chen@northwind.example';
const ben = 'ben.okafor@northwind.example';

describe('send-team-digests', () => {
  it("sends every other digest when one manager's email is refused, fails naming that one, and a later tick that day sends it", async () => {
    const { mailer, tick } = world();
    mailer.refused.add(maya);
    await expect(tick('2026-03-10T12:30:00.000Z')).rejects.toThrow('Team digests: 1 failed: Team digest a of 2026-03-09 to mgr-maya: MessageRejected: Email address is not verified');
    expect(mailer.sent.map((email) => email.to).sort()).toEqual([ava, ben]);
    // The schedule's retries of the failed run send nothing twice.
    await expect(tick('2026-03-10T12:30:00.000Z')).rejects.toThrow('to mgr-maya');
    expect(mailer.sent).toHaveLength(2);
    mailer.refused.clear();
    // Past the due tick, the digest still owed for the day is made up, and only that one.
    expect(await tick('2026-03-10T12:45:00.000Z')).toEqual({ sent: 1 });
    expect(mailer.sent.map((email) => email.to).sort()).toEqual([ava, ben, maya]);
    expect(await tick('2026-03-10T13:00:00.000Z')).toEqual({ sent: 0 });
    expect(mailer.sent).toHaveLength(3);
  });

  it('makes up a due tick that never ran on a later tick of the local day, once per recipient, and not after the day is over', async () => {
    const { mailer, tick } = world();
    expect(await tick('2026-03-10T12:15:00.000Z')).toEqual({ sent: 0 });
    // No run at 12:30 (the schedule missed it); 21:45 in New York the same day.
    expect(await tick('2026-03-11T01:45:00.000Z')).toEqual({ sent: 3 });
    expect(mailer.sent.map((email) => email.subject).sort()).toEqual(['A: leads on 2026-03-09', 'A: leads on 2026-03-09', 'B: leads on 2026-03-09']);
    expect(await tick('2026-03-11T02:00:00.000Z')).toEqual({ sent: 0 });
    // The next local day, before its digest time: nothing for the 10th yet.
    expect(await tick('2026-03-11T04:15:00.000Z')).toEqual({ sent: 0 });
    expect(mailer.sent).toHaveLength(3);
  });

  it('claims each email before sending it, so two runs of one tick at once send each digest once', async () => {
    const { mailer, tick } = world();
    const runs = await Promise.allSettled([tick('2026-03-10T12:30:00.000Z'), tick('2026-03-10T12:30:00.000Z')]);
    expect(runs.map((run) => run.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(mailer.sent.map((email) => email.to).sort()).toEqual([ava, ben, maya]);
    expect(mailer.claimedWhenSent).toEqual([true, true, true]);
  });

  it('does not send again on a retry within the lease when the email went out but its record did not; a claim past its lease is taken for a dead run', async () => {
    const { mailer, teamActivity, tick } = world();
    teamActivity.failRecordFor.add('rep-ben');
    await expect(tick('2026-03-10T12:30:00.000Z')).rejects.toThrow('Team digests: 1 failed: Team digest b of 2026-03-09 to rep-ben: ProvisionedThroughputExceededException');
    expect(mailer.sent.map((email) => email.to).sort()).toEqual([ava, ben, maya]);
    teamActivity.failRecordFor.clear();
    // The retry comes within the claim's lease: Ben's claim is held, so he is not emailed twice.
    expect(await tick('2026-03-10T12:30:30.000Z')).toEqual({ sent: 0 });
    expect(mailer.sent).toHaveLength(3);
    // Email is at-least-once: a claim older than its lease is taken over by the next tick and sent again.
    expect(await tick('2026-03-10T12:45:00.000Z')).toEqual({ sent: 1 });
    expect(mailer.sent.map((email) => email.to)).toEqual([ava, maya, ben, ben]);
  });
});

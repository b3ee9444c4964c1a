import { describe, expect, it, vi } from 'vitest';
import type { PoolBacklog, TeamActivityCount, TeamDayCounts } from '@leadflow/domain';
import { MessageRejected, SESv2ServiceException } from '@aws-sdk/client-sesv2';
import { emailRefusal, MessageRefusedError, logger, notificationClaimLeaseMs, type OutgoingEmail, type SentMessage, type TeamActivityStore } from '@leadflow/platform';
import { createHandler } from '../../../functions/send-team-digests/handler';
import { demoConfiguration } from '../../support/demo-configuration';
import { RecordingMailer } from '../../support/fakes';

/** The counters and the digest entries of the notification log, with the claim rules of the DynamoDB adapter. */
class MemoryTeamActivity implements TeamActivityStore {
  readonly days = new Map<string, TeamDayCounts>();
  readonly sent = new Map<string, string>();
  readonly claims = new Map<string, string>();
  readonly undeliverable = new Map<string, string>();
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
  async digestOutcome(teamId: string, day: string, recipientId: string): Promise<'sent' | 'undeliverable' | undefined> {
    const key = `${teamId}:${day}:${recipientId}`;
    return this.sent.has(key) ? 'sent' : this.undeliverable.has(key) ? 'undeliverable' : undefined;
  }
  async claimDigest(teamId: string, day: string, recipientId: string, claimedAt: string): Promise<'claimed' | 'already_claimed'> {
    const key = `${teamId}:${day}:${recipientId}`;
    const held = this.claims.get(key);
    if (this.sent.has(key) || this.undeliverable.has(key) || (held && Date.parse(held) >= Date.parse(claimedAt) - notificationClaimLeaseMs)) return 'already_claimed';
    this.claims.set(key, claimedAt);
    return 'claimed';
  }
  async recordDigestSent(teamId: string, day: string, recipientId: string, sentAt: string): Promise<void> {
    if (this.failRecordFor.has(recipientId)) throw new Error('ProvisionedThroughputExceededException');
    this.claims.delete(`${teamId}:${day}:${recipientId}`);
    this.undeliverable.delete(`${teamId}:${day}:${recipientId}`);
    this.sent.set(`${teamId}:${day}:${recipientId}`, sentAt);
  }
  async recordDigestUndeliverable(teamId: string, day: string, recipientId: string, claimedAt: string, reason: string): Promise<'recorded' | 'not_claimed'> {
    const key = `${teamId}:${day}:${recipientId}`;
    if (this.claims.get(key) !== claimedAt) return 'not_claimed';
    this.claims.delete(key);
    this.undeliverable.set(key, reason);
    return 'recorded';
  }
  async releaseDigestClaim(teamId: string, day: string, recipientId: string, claimedAt: string): Promise<void> {
    const key = `${teamId}:${day}:${recipientId}`;
    if (this.claims.get(key) === claimedAt) this.claims.delete(key);
  }
}

/**
 * SES refuses addresses it has not verified (sandbox) with `MessageRejected`, for good (`refused`); it throttles
 * for a while (`throttled`). With `accountRefused` it refuses every email as SES does for a sender not allowed
 * to send (an IAM policy missing `ses:SendEmail`). `attempts` counts every send tried, refused or not.
 */
class RefusingMailer extends RecordingMailer {
  readonly refused = new Set<string>();
  readonly throttled = new Set<string>();
  accountRefused = false;
  readonly attempts: string[] = [];
  readonly claimedWhenSent: boolean[] = [];
  constructor(private readonly teamActivity?: MemoryTeamActivity) {
    super();
  }
  override async send(message: OutgoingEmail): Promise<SentMessage> {
    if (this.teamActivity) this.claimedWhenSent.push(this.teamActivity.claims.has(`${message.tags.teamId}:2026-03-09:${message.tags.repId}`));
    this.attempts.push(message.to);
    if (this.accountRefused) throw accessDenied();
    if (this.refused.has(message.to)) throw notVerified();
    if (this.throttled.has(message.to)) throw new MessageRefusedError('not_sent', 'Email provider refused (TooManyRequestsException): Maximum sending rate exceeded');
    return super.send(message);
  }
}

/** SES's refusal of an address it has not verified (sandbox), as the SES mailer throws it. */
const notVerified = () => emailRefusal(new MessageRejected({ message: 'Email address is not verified', $metadata: { httpStatusCode: 400 } }));
/** SES's refusal of a sender not allowed to send, as the SES mailer throws it: `not_sendable`, like `notVerified`. */
const accessDenied = () => emailRefusal(new SESv2ServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'not authorized to perform: ses:SendEmail', $metadata: { httpStatusCode: 403 } }));

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
  it("sends every other digest when one manager's email is not sent for now (throttled), fails naming that one, and a later tick that day sends it", async () => {
    const { mailer, tick } = world();
    mailer.throttled.add(maya);
    await expect(tick('2026-03-10T12:30:00.000Z')).rejects.toThrow('Team digests: 1 failed: Team digest a of 2026-03-09 to mgr-maya: Email provider refused (TooManyRequestsException): Maximum sending rate exceeded');
    expect(mailer.sent.map((email) => email.to).sort()).toEqual([ava, ben]);
    // The schedule's retries of the failed run send nothing twice, and try the throttled one again.
    await expect(tick('2026-03-10T12:30:00.000Z')).rejects.toThrow('to mgr-maya');
    expect(mailer.sent).toHaveLength(2);
    mailer.throttled.clear();
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

  it('records a digest the provider refuses for good as undeliverable: it fails one run, logged once at error level, and later ticks of the day skip it', async () => {
    const { mailer, teamActivity, tick } = world();
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      mailer.refused.add(maya);
      await expect(tick('2026-03-10T12:30:00.000Z')).rejects.toThrow(
        'Team digests: 1 failed: Team digest a of 2026-03-09 to mgr-maya: recorded undeliverable, not retried: Email provider refused (MessageRejected): Email address is not verified',
      );
      expect(mailer.sent.map((email) => email.to).sort()).toEqual([ava, ben]);
      expect(teamActivity.undeliverable).toEqual(new Map([['a:2026-03-09:mgr-maya', 'Email provider refused (MessageRejected): Email address is not verified']]));
      // The schedule's retry of the failed run, and every later tick of the local day, neither try it again nor fail.
      expect(await tick('2026-03-10T12:30:00.000Z')).toEqual({ sent: 0 });
      for (const time of ['2026-03-10T12:45:00.000Z', '2026-03-10T18:00:00.000Z', '2026-03-11T03:45:00.000Z']) expect(await tick(time)).toEqual({ sent: 0 });
      expect(mailer.attempts.filter((to) => to === maya)).toEqual([maya]);
      expect(error.mock.calls).toEqual([
        [
          'Team digest refused for good; recorded undeliverable, so later ticks of the day skip it',
          { teamId: 'a', day: '2026-03-09', recipientId: 'mgr-maya', reason: 'Email provider refused (MessageRejected): Email address is not verified' },
        ],
      ]);
      // The next local day's digest is owed again: the record is of one day's.
      mailer.refused.clear();
      expect(await tick('2026-03-11T12:30:00.000Z')).toEqual({ sent: 3 });
    } finally {
      error.mockRestore();
    }
  });

  it('gives every claim back when SES refuses the account or sender rather than the email, so a later tick sends each digest once it is fixed', async () => {
    const { mailer, teamActivity, tick } = world();
    expect(accessDenied()).toMatchObject({ outcome: 'not_sendable' });
    mailer.accountRefused = true;
    await expect(tick('2026-03-10T12:30:00.000Z')).rejects.toThrow('Team digests: 3 failed:');
    expect(teamActivity.undeliverable).toEqual(new Map());
    expect(teamActivity.claims).toEqual(new Map());
    // The deployment is fixed half an hour later: the day's digests still go out, each once.
    mailer.accountRefused = false;
    expect(await tick('2026-03-10T13:00:00.000Z')).toEqual({ sent: 3 });
    expect(mailer.sent.map((email) => email.to).sort()).toEqual([ava, ben, maya]);
  });

  it('leaves the outcome of a refused digest to the run that took over its lapsed claim, which sent it', async () => {
    const { mailer, teamActivity, tick } = world();
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      // A slow run claims Ben's digest, and SES refuses it only after the lease is over: a later tick took the claim over and sent it meanwhile.
      let slowSendStarted!: () => void;
      let refuseSlowSend!: () => void;
      const started = new Promise<void>((resolve) => (slowSendStarted = resolve));
      const refused = new Promise<void>((resolve) => (refuseSlowSend = resolve));
      const send = mailer.send.bind(mailer);
      let slow = true;
      mailer.send = async (message) => {
        if (message.to !== ben || !slow) return send(message);
        slow = false;
        slowSendStarted();
        await refused;
        throw notVerified();
      };
      const slowRun = tick('2026-03-10T12:30:00.000Z');
      await started;
      expect(await tick('2026-03-10T12:45:00.000Z')).toEqual({ sent: 1 });
      refuseSlowSend();
      // Its claim is no longer its own: nothing is recorded over the digest sent, and the run does not fail for it.
      expect(await slowRun).toEqual({ sent: 2 });
      expect(await teamActivity.digestOutcome('b', '2026-03-09', 'rep-ben')).toBe('sent');
      expect(teamActivity.undeliverable.size).toBe(0);
      expect(warn).toHaveBeenCalledWith('Team digest refused for good, but another run took over its claim; that run records the outcome', expect.objectContaining({ recipientId: 'rep-ben' }));
    } finally {
      warn.mockRestore();
    }
  });
});

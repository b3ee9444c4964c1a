import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MessageRejected } from '@aws-sdk/client-sesv2';
import { DynamoDbTeamActivityStore, emailRefusal, MessageRefusedError, type OutgoingEmail, type SentMessage } from '@leadflow/platform';
import { createHandler as createDigest } from '../../functions/send-team-digests/handler';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { RecordingMailer } from '../support/fakes';

let database: TestDatabase;
let teamActivity: DynamoDbTeamActivityStore;

beforeAll(async () => {
  database = await startTestDatabase();
  teamActivity = new DynamoDbTeamActivityStore(database.client, database.tableName);
});
afterAll(() => database?.stop());

/** SES refuses addresses it has not verified (sandbox) with `MessageRejected`, for good (`refused`); it throttles for a while (`throttled`). */
class RefusingMailer extends RecordingMailer {
  readonly refused = new Set<string>();
  readonly throttled = new Set<string>();
  readonly attempts: string[] = [];
  override async send(message: OutgoingEmail): Promise<SentMessage> {
    this.attempts.push(message.to);
    // As the SES mailer throws it: only a refusal naming the email itself is recorded undeliverable.
    if (this.refused.has(message.to)) throw emailRefusal(new MessageRejected({ message: 'Email address is not verified', $metadata: { httpStatusCode: 400 } }));
    if (this.throttled.has(message.to)) throw new MessageRefusedError('not_sent', 'Email provider refused (TooManyRequestsException): Maximum sending rate exceeded');
    return super.send(message);
  }
}

/** Teams A (to Maya) and B (to Ben), New York, due at 08:30 local (12:30 UTC on 2026-03-10); ticks of the schedule at `time`. */
function digestWorld() {
  const config = demoConfiguration();
  const americas = config.teams.find((team) => team.id === 'americas')!;
  config.teams = [
    { ...americas, id: 'a', name: 'A', managers: ['mgr-maya'] },
    { ...americas, id: 'b', name: 'B', managers: ['rep-ben'] },
  ];
  const mailer = new RefusingMailer();
  const clock = { now: new Date() };
  const digest = createDigest(() => ({ config, mailer, teamActivity, now: () => clock.now }));
  const tick = (time: string) => {
    clock.now = new Date(Date.parse(time) + 4_000);
    return digest({ scheduleName: 'team-digests', time });
  };
  return { mailer, tick };
}

const digestEntries = async (day: string) =>
  (await database.items()).filter((item) => String(item.pk).startsWith('NOTIFICATION#team-digest:') && String(item.pk).includes(`:${day}:`)).map((item) => ({ pk: item.pk, status: item.status, reason: item.reason }));

describe("the managers' digest claims in the notification log, against DynamoDB Local", () => {
  it('claims a digest once within its lease, takes over a lapsed claim, gives back only its own claim, and never claims one sent', { timeout: 120_000 }, async () => {
    const claim = (recipientId: string, at: string) => teamActivity.claimDigest('t1', '2026-03-09', recipientId, at);
    expect(await claim('mgr-maya', '2026-03-10T12:30:00.000Z')).toBe('claimed');
    expect(await teamActivity.digestOutcome('t1', '2026-03-09', 'mgr-maya')).toBeUndefined();
    expect(await claim('mgr-maya', '2026-03-10T12:30:59.000Z')).toBe('already_claimed');
    // Past the lease the first claimant is taken for dead; its late release leaves the new claim alone.
    expect(await claim('mgr-maya', '2026-03-10T12:31:01.000Z')).toBe('claimed');
    await teamActivity.releaseDigestClaim('t1', '2026-03-09', 'mgr-maya', '2026-03-10T12:30:00.000Z');
    expect(await claim('mgr-maya', '2026-03-10T12:31:30.000Z')).toBe('already_claimed');
    // Given back by its holder, it may be claimed at once.
    await teamActivity.releaseDigestClaim('t1', '2026-03-09', 'mgr-maya', '2026-03-10T12:31:01.000Z');
    expect(await teamActivity.digestOutcome('t1', '2026-03-09', 'mgr-maya')).toBeUndefined();
    expect(await claim('mgr-maya', '2026-03-10T12:31:40.000Z')).toBe('claimed');
    await teamActivity.recordDigestSent('t1', '2026-03-09', 'mgr-maya', '2026-03-10T12:31:41.000Z');
    expect(await teamActivity.digestOutcome('t1', '2026-03-09', 'mgr-maya')).toBe('sent');
    expect(await claim('mgr-maya', '2026-03-11T12:30:00.000Z')).toBe('already_claimed');
    // A release after the digest was recorded as sent leaves the record.
    await teamActivity.releaseDigestClaim('t1', '2026-03-09', 'mgr-maya', '2026-03-10T12:31:40.000Z');
    expect(await teamActivity.digestOutcome('t1', '2026-03-09', 'mgr-maya')).toBe('sent');
  });

  it('records a refused digest undeliverable only under its own claim, and never claims it again', { timeout: 120_000 }, async () => {
    const claim = (at: string) => teamActivity.claimDigest('t2', '2026-03-09', 'mgr-maya', at);
    const undeliverable = (claimedAt: string, at: string) => teamActivity.recordDigestUndeliverable('t2', '2026-03-09', 'mgr-maya', claimedAt, 'Email provider refused (MessageRejected): no', at);
    // Nothing claimed: nothing to record.
    expect(await undeliverable('2026-03-10T12:30:00.000Z', '2026-03-10T12:30:01.000Z')).toBe('not_claimed');
    expect(await teamActivity.digestOutcome('t2', '2026-03-09', 'mgr-maya')).toBeUndefined();
    expect(await claim('2026-03-10T12:30:00.000Z')).toBe('claimed');
    // The first claim lapsed and was taken over: its holder's late refusal is not recorded over the new claim.
    expect(await claim('2026-03-10T12:31:01.000Z')).toBe('claimed');
    expect(await undeliverable('2026-03-10T12:30:00.000Z', '2026-03-10T12:31:02.000Z')).toBe('not_claimed');
    expect(await teamActivity.digestOutcome('t2', '2026-03-09', 'mgr-maya')).toBeUndefined();
    expect(await undeliverable('2026-03-10T12:31:01.000Z', '2026-03-10T12:31:03.000Z')).toBe('recorded');
    expect(await teamActivity.digestOutcome('t2', '2026-03-09', 'mgr-maya')).toBe('undeliverable');
    expect(await digestEntries('2026-03-09')).toContainEqual({ pk: 'NOTIFICATION#team-digest:t2:2026-03-09:mgr-maya', status: 'undeliverable', reason: 'Email provider refused (MessageRejected): no' });
    // Not claimed again that day however late, nor given back, nor recorded twice.
    expect(await claim('2026-03-11T04:45:00.000Z')).toBe('already_claimed');
    await teamActivity.releaseDigestClaim('t2', '2026-03-09', 'mgr-maya', '2026-03-10T12:31:01.000Z');
    expect(await undeliverable('2026-03-10T12:31:01.000Z', '2026-03-10T12:31:04.000Z')).toBe('not_claimed');
    expect(await teamActivity.digestOutcome('t2', '2026-03-09', 'mgr-maya')).toBe('undeliverable');
    // A run that sent it after all (its claim lapsed while SES took the email) records it sent: that is what happened.
    await teamActivity.recordDigestSent('t2', '2026-03-09', 'mgr-maya', '2026-03-10T12:31:05.000Z');
    expect(await teamActivity.digestOutcome('t2', '2026-03-09', 'mgr-maya')).toBe('sent');
  });

  it("sends the other teams' digests when one is not sent for now (throttled), and the next tick sends that one, once", { timeout: 120_000 }, async () => {
    const { mailer, tick } = digestWorld();
    mailer.throttled.add('maya.goldberg@northwind.example');
    await expect(tick('2026-03-10T12:30:00.000Z')).rejects.toThrow('Team digest a of 2026-03-09 to mgr-maya: Email provider refused (TooManyRequestsException)');
    expect(mailer.sent.map((email) => email.to)).toEqual(['ben.okafor@northwind.example']);
    mailer.throttled.clear();
    expect(await tick('2026-03-10T12:45:00.000Z')).toEqual({ sent: 1 });
    expect(await tick('2026-03-10T13:00:00.000Z')).toEqual({ sent: 0 });
    expect(mailer.sent.map((email) => email.to)).toEqual(['ben.okafor@northwind.example', 'maya.goldberg@northwind.example']);
    expect((await database.items()).filter((item) => String(item.pk).startsWith('NOTIFICATION#team-digest:')).map((item) => [item.pk, item.status])).toEqual(
      expect.arrayContaining([
        ['NOTIFICATION#team-digest:a:2026-03-09:mgr-maya', undefined],
        ['NOTIFICATION#team-digest:b:2026-03-09:rep-ben', undefined],
      ]),
    );
  });

  it('records a digest SES refuses for good undeliverable: one run fails, and no later tick of the day tries it or fails', { timeout: 120_000 }, async () => {
    const { mailer, tick } = digestWorld();
    const maya = 'maya.goldberg@northwind.example';
    mailer.refused.add(maya);
    await expect(tick('2026-03-11T12:30:00.000Z')).rejects.toThrow('Team digests: 1 failed: Team digest a of 2026-03-10 to mgr-maya: recorded undeliverable, not retried: Email provider refused (MessageRejected)');
    expect(mailer.sent.map((email) => email.to)).toEqual(['ben.okafor@northwind.example']);
    expect(await digestEntries('2026-03-10')).toEqual(
      expect.arrayContaining([
        { pk: 'NOTIFICATION#team-digest:a:2026-03-10:mgr-maya', status: 'undeliverable', reason: 'Email provider refused (MessageRejected): Email address is not verified' },
        { pk: 'NOTIFICATION#team-digest:b:2026-03-10:rep-ben', status: undefined, reason: undefined },
      ]),
    );
    // The schedule's retry of the failed run, and the day's later ticks up to local midnight.
    for (const time of ['2026-03-11T12:30:00.000Z', '2026-03-11T12:45:00.000Z', '2026-03-11T20:00:00.000Z', '2026-03-12T03:45:00.000Z']) expect(await tick(time)).toEqual({ sent: 0 });
    expect(mailer.attempts.filter((to) => to === maya)).toEqual([maya]);
  });
});

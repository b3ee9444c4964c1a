import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbTeamActivityStore, MessageRefusedError, type OutgoingEmail, type SentMessage } from '@leadflow/platform';
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

/** SES refuses addresses it has not verified (sandbox) with `MessageRejected`. */
class RefusingMailer extends RecordingMailer {
  readonly refused = new Set<string>();
  override async send(message: OutgoingEmail): Promise<SentMessage> {
    if (this.refused.has(message.to)) throw new MessageRefusedError('not_sendable', 'MessageRejected: Email address is not verified');
    return super.send(message);
  }
}

describe("the managers' digest claims in the notification log, against DynamoDB Local", () => {
  it('claims a digest once within its lease, takes over a lapsed claim, gives back only its own claim, and never claims one sent', { timeout: 120_000 }, async () => {
    const claim = (recipientId: string, at: string) => teamActivity.claimDigest('t1', '2026-03-09', recipientId, at);
    expect(await claim('mgr-maya', '2026-03-10T12:30:00.000Z')).toBe('claimed');
    expect(await teamActivity.digestSent('t1', '2026-03-09', 'mgr-maya')).toBe(false);
    expect(await claim('mgr-maya', '2026-03-10T12:30:59.000Z')).toBe('already_claimed');
    // Past the lease the first claimant is taken for dead; its late release leaves the new claim alone.
    expect(await claim('mgr-maya', '2026-03-10T12:31:01.000Z')).toBe('claimed');
    await teamActivity.releaseDigestClaim('t1', '2026-03-09', 'mgr-maya', '2026-03-10T12:30:00.000Z');
    expect(await claim('mgr-maya', '2026-03-10T12:31:30.000Z')).toBe('already_claimed');
    // Given back by its holder, it may be claimed at once.
    await teamActivity.releaseDigestClaim('t1', '2026-03-09', 'mgr-maya', '2026-03-10T12:31:01.000Z');
    expect(await teamActivity.digestSent('t1', '2026-03-09', 'mgr-maya')).toBe(false);
    expect(await claim('mgr-maya', '2026-03-10T12:31:40.000Z')).toBe('claimed');
    await teamActivity.recordDigestSent('t1', '2026-03-09', 'mgr-maya', '2026-03-10T12:31:41.000Z');
    expect(await teamActivity.digestSent('t1', '2026-03-09', 'mgr-maya')).toBe(true);
    expect(await claim('mgr-maya', '2026-03-11T12:30:00.000Z')).toBe('already_claimed');
    // A release after the digest was recorded as sent leaves the record.
    await teamActivity.releaseDigestClaim('t1', '2026-03-09', 'mgr-maya', '2026-03-10T12:31:40.000Z');
    expect(await teamActivity.digestSent('t1', '2026-03-09', 'mgr-maya')).toBe(true);
  });

  it("sends the other teams' digests when one is refused, and the next tick sends that one, once", { timeout: 120_000 }, async () => {
    const config = demoConfiguration();
    const americas = config.teams.find((team) => team.id === 'americas')!;
    config.teams = [
      { ...americas, id: 'a', name: 'A', managers: ['mgr-maya'] },
      { ...americas, id: 'b', name: 'B', managers: ['rep-ben'] },
    ];
    const mailer = new RefusingMailer();
    mailer.refused.add('maya.goldberg@northwind.example');
    const clock = { now: new Date() };
    const digest = createDigest(() => ({ config, mailer, teamActivity, now: () => clock.now }));
    const tick = (time: string) => {
      clock.now = new Date(Date.parse(time) + 4_000);
      return digest({ scheduleName: 'team-digests', time });
    };
    await expect(tick('2026-03-10T12:30:00.000Z')).rejects.toThrow('Team digest a of 2026-03-09 to mgr-maya: MessageRejected');
    expect(mailer.sent.map((email) => email.to)).toEqual(['ben.okafor@northwind.example']);
    mailer.refused.clear();
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
});

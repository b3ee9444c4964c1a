import { IdempotencyAlreadyInProgressError } from '@aws-lambda-powertools/idempotency';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { planClaim, type Configuration } from '@leadflow/domain';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientSettings } from '@leadflow/local-runtime';
import { createDynamoDbClient, dynamoDbIdempotencyStore, DynamoDbNotificationSendLedger, DynamoDbOneTapLinkLedger } from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createHandler as createNotify } from '../../functions/notify-rep/handler';
import { createHandler as createPerform } from '../../functions/perform-one-tap-action/handler';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { busEvent, httpEvent, lambdaContext } from '../support/api-gateway-events';
import { pooledLead } from '../support/pooled-leads';
import { RecordingMailer, RecordingMetrics, RecordingSmsSender } from '../support/fakes';
import { RecordingSecretStore } from '../support/demo-secrets';

let database: TestDatabase;
let leads: DynamoDbLeadStoreWithIngestion;
let rawClient: DynamoDBClient;

beforeAll(async () => {
  database = await startTestDatabase();
  leads = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName);
  rawClient = createDynamoDbClient(localClientSettings({ dynamodb: database.endpoint }));
});
// Send sweeps and delivery retries read every due item in the table: each case starts on an empty one, so it sees only its own.
beforeEach(() => database.reset());
afterAll(async () => {
  rawClient?.destroy();
  await database?.stop();
});

/** The demo configuration texting every lead, one notifier's dependencies on DynamoDB Local, and fakes for the providers. */
function world(budget = { organisation: { dailyCount: 500, dailySpend: 10 }, perRep: { dailyCount: 500, dailySpend: 10 } }, now = new Date('2026-03-02T17:00:00.000Z')) {
  const config: Configuration = demoConfiguration();
  config.notifications.defaultChannels = ['sms', 'email'];
  config.notifications.sms.budget = budget;
  const deps = {
    config,
    leads,
    mailer: new RecordingMailer(),
    sms: new RecordingSmsSender(),
    sends: new DynamoDbNotificationSendLedger(database.client, database.tableName),
    links: new DynamoDbOneTapLinkLedger(database.client, database.tableName),
    repNotificationIdempotency: dynamoDbIdempotencyStore(rawClient, database.tableName, 'rep-notification'),
    secrets: new RecordingSecretStore(),
    metrics: new RecordingMetrics(),
    publicBaseUrl: 'https://leads.example',
    now: () => now,
    newId: randomUUID,
  };
  /** A lead in the Americas pool that `repId` claimed, so it is theirs, and the `lead.assigned` detail announcing it. */
  const ownedLead = async (leadId: string, repId = 'rep-ava') => {
    const lead = await pooledLead(leads, config, { leadId, poolId: 'americas-inbound' });
    const plan = planClaim({
      lead,
      pool: config.pools.find((pool) => pool.id === 'americas-inbound')!,
      rep: config.reps.find((rep) => rep.id === repId)!,
      timeZone: config.organisation.timeZone,
      now,
      eventId: randomUUID(),
    });
    if (!('claim' in plan) || (await leads.claimLead(plan.claim)) !== 'claimed') throw new Error(`${repId} could not take ${leadId}`);
    return { eventId: `assign-${leadId}`, leadId, ownerId: repId, poolId: 'americas-inbound', rule: 'manual', assignedAt: now.toISOString() };
  };
  return { deps, ownedLead };
}

describe('notification sends against DynamoDB Local', () => {
  it('two notifiers racing, and five deliveries of one event, send one SMS and one email', { timeout: 120_000 }, async () => {
    const first = world();
    // A second notifier: its own providers, the same table.
    const second = world();
    const detail = await first.ownedLead('race-1');
    const notifiers = [first.deps, second.deps, first.deps, second.deps, first.deps, second.deps, first.deps].map((deps) => createNotify(() => deps));
    // A delivery that finds the event held by another invocation fails, for the bus to retry it later.
    const deliveries = await Promise.allSettled(notifiers.map((notify) => notify(busEvent('lead.assigned', detail), lambdaContext)));
    for (const delivery of deliveries) if (delivery.status === 'rejected') expect(delivery.reason).toBeInstanceOf(IdempotencyAlreadyInProgressError);
    expect(deliveries.some((delivery) => delivery.status === 'fulfilled')).toBe(true);
    const smsSent = [...first.deps.sms.sent, ...second.deps.sms.sent];
    const emailsSent = [...first.deps.mailer.sent, ...second.deps.mailer.sent];
    expect(smsSent).toHaveLength(1);
    expect(emailsSent).toHaveLength(1);
    const records = (await database.items()).filter((item) => item.entity === 'send' && item.leadId === 'race-1');
    expect(records.map((item) => [item.channel, item.status, item.sendQueue])).toEqual(
      expect.arrayContaining([
        ['sms', 'sent', undefined],
        ['email', 'sent', undefined],
      ]),
    );
    expect(records).toHaveLength(2);
  });

  it('five deliveries of one event run the notifier once (Powertools Idempotency), the later ones answered from its record', { timeout: 120_000 }, async () => {
    const { deps, ownedLead } = world();
    const detail = await ownedLead('replay-1');
    const idempotencyRecords = async () => (await database.items()).filter((item) => String(item.pk).startsWith('IDEMPOTENCY#rep-notification#'));
    const recordsBefore = (await idempotencyRecords()).length;
    const ledgerReads = vi.spyOn(deps.sends, 'readForNotifying');
    const notify = createNotify(() => deps);
    for (let delivery = 0; delivery < 5; delivery += 1) await notify(busEvent('lead.assigned', detail), lambdaContext);
    expect(deps.sms.sent).toHaveLength(1);
    expect(deps.mailer.sent).toHaveLength(1);
    // Without the idempotency record every delivery would read the ledger again (and find its claims).
    expect(ledgerReads).toHaveBeenCalledTimes(1);
    const records = await idempotencyRecords();
    expect(records).toHaveLength(recordsBefore + 1);
    expect(records.every((record) => record.status === 'COMPLETED' && typeof record.expiresAt === 'number')).toBe(true);
    // One partition per record (earlier tests' events are here too): a fixed partition key would cap the notifier's write rate.
    expect(records.every((record) => record.sk === 'IDEMPOTENCY')).toBe(true);
    expect(new Set(records.map((record) => record.pk)).size).toBe(records.length);
  });

  it('a delivery that finds the event held fails for a retry, and the retry after the holder’s time sends (a holder that died never gives the record back)', { timeout: 120_000 }, async () => {
    const { deps, ownedLead } = world();
    const detail = await ownedLead('held-1');
    // The holder stops before claiming any message, and never finishes: a process killed there.
    vi.spyOn(deps.sends, 'readForNotifying').mockImplementationOnce(() => new Promise(() => undefined));
    const notify = createNotify(() => deps);
    // Five seconds: the in-progress record must be seen, and the second delivery refused, within them on a loaded machine.
    const holderContext = { ...lambdaContext, getRemainingTimeInMillis: () => 5_000 };
    const holder = notify(busEvent('lead.assigned', detail), holderContext).then(
      () => 'finished',
      (error: Error) => error.name,
    );
    await vi.waitFor(async () => expect((await database.items()).some((item) => String(item.pk).startsWith('IDEMPOTENCY#rep-notification#') && item.status === 'INPROGRESS')).toBe(true));

    await expect(notify(busEvent('lead.assigned', detail), lambdaContext)).rejects.toBeInstanceOf(IdempotencyAlreadyInProgressError);
    expect(deps.mailer.sent).toHaveLength(0);

    await new Promise((done) => setTimeout(done, 5_100));
    // Its time is up, as Lambda would end it; its record is still there, in progress.
    expect(await holder).toBe('TimeoutError');
    await notify(busEvent('lead.assigned', detail), lambdaContext);
    expect(deps.sms.sent).toHaveLength(1);
    expect(deps.mailer.sent).toHaveLength(1);
  });

  it('holds the organisation budget under a concurrent burst, counting exactly what was sent', { timeout: 120_000 }, async () => {
    // A day of its own, so the other tests' SMS do not count against it.
    const { deps, ownedLead } = world({ organisation: { dailyCount: 7, dailySpend: 10 }, perRep: { dailyCount: 500, dailySpend: 10 } }, new Date('2026-03-05T17:00:00.000Z'));
    const details = [];
    for (let index = 0; index < 24; index += 1) details.push(await ownedLead(`burst-${index}`, index % 2 ? 'rep-ava' : 'rep-ben'));
    const notify = createNotify(() => deps);
    await Promise.all(details.map((detail) => notify(busEvent('lead.assigned', detail), lambdaContext)));
    expect(deps.sms.sent).toHaveLength(7);
    expect(deps.mailer.sent.filter((email) => email.subject.startsWith('New lead'))).toHaveLength(24);
    expect(deps.mailer.sent.filter((email) => email.subject.startsWith('SMS budget reached'))).toHaveLength(1);
    const counter = (await database.items()).find((item) => item.pk === 'SMS_BUDGET#organisation' && item.sk === 'SMS#2026-03-05');
    expect(counter).toMatchObject({ smsCount: 7, costMicros: 70_000 });
  });

  it('a one-tap accept posted twice at once acts once', { timeout: 120_000 }, async () => {
    const { deps, ownedLead } = world();
    await createNotify(() => deps)(busEvent('lead.assigned', await ownedLead('tap-1')), lambdaContext);
    const token = /Accept lead: https:\/\/leads\.example\/a\/(\S+)/.exec(deps.mailer.sent[0].text)?.[1] ?? '';
    const perform = createPerform(() => deps);
    const post = () =>
      perform(
        httpEvent({ method: 'POST', path: `/a/${token}`, pathParameters: { token }, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' }),
        lambdaContext,
      ) as Promise<APIGatewayProxyStructuredResultV2>;
    const answers = await Promise.all([post(), post(), post()]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 409, 409]);
    expect((await leads.getLead('tap-1'))?.history.filter((entry) => entry.action === 'accepted')).toHaveLength(1);
    expect((await database.items()).filter((item) => item.entity === 'outbox' && item.detailType === 'lead.accepted' && item.detail.leadId === 'tap-1')).toHaveLength(1);
  });

  it('puts a deferred SMS the provider refused back in the deferred queue, due for the next sweep, with its budget given back', { timeout: 120_000 }, async () => {
    const ledger = new DynamoDbNotificationSendLedger(database.client, database.tableName);
    const key = { leadId: 'quiet-1', repId: 'rep-ava', reason: 'assigned', channel: 'sms' as const };
    // A day of its own, so the other tests' SMS do not count against it.
    const charge = { day: '2026-03-06', segments: 1, costMicros: 10_000, limits: { organisation: { count: 500, micros: 10_000_000 }, perRep: { count: 50, micros: 1_000_000 } } };
    await ledger.defer(key, '2026-03-06T10:15:00.000Z', '2026-03-06T15:00:00.000Z');
    expect(await ledger.claimSms(key, '2026-03-06T15:00:00.000Z', charge, true)).toBe('claimed');
    await ledger.deferAgain(key, charge, '2026-03-06T15:00:00.000Z');

    const due = (await ledger.listOpenSends('deferred', '2026-03-06T15:01:00.000Z', { limit: 1000 })).records.filter((record) => record.leadId === 'quiet-1');
    expect(due).toEqual([expect.objectContaining({ ...key, status: 'deferred', notBefore: '2026-03-06T15:00:00.000Z' })]);
    const counters = (await database.items()).filter((item) => item.sk === 'SMS#2026-03-06');
    expect(counters.map((counter) => [counter.smsCount, counter.costMicros])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(await ledger.claimSms(key, '2026-03-06T15:01:00.000Z', charge, true)).toBe('claimed');
  });

  it('reads an open-send queue a page at a time, oldest first, each page after the last record read though it left the queue meanwhile', { timeout: 120_000 }, async () => {
    const ledger = new DynamoDbNotificationSendLedger(database.client, database.tableName);
    // Due long before the other tests' sends, and all at the same time: the index orders them among themselves.
    const keys = ['page-1', 'page-2', 'page-3', 'page-4', 'page-5'].map((leadId) => ({ leadId, repId: 'rep-ava', reason: 'assigned', channel: 'sms' as const }));
    for (const key of keys) await ledger.defer(key, '2020-01-01T00:00:00.000Z', '2020-01-01T08:00:00.000Z');
    await ledger.defer({ ...keys[0], leadId: 'page-later' }, '2020-01-01T00:00:00.000Z', '2020-01-01T09:00:00.000Z');
    const read: string[] = [];
    let page = await ledger.listOpenSends('deferred', '2020-01-01T08:30:00.000Z', { limit: 2 });
    read.push(...page.records.map((record) => record.leadId));
    // Sent by the run that read it: gone from the queue before the next page is read.
    const first = page.records[0];
    const charge = { day: '2020-01-01', segments: 1, costMicros: 1, limits: { organisation: { count: 9, micros: 9 }, perRep: { count: 9, micros: 9 } } };
    expect(await ledger.claimSms({ ...keys[0], leadId: first.leadId }, '2020-01-01T08:30:00.000Z', charge, true)).toBe('claimed');
    while (page.next) {
      page = await ledger.listOpenSends('deferred', '2020-01-01T08:30:00.000Z', { limit: 2, after: page.next });
      read.push(...page.records.map((record) => record.leadId));
    }
    expect(read.sort()).toEqual(['page-1', 'page-2', 'page-3', 'page-4', 'page-5']);
    expect((await ledger.listOpenSends('pending', '2020-01-01T08:30:00.000Z', { limit: 10 })).records.map((record) => record.leadId)).toEqual([first.leadId]);
  });

  it('spreads open sends over the index shards, and pages one by one through the sends of one lead due at the same time', { timeout: 120_000 }, async () => {
    const ledger = new DynamoDbNotificationSendLedger(database.client, database.tableName);
    // Due before every other test's sends, all at one time, in one partition (the lead's): only their sort keys tell them apart.
    const reps = ['rep-ava', 'rep-ben', 'rep-chloe', 'rep-dev'];
    for (const repId of reps) await ledger.defer({ leadId: 'tie-1', repId, reason: 'assigned', channel: 'sms' }, '2019-06-01T00:00:00.000Z', '2019-06-01T08:00:00.000Z');
    const read: string[] = [];
    let page = await ledger.listOpenSends('deferred', '2019-06-01T08:00:00.000Z', { limit: 1 });
    read.push(...page.records.map((record) => record.repId));
    while (page.next) {
      page = await ledger.listOpenSends('deferred', '2019-06-01T08:00:00.000Z', { limit: 1, after: page.next });
      read.push(...page.records.map((record) => record.repId));
    }
    expect(read).toEqual(reps);
    const queues = (await database.items()).filter((item) => item.entity === 'send' && item.leadId === 'tie-1').map((item) => String(item.sendQueue));
    expect(queues.every((queue) => /^deferred#([0-9]|1[0-5])$/.test(queue))).toBe(true);
    expect(new Set(queues).size).toBeGreaterThan(1);
  });

  it('closes a held SMS only while it is still held', { timeout: 120_000 }, async () => {
    const ledger = new DynamoDbNotificationSendLedger(database.client, database.tableName);
    const held = { leadId: 'quiet-2', repId: 'rep-ava', reason: 'assigned', channel: 'sms' as const };
    const taken = { ...held, leadId: 'quiet-3' };
    const charge = { day: '2026-03-08', segments: 1, costMicros: 10_000, limits: { organisation: { count: 500, micros: 10_000_000 }, perRep: { count: 50, micros: 1_000_000 } } };
    for (const key of [held, taken]) await ledger.defer(key, '2026-03-08T10:15:00.000Z', '2026-03-08T15:00:00.000Z');
    // Another sweep claimed this one to send it.
    expect(await ledger.claimSms(taken, '2026-03-08T15:00:00.000Z', charge, true)).toBe('claimed');
    expect(await ledger.closeDeferred(held)).toBe('closed');
    expect(await ledger.closeDeferred(taken)).toBe('already_claimed');
    const records = (await ledger.sendsFor('quiet-2')).concat(await ledger.sendsFor('quiet-3'));
    expect(records.map((record) => [record.leadId, record.status])).toEqual([['quiet-3', 'pending']]);
  });

  // The racing notifiers above never get this far (Powertools Idempotency turns the duplicates away first): the claims' own conditions are what stop two senders that both pass it.
  it('lets one of two concurrent claims of an email, and of an SMS, take it', { timeout: 120_000 }, async () => {
    const ledger = new DynamoDbNotificationSendLedger(database.client, database.tableName);
    const email = { leadId: 'claim-race-1', repId: 'rep-ava', reason: 'assigned', channel: 'email' as const };
    const sms = { ...email, channel: 'sms' as const };
    const at = '2026-03-09T10:00:00.000Z';
    const charge = { day: '2026-03-09', segments: 1, costMicros: 10_000, limits: { organisation: { count: 500, micros: 10_000_000 }, perRep: { count: 50, micros: 1_000_000 } } };
    expect((await Promise.all([ledger.claimEmail(email, at), ledger.claimEmail(email, at)])).sort()).toEqual(['already_claimed', 'claimed']);
    expect((await Promise.all([ledger.claimSms(sms, at, charge), ledger.claimSms(sms, at, charge)])).sort()).toEqual(['already_claimed', 'claimed']);
    expect((await ledger.sendsFor('claim-race-1')).map((record) => [record.channel, record.status]).sort()).toEqual([
      ['email', 'pending'],
      ['sms', 'pending'],
    ]);
  });

  it('lets one sweep take a stale email claim over, keeping it pending and stale again only after its own lease; forgets a failed alert', { timeout: 120_000 }, async () => {
    const ledger = new DynamoDbNotificationSendLedger(database.client, database.tableName);
    const key = { leadId: 'stale-1', repId: 'rep-ava', reason: 'assigned', channel: 'email' as const };
    await ledger.claimEmail(key, '2026-03-07T10:00:00.000Z');
    const takeOver = () => ledger.reclaimEmail(key, '2026-03-07T10:00:00.000Z', '2026-03-07T10:05:00.000Z');
    expect((await Promise.all([takeOver(), takeOver()])).sort()).toEqual(['already_claimed', 'claimed']);
    const stale = async (pendingBefore: string) => (await ledger.listOpenSends('pending', pendingBefore, { limit: 1000 })).records.filter((record) => record.leadId === 'stale-1');
    expect(await stale('2026-03-07T10:04:00.000Z')).toEqual([]);
    expect(await stale('2026-03-07T10:05:00.000Z')).toEqual([expect.objectContaining({ ...key, status: 'pending', claimedAt: '2026-03-07T10:05:00.000Z' })]);
    await ledger.recordSent(key, { messageId: 'm-1' }, '2026-03-07T10:05:01.000Z');
    expect(await ledger.reclaimEmail(key, '2026-03-07T10:05:00.000Z', '2026-03-07T10:07:00.000Z')).toBe('already_claimed');
    expect(await stale('2026-03-07T10:07:00.000Z')).toEqual([]);

    expect(await ledger.claimAlert('test-alert:mgr-maya', '2026-03-07T10:00:00.000Z')).toBe(true);
    expect(await ledger.claimAlert('test-alert:mgr-maya', '2026-03-07T10:00:00.000Z')).toBe(false);
    await ledger.releaseAlert('test-alert:mgr-maya');
    expect(await ledger.claimAlert('test-alert:mgr-maya', '2026-03-07T10:01:00.000Z')).toBe(true);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DescribeTimeToLiveCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  erasePersonFromLead,
  expiresAfterDays,
  leadEvent,
  newIntakeRecord,
  prepareIntake,
  retentionSchema,
  type ConsentRecord,
  type ConversionFeedback,
  type IntakeSubmission,
  type Lead,
  type LeadTransition,
} from '@leadflow/domain';
import {
  deliverWebhookEvent,
  erasePlatformLead,
  consentLedgerItem,
  DynamoDbConsentLedger,
  DynamoDbConversionFeedbackQueue,
  DynamoDbLeadErasure,
  DynamoDbLeadIntakeRecords,
  DynamoDbNotificationSendLedger,
  DynamoDbOutboxStore,
  DynamoDbWebhookDeliveryStore,
  replayWebhookDeliveries,
  retryDueWebhookDeliveries,
  type WebhookSender,
} from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { RecordingSecretStore } from '../support/demo-secrets';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { warmScoredLead } from '../support/scored-lead';
import { writeOutboxBacklog } from '../support/outbox-backlog';

/** Retention unlike the defaults, so every expiry below is shown to come from the configuration. */
const retention = retentionSchema.parse({ testLeadDays: 3, quarantinedLeadDays: 5, invalidLeadDays: 7, intakePayloadDays: 11, notificationDays: 13, conversionFeedbackDays: 17, webhookDeliveryDays: 19 });
const config = demoConfiguration();
// A route on an answer, so `lead.scored` carries the answer (what an erasure must take out of the outbox).
config.routing.routes.unshift({ id: 'big-firms', name: 'Big firms', match: { answers: { company_size: ['1000+'] } }, strategy: 'pool', poolId: 'key-accounts' });

let database: TestDatabase;
let leads: DynamoDbLeadStoreWithIngestion;
let erasures: DynamoDbLeadErasure;
let consents: DynamoDbConsentLedger;
let feedback: DynamoDbConversionFeedbackQueue;
beforeAll(async () => {
  database = await startTestDatabase();
  leads = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName, retention);
  erasures = new DynamoDbLeadErasure(database.client, database.tableName, retention);
  consents = new DynamoDbConsentLedger(database.client, database.tableName);
  feedback = new DynamoDbConversionFeedbackQueue(database.client, database.tableName, retention);
});
// Send sweeps and delivery retries read every due item in the table: each case starts on an empty one, so it sees only its own.
beforeEach(() => database.reset());
afterAll(() => database?.stop());

const capturedAt = new Date('2026-03-02T10:00:00.000Z');
const consent: ConsentRecord = { version: '2026-01', text: 'I agree.', purposes: ['contact', 'marketing_email'], givenAt: capturedAt.toISOString(), ip: '203.0.113.9', userAgent: 'Firefox' };

function intake(leadId: string, overrides: Partial<IntakeSubmission> = {}, now = capturedAt) {
  const submission: IntakeSubmission = {
    sourceKind: 'web_form',
    channel: 'website',
    formId: 'demo',
    poolId: 'americas-inbound',
    defaultCountry: 'US',
    contact: { name: 'Ada', email: `${leadId}@example.com` },
    answers: { company_size: '1000+' },
    attribution: {},
    isTest: false,
    ...overrides,
  };
  return prepareIntake(submission, { leadId, eventId: `${leadId}-captured`, touchEventId: `${leadId}-touched-${now.getTime()}` }, now, config);
}
const itemOf = async (pk: string, sk: string) => (await database.items()).find((item) => item.pk === pk && item.sk === sk);
const leadItem = (leadId: string) => itemOf(`LEAD#${leadId}`, 'LEAD');
/** The expiry of each of the lead's consent ledger entries, in time order (`undefined`: kept). */
const consentExpiries = async (leadId: string) =>
  (await database.items())
    .filter((item) => item.pk === `CONSENT#${leadId}`)
    .sort((a, b) => (a.sk < b.sk ? -1 : 1))
    .map((item) => item.expiresAt);
/** A conversion of the lead queued for Google, with its click id. */
const googleConversion = (leadId: string, stage: ConversionFeedback['stage'], occurredAt = '2026-03-03T09:00:00.000Z'): ConversionFeedback => ({
  platform: 'google',
  feedbackId: `${leadId}:${stage}`,
  leadId,
  stage,
  occurredAt,
  gclid: `Cj0-${leadId}-click`,
  attempts: 0,
  dueAt: occurredAt,
});
/** The status endpoint's write, as the store sees it: a transition to `status` at `now` (the store is under test, not the lifecycle rules). */
const statusChange = (lead: Lead, status: Lead['status'], now: Date): LeadTransition => {
  const at = now.toISOString();
  return {
    before: lead,
    after: { ...lead, status, updatedAt: at, history: [...lead.history, { at, action: status === 'invalid' ? 'invalidated' : 'reactivated', by: 'mgr-maya' }] },
    openLeads: [],
    event: leadEvent('lead.accepted', { eventId: `${lead.leadId}-status-${now.getTime()}`, leadId: lead.leadId, ownerId: 'mgr-maya', poolId: lead.poolId, acceptedAt: at }, at),
  };
};

describe('the consent ledger on DynamoDB Local', () => {
  it('keeps appended entries in time order, writing a retried append once, and refuses an entry that breaks the contract', async () => {
    const given = { leadId: 'ledger-1', purpose: 'marketing_email' as const, action: 'given' as const, at: '2026-03-02T10:00:00.000Z', source: 'form:demo', version: 'v1', text: 'Yes' };
    const withdrawn = { leadId: 'ledger-1', purpose: 'marketing_email' as const, action: 'withdrawn' as const, at: '2026-03-03T08:00:00.000Z', source: 'unsubscribe' };
    await leads.ingestLead(intake('ledger-1'));
    await consents.append(withdrawn);
    await consents.append(given);
    await consents.append(given);
    expect(await consents.entriesFor('ledger-1')).toEqual([given, withdrawn]);
    await expect(consents.append({ ...given, purpose: 'telepathy' as never })).rejects.toThrow(/purpose/);
    expect(await consents.entriesFor('ledger-1')).toHaveLength(2);
  });

  it('gets one given entry per purpose in the transaction that stores the lead, and more with a touch that gives consent under a new version', async () => {
    await leads.ingestLead(intake('consenting', { consent }));
    const entry = { leadId: 'consenting', action: 'given', at: capturedAt.toISOString(), source: 'form:demo', version: '2026-01', text: 'I agree.', ip: '203.0.113.9', userAgent: 'Firefox' };
    expect(await consents.entriesFor('consenting')).toEqual([
      { ...entry, purpose: 'contact' },
      { ...entry, purpose: 'marketing_email' },
    ]);
    const later = new Date('2026-03-04T09:00:00.000Z');
    const repeat = intake('consenting-again', { contact: { email: 'consenting@example.com' }, consent: { ...consent, version: '2026-02', purposes: ['contact'], givenAt: later.toISOString() } }, later);
    expect(await leads.ingestLead(repeat)).toEqual({ leadId: 'consenting', outcome: 'touched' });
    expect((await consents.entriesFor('consenting')).map((ledgerEntry) => `${ledgerEntry.at} ${ledgerEntry.purpose}`)).toEqual([
      '2026-03-02T10:00:00.000Z contact',
      '2026-03-02T10:00:00.000Z marketing_email',
      '2026-03-04T09:00:00.000Z contact',
    ]);
  });

  it('records a consent given again by the same form under the same version and text once, and one under a new version or after a withdrawal again', async () => {
    await leads.ingestLead(intake('regiven', { consent }));
    const post = (at: string, given: Partial<ConsentRecord> = {}) =>
      leads.ingestLead(intake('regiven-again', { contact: { email: 'regiven@example.com' }, consent: { ...consent, givenAt: at, ip: '198.51.100.7', userAgent: 'curl/8', ...given } }, new Date(at)));
    const ledger = async () => (await consents.entriesFor('regiven')).map((entry) => `${entry.at} ${entry.purpose} ${entry.action} ${entry.version ?? ''}`.trim());
    for (const at of ['2026-03-03T09:00:00.000Z', '2026-03-03T09:01:00.000Z', '2026-03-03T09:02:00.000Z']) expect(await post(at)).toEqual({ leadId: 'regiven', outcome: 'touched' });
    expect(await ledger()).toEqual(['2026-03-02T10:00:00.000Z contact given 2026-01', '2026-03-02T10:00:00.000Z marketing_email given 2026-01']);
    expect((await leadItem('regiven'))?.consentGiven).toMatchObject({ contact: { at: '2026-03-02T10:00:00.000Z', givenAgainAt: '2026-03-03T09:02:00.000Z' } });
    await post('2026-03-04T09:00:00.000Z', { version: '2026-02' });
    await post('2026-03-04T09:01:00.000Z', { version: '2026-02' });
    await consents.append({ leadId: 'regiven', purpose: 'marketing_email', action: 'withdrawn', at: '2026-03-05T09:00:00.000Z', source: 'unsubscribe' });
    expect((await leadItem('regiven'))?.consentGiven).not.toHaveProperty('marketing_email');
    await post('2026-03-06T09:00:00.000Z', { version: '2026-02' });
    await post('2026-03-06T09:01:00.000Z', { version: '2026-02' });
    expect(await ledger()).toEqual([
      '2026-03-02T10:00:00.000Z contact given 2026-01',
      '2026-03-02T10:00:00.000Z marketing_email given 2026-01',
      '2026-03-04T09:00:00.000Z contact given 2026-02',
      '2026-03-04T09:00:00.000Z marketing_email given 2026-02',
      '2026-03-05T09:00:00.000Z marketing_email withdrawn',
      '2026-03-06T09:00:00.000Z marketing_email given 2026-02',
    ]);
  });

  it('records a consent given again when a withdrawal lands between reading the lead and writing the touch', async () => {
    await leads.ingestLead(intake('withdrawn-meanwhile', { consent }));
    const send = database.client.send.bind(database.client);
    let transactions = 0;
    const client = Object.create(database.client) as typeof database.client;
    client.send = (async (command: { constructor: { name: string } }) => {
      // The first transaction tries a new lead (refused: the person's key is held); the second is the touch, on the lead as read.
      if (command.constructor.name === 'TransactWriteCommand' && ++transactions === 2) {
        await consents.append({ leadId: 'withdrawn-meanwhile', purpose: 'marketing_email', action: 'withdrawn', at: '2026-03-03T08:00:00.000Z', source: 'unsubscribe' });
      }
      return send(command as never);
    }) as typeof database.client.send;
    const store = new DynamoDbLeadStoreWithIngestion(client, database.tableName, retention);
    const at = new Date('2026-03-03T09:00:00.000Z');
    expect(await store.ingestLead(intake('withdrawn-meanwhile-again', { contact: { email: 'withdrawn-meanwhile@example.com' }, consent: { ...consent, givenAt: at.toISOString() } }, at))).toEqual({
      leadId: 'withdrawn-meanwhile',
      outcome: 'touched',
    });
    expect((await consents.entriesFor('withdrawn-meanwhile')).map((entry) => `${entry.at} ${entry.purpose} ${entry.action}`)).toEqual([
      '2026-03-02T10:00:00.000Z contact given',
      '2026-03-02T10:00:00.000Z marketing_email given',
      '2026-03-03T08:00:00.000Z marketing_email withdrawn',
      '2026-03-03T09:00:00.000Z marketing_email given',
    ]);
  });

  it('gets nothing when the lead is not stored (a replayed request) or consent was not given', async () => {
    await leads.ingestLead(intake('keyed', { consent }), 'form:demo:key-1');
    await leads.ingestLead(intake('keyed-retry', { consent: { ...consent, givenAt: '2026-03-02T10:00:05.000Z' } }), 'form:demo:key-1');
    expect(await consents.entriesFor('keyed')).toHaveLength(2);
    expect(await consents.entriesFor('keyed-retry')).toEqual([]);
    await leads.ingestLead(intake('silent'));
    expect(await consents.entriesFor('silent')).toEqual([]);
  });
});

describe('retention through the table TTL on DynamoDB Local', () => {
  it('is switched on for the expiresAt attribute of the leads table', async () => {
    const { TimeToLiveDescription } = await database.client.send(new DescribeTimeToLiveCommand({ TableName: database.tableName }));
    expect(TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });

  it('sets expiresAt on test, quarantined and invalid leads when they are written, and not on a lead to work', async () => {
    await leads.ingestLead(intake('test-lead', { isTest: true }));
    await leads.ingestLead(intake('spam-lead', { quarantineReason: 'the hidden honeypot field was filled in' }));
    await leads.ingestLead(intake('unreachable-lead', { contact: { name: 'Nobody' } }));
    await leads.ingestLead(intake('good-lead'));
    expect((await leadItem('test-lead'))?.expiresAt).toBe(expiresAfterDays(capturedAt.toISOString(), 3));
    expect((await leadItem('spam-lead'))?.expiresAt).toBe(expiresAfterDays(capturedAt.toISOString(), 5));
    expect((await leadItem('unreachable-lead'))?.expiresAt).toBe(expiresAfterDays(capturedAt.toISOString(), 7));
    expect(await leadItem('good-lead')).not.toHaveProperty('expiresAt');
    expect(await leads.getLead('test-lead')).toMatchObject({ leadId: 'test-lead', isTest: true });
  });

  it('sets expiresAt when a lead becomes invalid, counted from then, and removes it when the lead is reactivated', async () => {
    await leads.ingestLead(intake('turns-invalid'));
    const invalidAt = new Date('2026-03-05T12:00:00.000Z');
    const pooled = (await leads.getLead('turns-invalid'))!;
    expect(await leads.applyTransition(statusChange(pooled, 'invalid', invalidAt))).toBe('applied');
    expect((await leadItem('turns-invalid'))?.expiresAt).toBe(expiresAfterDays(invalidAt.toISOString(), 7));
    const invalid = (await leads.getLead('turns-invalid'))!;
    expect(await leads.applyTransition(statusChange(invalid, 'in_pool', new Date('2026-03-06T12:00:00.000Z')))).toBe('applied');
    expect(await leadItem('turns-invalid')).not.toHaveProperty('expiresAt');
  });

  it('sets expiresAt on resolved intake records and on notification send records from their configured days', async () => {
    const intakes = new DynamoDbLeadIntakeRecords(database.client, database.tableName, retention);
    await intakes.recordDelivery(newIntakeRecord({ platform: 'meta', leadgenId: '9001' }, capturedAt, '{"leadgen_id":9001}'));
    expect(await itemOf('INTAKE#meta#9001', 'INTAKE')).not.toHaveProperty('expiresAt');
    const resolvedAt = '2026-03-02T10:01:00.000Z';
    await intakes.resolve('meta', '9001', { status: 'fetched', leadId: 'x', at: resolvedAt });
    expect((await itemOf('INTAKE#meta#9001', 'INTAKE'))?.expiresAt).toBe(expiresAfterDays(resolvedAt, 11));
    const sends = new DynamoDbNotificationSendLedger(database.client, database.tableName, retention);
    const key = { leadId: 'notified', repId: 'rep-ava', reason: 'assigned', channel: 'email' as const };
    await sends.claimEmail(key, resolvedAt);
    expect((await itemOf('SEND#notified', 'rep-ava#assigned#email'))?.expiresAt).toBe(expiresAfterDays(resolvedAt, 13));
    expect(await sends.sendsFor('notified')).toEqual([expect.objectContaining({ ...key, status: 'pending', claimedAt: resolvedAt })]);
  });

  it('sets expiresAt on queued conversions, pending, sent and dead, from when the stage was reached, and still reads them', async () => {
    await leads.ingestLead(intake('reported'));
    const expiry = expiresAfterDays('2026-03-03T09:00:00.000Z', 17);
    for (const stage of ['qualified', 'converted'] as const) expect(await feedback.enqueue(googleConversion('reported', stage))).toBe(true);
    expect((await itemOf('FEEDBACK#PENDING#google', 'reported:qualified'))?.expiresAt).toBe(expiry);
    const [qualified, converted] = await feedback.due('google', '2026-03-03T09:00:00.000Z', 1000).then((due) => ['qualified', 'converted'].map((stage) => due.find((item) => item.feedbackId === `reported:${stage}`)!));
    await feedback.reschedule({ ...qualified, attempts: 1, dueAt: '2026-03-03T09:01:00.000Z' });
    expect((await itemOf('FEEDBACK#PENDING#google', 'reported:qualified'))?.expiresAt).toBe(expiry);
    await feedback.markSent([qualified], '2026-03-03T09:05:00.000Z');
    await feedback.deadLetter(converted, '2026-03-03T09:05:00.000Z');
    expect((await itemOf('FEEDBACK#SENT#google', 'reported:qualified'))?.expiresAt).toBe(expiry);
    expect((await itemOf('FEEDBACK#DEAD#google', 'reported:converted'))?.expiresAt).toBe(expiry);
    expect((await feedback.feedbackFor('reported')).map((item) => [item.stage, item.state])).toEqual([
      ['qualified', 'sent'],
      ['converted', 'dead'],
    ]);
  });

  it("gives a test or quarantined lead's consent ledger the lead's expiry when it is written, and none to a lead to work", async () => {
    await leads.ingestLead(intake('consenting-test', { isTest: true, consent }));
    await leads.ingestLead(intake('consenting-spam', { quarantineReason: 'the hidden honeypot field was filled in', consent }));
    await leads.ingestLead(intake('consenting-good', { consent }));
    expect(await consentExpiries('consenting-test')).toEqual([expiresAfterDays(capturedAt.toISOString(), 3), expiresAfterDays(capturedAt.toISOString(), 3)]);
    expect(await consentExpiries('consenting-spam')).toEqual([expiresAfterDays(capturedAt.toISOString(), 5), expiresAfterDays(capturedAt.toISOString(), 5)]);
    expect(await consentExpiries('consenting-good')).toEqual([undefined, undefined]);
    // The entries still read as the ledger's entries.
    expect((await consents.entriesFor('consenting-spam')).map((entry) => [entry.purpose, entry.ip])).toEqual([
      ['contact', '203.0.113.9'],
      ['marketing_email', '203.0.113.9'],
    ]);
  });

  it("gives an invalidated lead's person keys and consent ledger its expiry, leaves a key another lead holds alone, and takes the expiry away on reactivation", async () => {
    await leads.ingestLead(intake('keys-expire', { contact: { name: 'Ada', email: 'keys-expire@example.com', phone: '+14155550188' }, consent }));
    // The phone key has since gone to another lead (as one released and taken again would be).
    await database.client.send(
      new PutCommand({ TableName: database.tableName, Item: { pk: 'DEDUP#phone#+14155550188', sk: 'DEDUP', entity: 'dedup-key', kind: 'person', leadId: 'someone-else', createdAt: capturedAt.toISOString() } }),
    );
    const invalidAt = new Date('2026-03-05T12:00:00.000Z');
    const expiry = expiresAfterDays(invalidAt.toISOString(), 7);
    expect(await leads.applyTransition(statusChange((await leads.getLead('keys-expire'))!, 'invalid', invalidAt))).toBe('applied');
    expect((await itemOf('DEDUP#email#keys-expire@example.com', 'DEDUP'))?.expiresAt).toBe(expiry);
    expect(await itemOf('DEDUP#phone#+14155550188', 'DEDUP')).toEqual(expect.not.objectContaining({ expiresAt: expect.anything() }));
    expect(await consentExpiries('keys-expire')).toEqual([expiry, expiry]);
    // The person comes back while the lead is invalid: the touch's consent expires with the lead too.
    const later = new Date('2026-03-06T09:00:00.000Z');
    expect(
      await leads.ingestLead(intake('keys-expire-again', { contact: { email: 'keys-expire@example.com' }, consent: { ...consent, version: '2026-02', purposes: ['contact'], givenAt: later.toISOString() } }, later)),
    ).toEqual({
      leadId: 'keys-expire',
      outcome: 'touched',
    });
    expect(await consentExpiries('keys-expire')).toEqual([expiry, expiry, expiry]);
    expect((await consents.entriesFor('keys-expire')).map((entry) => entry.at)).toHaveLength(3);

    expect(await leads.applyTransition(statusChange((await leads.getLead('keys-expire'))!, 'in_pool', new Date('2026-03-07T12:00:00.000Z')))).toBe('applied');
    expect(await itemOf('DEDUP#email#keys-expire@example.com', 'DEDUP')).not.toHaveProperty('expiresAt');
    expect(await consentExpiries('keys-expire')).toEqual([undefined, undefined, undefined]);
    expect(await itemOf('DEDUP#phone#+14155550188', 'DEDUP')).toMatchObject({ leadId: 'someone-else' });
  });

  it('gives every ledger entry the expiry of a lead invalidated with more entries than one transaction holds (over 100)', async () => {
    await leads.ingestLead(intake('many-expiring', { consent }));
    for (let index = 0; index < 130; index += 1) {
      await consents.append({ leadId: 'many-expiring', purpose: 'contact', action: 'given', at: new Date(Date.parse('2026-03-03T00:00:00.000Z') + index * 60_000).toISOString(), source: 'form:demo', ip: '203.0.113.9' });
    }
    const invalidAt = new Date('2026-03-05T12:00:00.000Z');
    expect(await leads.applyTransition(statusChange((await leads.getLead('many-expiring'))!, 'invalid', invalidAt))).toBe('applied');
    expect(await consentExpiries('many-expiring')).toEqual(Array.from({ length: 132 }, () => expiresAfterDays(invalidAt.toISOString(), 7)));
  });

  it("gives the ledger entries beyond the lead's own transaction their expiry after it, even when one of them went meanwhile", async () => {
    await leads.ingestLead(intake('many-one-gone', { consent }));
    for (let index = 0; index < 130; index += 1) {
      await consents.append({ leadId: 'many-one-gone', purpose: 'contact', action: 'given', at: new Date(Date.parse('2026-03-03T00:00:00.000Z') + index * 60_000).toISOString(), source: 'form:demo', ip: '203.0.113.9' });
    }
    const [newest] = (await database.items()).filter((item) => item.pk === 'CONSENT#many-one-gone').sort((a, b) => (a.sk < b.sk ? 1 : -1));
    // Once the lead's transaction is written, the newest entry (past the room the lead's transaction leaves) is deleted, as its TTL could.
    const send = database.client.send.bind(database.client);
    let transactions = 0;
    const client = Object.create(database.client) as typeof database.client;
    client.send = (async (command: { constructor: { name: string } }) => {
      if (command.constructor.name === 'TransactWriteCommand' && ++transactions === 2) await send(new DeleteCommand({ TableName: database.tableName, Key: { pk: newest.pk, sk: newest.sk } }));
      return send(command as never);
    }) as typeof database.client.send;
    const invalidAt = new Date('2026-03-05T12:00:00.000Z');
    const store = new DynamoDbLeadStoreWithIngestion(client, database.tableName, retention);
    expect(await store.applyTransition(statusChange((await leads.getLead('many-one-gone'))!, 'invalid', invalidAt))).toBe('applied');
    expect(await consentExpiries('many-one-gone')).toEqual(Array.from({ length: 131 }, () => expiresAfterDays(invalidAt.toISOString(), 7)));
  });

  it("gives the ledger entries beyond the lead's own transaction their expiry after it, even when other writes keep cancelling their transaction", async () => {
    await leads.ingestLead(intake('many-conflicting', { consent }));
    for (let index = 0; index < 130; index += 1) {
      await consents.append({
        leadId: 'many-conflicting',
        purpose: 'contact',
        action: 'given',
        at: new Date(Date.parse('2026-03-03T00:00:00.000Z') + index * 60_000).toISOString(),
        source: 'form:demo',
        ip: '203.0.113.9',
      });
    }
    // Every transaction after the lead's own is cancelled by a conflict, as concurrent writes to its items would.
    const send = database.client.send.bind(database.client);
    let transactions = 0;
    const client = Object.create(database.client) as typeof database.client;
    client.send = (async (command: { constructor: { name: string } }) => {
      if (command.constructor.name === 'TransactWriteCommand' && ++transactions > 1)
        throw new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }] });
      return send(command as never);
    }) as typeof database.client.send;
    const invalidAt = new Date('2026-03-05T12:00:00.000Z');
    const store = new DynamoDbLeadStoreWithIngestion(client, database.tableName, retention);
    expect(await store.applyTransition(statusChange((await leads.getLead('many-conflicting'))!, 'invalid', invalidAt))).toBe('applied');
    expect(transactions).toBeGreaterThan(2);
    expect(await consentExpiries('many-conflicting')).toEqual(Array.from({ length: 132 }, () => expiresAfterDays(invalidAt.toISOString(), 7)));
  });

  it('refuses the transition, writing nothing, when a person key went to another lead after it was read', async () => {
    await leads.ingestLead(intake('key-race', { contact: { name: 'Bo', email: 'key-race@example.com' }, consent }));
    const lead = (await leads.getLead('key-race'))!;
    // Between the store's read of the key and its transaction, the key is released and taken by another lead.
    const send = database.client.send.bind(database.client);
    let raced = false;
    const client = Object.create(database.client) as typeof database.client;
    client.send = (async (command: { constructor: { name: string } }) => {
      if (!raced && command.constructor.name === 'TransactWriteCommand') {
        raced = true;
        await send(
          new PutCommand({ TableName: database.tableName, Item: { pk: 'DEDUP#email#key-race@example.com', sk: 'DEDUP', entity: 'dedup-key', kind: 'person', leadId: 'newcomer', createdAt: capturedAt.toISOString() } }),
        );
      }
      return send(command as never);
    }) as typeof database.client.send;
    const store = new DynamoDbLeadStoreWithIngestion(client, database.tableName, retention);
    expect(await store.applyTransition(statusChange(lead, 'invalid', new Date('2026-03-05T12:00:00.000Z')))).toBe('lead_changed');
    expect(await leads.getLead('key-race')).toMatchObject({ status: lead.status });
    expect(await itemOf('DEDUP#email#key-race@example.com', 'DEDUP')).toEqual(expect.not.objectContaining({ expiresAt: expect.anything() }));
    expect(await consentExpiries('key-race')).toEqual([undefined, undefined]);
  });
});

describe('erasing a person by lead id on DynamoDB Local', () => {
  const erase = (leadId: string, at = '2026-03-09T09:00:00.000Z') => erasures.erasePerson({ leadId, erase: (lead) => erasePersonFromLead(lead, { at, eventId: `${leadId}-erased-${at}`, by: 'admin:ines' }) });

  it('reaches the lead, its person keys, consent ledger, intake record, unpublished events and queued conversions in one transaction', async () => {
    const intakes = new DynamoDbLeadIntakeRecords(database.client, database.tableName, retention);
    const raw = '{"leadgen_id":"77","full_name":"Ada"}';
    await intakes.recordDelivery({ ...newIntakeRecord({ platform: 'meta', leadgenId: '77' }, capturedAt, raw), status: 'fetched', nextAttemptAt: undefined, leadId: 'erased-lead' });
    await leads.ingestLead(
      intake('erased-lead', {
        sourceKind: 'meta',
        channel: 'meta-ads',
        formId: undefined,
        platformLeadId: '77',
        sourceId: '172036835026334',
        consent,
        contact: { name: 'Ada', email: 'erased-lead@example.com', phone: '+14155550177' },
      }),
    );
    expect((await database.items()).filter((item) => item.pk === 'OUTBOX#erased-lead-captured.scored')[0]?.detail.answers).toEqual({ company_size: '1000+' });
    // Conversions for the ad platforms, one sent, one waiting, one given up on: each holds the Meta lead id or the click id.
    const metaFirstStage: ConversionFeedback = { ...googleConversion('erased-lead', 'lead'), platform: 'meta', gclid: undefined, metaLeadId: '77' };
    for (const item of [metaFirstStage, googleConversion('erased-lead', 'qualified'), googleConversion('erased-lead', 'converted')]) expect(await feedback.enqueue(item)).toBe(true);
    await feedback.markSent([metaFirstStage], '2026-03-03T09:01:00.000Z');
    await feedback.deadLetter(googleConversion('erased-lead', 'converted'), '2026-03-03T09:01:00.000Z');
    expect(await feedback.feedbackFor('erased-lead')).toHaveLength(3);

    expect(await erase('erased-lead')).toEqual({ leadId: 'erased-lead', erased: true });

    const lead = await leads.getLead('erased-lead');
    expect(lead).toMatchObject({ contact: {}, answers: {}, status: 'invalid', statusReason: "erased at the person's request" });
    expect(lead?.history.at(-1)).toMatchObject({ action: 'erased', by: 'admin:ines' });
    expect((await leadItem('erased-lead'))?.expiresAt).toBe(expiresAfterDays('2026-03-09T09:00:00.000Z', 7));
    expect(await leads.findLeadIdByPersonKey('email#erased-lead@example.com')).toBeUndefined();
    expect(await leads.findLeadIdByPersonKey('phone#+14155550177')).toBeUndefined();
    const ledger = await consents.entriesFor('erased-lead');
    expect(ledger.map((entry) => [entry.purpose, entry.action, entry.version])).toEqual([
      ['contact', 'given', '2026-01'],
      ['marketing_email', 'given', '2026-01'],
    ]);
    expect(ledger.some((entry) => entry.ip || entry.userAgent)).toBe(false);
    // The ledger expires with the erased lead.
    expect(await consentExpiries('erased-lead')).toEqual([expiresAfterDays('2026-03-09T09:00:00.000Z', 7), expiresAfterDays('2026-03-09T09:00:00.000Z', 7)]);
    expect(await feedback.feedbackFor('erased-lead')).toEqual([]);
    expect((await database.items()).filter((item) => String(item.pk).startsWith('FEEDBACK#') && String(item.sk).startsWith('erased-lead:'))).toEqual([]);
    const record = await intakes.getRecord('meta', '77');
    expect(record).toMatchObject({ status: 'fetched', leadId: 'erased-lead' });
    expect(record).not.toHaveProperty('rawDelivery');
    const unpublished = await new DynamoDbOutboxStore(database.client, database.tableName).listUnpublished('9999', 1000);
    const ofLead = unpublished.filter((event) => event.detail.leadId === 'erased-lead');
    expect(ofLead.map((event) => event.detailType).sort()).toEqual(['lead.captured', 'lead.erased', 'lead.scored']);
    expect(ofLead.find((event) => event.detailType === 'lead.scored')?.detail).not.toHaveProperty('answers');
    const everything = JSON.stringify((await database.items()).filter((item) => JSON.stringify(item).includes('erased-lead')));
    for (const personal of ['erased-lead@example.com', '4155550177', '1000+', '203.0.113.9', 'Firefox', 'full_name', 'Cj0-erased-lead-click']) expect(everything).not.toContain(personal);
  });

  it('takes what people typed about the person out of its timeline (as stored), its lock and its unpublished events, which stay publishable, and keeps every timeline entry', async () => {
    await leads.ingestLead(intake('worked-lead', { contact: { name: 'Ada', email: 'worked-lead@example.com', country: 'FR' } }));
    const captured = (await leads.getLead('worked-lead'))!;
    const at = '2026-03-03T09:00:00.000Z';
    const facts = { leadId: 'worked-lead', poolId: captured.poolId, channel: captured.channel, capturedAt: captured.capturedAt, ownerId: 'rep-ava' };
    // The store is under test, not the lifecycle rules: transitions as the assign, activity and lock endpoints write them.
    const assigned: LeadTransition = {
      before: captured,
      after: { ...captured, updatedAt: at, history: [...captured.history, { at, action: 'assigned', by: 'mgr-maya', detail: 'assigned to rep-ava by mgr-maya: Ada asked for Ava by name' }] },
      openLeads: [],
      event: leadEvent(
        'lead.assigned',
        {
          eventId: 'worked-lead-assigned',
          leadId: 'worked-lead',
          ownerId: 'rep-ava',
          poolId: captured.poolId,
          rule: 'manual',
          assignedAt: at,
          by: 'mgr-maya',
          explanation: 'assigned to rep-ava by mgr-maya: Ada asked for Ava by name',
        },
        at,
      ),
    };
    const called: LeadTransition = {
      before: assigned.after,
      after: {
        ...assigned.after,
        lock: { by: 'mgr-maya', at, reason: "Ada's husband is our CFO" },
        history: [...assigned.after.history, { at, action: 'activity', by: 'rep-ava', detail: 'call: Ada is on leave until May' }, { at, action: 'locked', by: 'mgr-maya', detail: "Ada's husband is our CFO" }],
      },
      openLeads: [],
      event: leadEvent(
        'lead.activity_logged',
        { ...facts, eventId: 'worked-lead-call', by: 'rep-ava', activityId: 'worked-lead-call', kind: 'call', outcome: 'Ada is on leave until May', firstContact: true, loggedAt: at },
        at,
      ),
    };
    const contacted: LeadTransition = {
      before: called.after,
      after: { ...called.after, status: 'contacted', history: [...called.after.history, { at, action: 'contacted', by: 'rep-ava', detail: 'contacted: Ada prefers calls after 5' }] },
      openLeads: [],
      event: leadEvent('lead.status_changed', { ...facts, eventId: 'worked-lead-contacted', by: 'rep-ava', from: 'assigned', to: 'contacted', reason: 'Ada prefers calls after 5', changedAt: at }, at),
    };
    expect(await leads.applyTransition(assigned)).toBe('applied');
    expect(await leads.applyTransition(called)).toBe('applied');
    expect(await leads.applyTransition(contacted)).toBe('applied');

    expect(await erase('worked-lead')).toEqual({ leadId: 'worked-lead', erased: true });

    const lead = (await leads.getLead('worked-lead'))!;
    expect(lead.history.map((entry) => entry.action)).toEqual(['captured', 'assigned', 'activity', 'locked', 'contacted', 'erased']);
    // The timeline as stored, not only as the erasure planned it: its typed words are gone from the table.
    expect(JSON.stringify(lead)).not.toMatch(/Ava by name|on leave until May|our CFO|calls after 5/);
    expect(lead.lock).toEqual({ by: 'mgr-maya', at });
    const unpublished = await new DynamoDbOutboxStore(database.client, database.tableName).listUnpublished('9999', 1000);
    expect(
      unpublished
        .filter((event) => event.detail.leadId === 'worked-lead')
        .map((event) => event.detailType)
        .sort(),
    ).toEqual(['lead.activity_logged', 'lead.assigned', 'lead.captured', 'lead.erased', 'lead.scored', 'lead.status_changed']);
    const outbox = JSON.stringify((await database.items()).filter((item) => item.entity === 'outbox' && item.detail?.leadId === 'worked-lead'));
    expect(outbox).toContain('"reason":"captured"');
    for (const personal of ['Ava by name', 'on leave until May', 'calls after 5', '"country"', '"answers"']) expect(outbox).not.toContain(personal);
  });

  it('changes nothing the second time, and answers undefined for a lead that does not exist', async () => {
    await leads.ingestLead(intake('erased-twice', { consent }));
    await erase('erased-twice');
    const before = await database.items();
    expect(await erase('erased-twice', '2026-03-10T09:00:00.000Z')).toEqual({ leadId: 'erased-twice', erased: false });
    expect(await database.items()).toEqual(before);
    expect(await erase('never-stored')).toBeUndefined();
  });

  it('erases a person who gave consent more often than one transaction holds entries (over 100)', async () => {
    await leads.ingestLead(intake('many-consents', { consent }));
    // 130 more entries with the IP and browser, as 65 returns with consent to two purposes would leave.
    for (let index = 0; index < 130; index += 1) {
      await consents.append({
        leadId: 'many-consents',
        purpose: index % 2 ? 'contact' : 'marketing_email',
        action: 'given',
        at: new Date(Date.parse('2026-03-03T00:00:00.000Z') + index * 60_000).toISOString(),
        source: 'form:demo',
        version: '2026-01',
        text: 'I agree.',
        ip: '203.0.113.9',
        userAgent: 'Firefox',
      });
    }
    expect(await erase('many-consents')).toEqual({ leadId: 'many-consents', erased: true });
    const ledger = await consents.entriesFor('many-consents');
    expect(ledger).toHaveLength(132);
    expect(ledger.some((entry) => entry.ip || entry.userAgent)).toBe(false);
    expect(await leads.getLead('many-consents')).toMatchObject({ contact: {}, status: 'invalid' });
  });

  it("releases the person's email, so their next post is a new lead", async () => {
    await leads.ingestLead(intake('comes-back', { contact: { email: 'back@example.com' } }));
    await erase('comes-back');
    expect(await leads.ingestLead(intake('came-back', { contact: { email: 'back@example.com' } }))).toEqual({ leadId: 'came-back', outcome: 'created' });
    expect(await leads.findLeadIdByPersonKey('email#back@example.com')).toBe('came-back');
  });
});

describe('retention and erasure of what privacy reviews found kept for ever, on DynamoDB Local', () => {
  const erase = (leadId: string, at = '2026-03-09T09:00:00.000Z') => erasures.erasePerson({ leadId, erase: (lead) => erasePersonFromLead(lead, { at, eventId: `${leadId}-erased-${at}`, by: 'admin:ines' }) });
  const withdrawal = (leadId: string, at: string) => ({ leadId, purpose: 'marketing_email' as const, action: 'withdrawn' as const, at, source: 'unsubscribe' });

  it("gives a withdrawal appended to an invalid lead's ledger the lead's expiry, none on a worked lead, and writes none for a lead no longer stored", async () => {
    await leads.ingestLead(intake('withdraws-invalid', { consent }));
    await leads.ingestLead(intake('withdraws-worked', { consent }));
    const invalidAt = new Date('2026-03-05T12:00:00.000Z');
    expect(await leads.applyTransition(statusChange((await leads.getLead('withdraws-invalid'))!, 'invalid', invalidAt))).toBe('applied');
    await consents.append(withdrawal('withdraws-invalid', '2026-03-06T08:00:00.000Z'));
    await consents.append(withdrawal('withdraws-worked', '2026-03-06T08:00:00.000Z'));
    const expiry = expiresAfterDays(invalidAt.toISOString(), 7);
    expect(await consentExpiries('withdraws-invalid')).toEqual([expiry, expiry, expiry]);
    expect(await consentExpiries('withdraws-worked')).toEqual([undefined, undefined, undefined]);
    // Reactivated, the lead keeps its ledger for ever again, the withdrawal too.
    expect(await leads.applyTransition(statusChange((await leads.getLead('withdraws-invalid'))!, 'in_pool', new Date('2026-03-07T12:00:00.000Z')))).toBe('applied');
    expect(await consentExpiries('withdraws-invalid')).toEqual([undefined, undefined, undefined]);
    await consents.append(withdrawal('expired-long-ago', '2026-03-06T08:00:00.000Z'));
    expect(await consentExpiries('expired-long-ago')).toEqual([]);
  });

  it("gives a withdrawal after an erasure the erased lead's expiry", async () => {
    await leads.ingestLead(intake('withdraws-erased', { consent }));
    await erase('withdraws-erased');
    await consents.append(withdrawal('withdraws-erased', '2026-03-10T08:00:00.000Z'));
    const expiry = expiresAfterDays('2026-03-09T09:00:00.000Z', 7);
    expect(await consentExpiries('withdraws-erased')).toEqual([expiry, expiry, expiry]);
  });

  const metaDelivery = (leadId: string, platformLeadId: string, overrides: Partial<IntakeSubmission> = {}, now = capturedAt) =>
    intake(leadId, { sourceKind: 'meta', channel: 'meta-ads', formId: undefined, platformLeadId, sourceId: 'page-1', ...overrides }, now);
  const deliveryKey = (platformLeadId: string) => itemOf(`DEDUP#delivery#meta#page-1#${platformLeadId}`, 'DEDUP');

  it('gives the delivery keys of a quarantined or test platform lead its expiry, and none to a lead to work', async () => {
    await leads.ingestLead(metaDelivery('meta-spam', 'spam-1', { quarantineReason: 'the hidden honeypot field was filled in' }));
    await leads.ingestLead(metaDelivery('meta-test', 'test-1', { isTest: true }));
    await leads.ingestLead(metaDelivery('meta-good', 'good-1'));
    expect((await deliveryKey('spam-1'))?.expiresAt).toBe(expiresAfterDays(capturedAt.toISOString(), 5));
    expect((await deliveryKey('test-1'))?.expiresAt).toBe(expiresAfterDays(capturedAt.toISOString(), 3));
    expect(await deliveryKey('good-1')).toMatchObject({ leadId: 'meta-good' });
    expect(await deliveryKey('good-1')).not.toHaveProperty('expiresAt');
  });

  it('gives the delivery keys a lead took, at capture and with a touch, its expiry when it becomes invalid, and takes it away on reactivation', async () => {
    await leads.ingestLead(metaDelivery('meta-invalid', 'first-1', { contact: { email: 'meta-invalid@example.com' } }));
    const later = new Date('2026-03-04T09:00:00.000Z');
    expect(await leads.ingestLead(metaDelivery('meta-invalid-again', 'second-1', { contact: { email: 'meta-invalid@example.com' } }, later))).toEqual({ leadId: 'meta-invalid', outcome: 'touched' });
    const invalidAt = new Date('2026-03-05T12:00:00.000Z');
    expect(await leads.applyTransition(statusChange((await leads.getLead('meta-invalid'))!, 'invalid', invalidAt))).toBe('applied');
    const expiry = expiresAfterDays(invalidAt.toISOString(), 7);
    expect([(await deliveryKey('first-1'))?.expiresAt, (await deliveryKey('second-1'))?.expiresAt]).toEqual([expiry, expiry]);
    // The person posts again through the platform while the lead is invalid: that delivery key expires with it too.
    const third = new Date('2026-03-06T09:00:00.000Z');
    expect(await leads.ingestLead(metaDelivery('meta-invalid-third', 'third-1', { contact: { email: 'meta-invalid@example.com' } }, third))).toEqual({ leadId: 'meta-invalid', outcome: 'touched' });
    expect((await deliveryKey('third-1'))?.expiresAt).toBe(expiry);
    expect(await leads.applyTransition(statusChange((await leads.getLead('meta-invalid'))!, 'in_pool', new Date('2026-03-07T12:00:00.000Z')))).toBe('applied');
    for (const id of ['first-1', 'second-1', 'third-1']) expect(await deliveryKey(id)).not.toHaveProperty('expiresAt');
  });

  it("keeps an erased lead's delivery keys, so a redelivery is still a replay, expiring with the erased lead", async () => {
    await leads.ingestLead(metaDelivery('meta-erased', 'erased-1', { contact: { email: 'meta-erased@example.com' } }));
    expect(await erase('meta-erased')).toEqual({ leadId: 'meta-erased', erased: true });
    expect((await deliveryKey('erased-1'))?.expiresAt).toBe(expiresAfterDays('2026-03-09T09:00:00.000Z', 7));
    expect(await leads.ingestLead(metaDelivery('meta-erased-redelivered', 'erased-1', { contact: { email: 'meta-erased@example.com' } }))).toEqual({ leadId: 'meta-erased', outcome: 'replayed' });
  });

  describe('an erasure interrupted part way', () => {
    /** The erasure on a client whose `failing`-th transaction (counted from 1) fails as DynamoDB's would on an internal error. */
    const failingErasure = (failing: (transaction: number, items: Array<Record<string, any>>) => boolean) => {
      const send = database.client.send.bind(database.client);
      let transactions = 0;
      const client = Object.create(database.client) as typeof database.client;
      client.send = (async (command: { constructor: { name: string }; input: { TransactItems?: Array<Record<string, any>> } }) => {
        if (command.constructor.name === 'TransactWriteCommand' && failing(++transactions, command.input.TransactItems ?? [])) throw Object.assign(new Error('Internal server error'), { name: 'InternalServerError' });
        return send(command as never);
      }) as typeof database.client.send;
      return new DynamoDbLeadErasure(client, database.tableName, retention);
    };
    const isLeadsOwn = (items: Array<Record<string, any>>) => items.some((item) => String(item.Update?.Key?.pk).startsWith('LEAD#'));
    const eraseWith = (store: DynamoDbLeadErasure, leadId: string, at = '2026-03-09T09:00:00.000Z') =>
      store.erasePerson({ leadId, erase: (lead) => erasePersonFromLead(lead, { at, eventId: `${leadId}-erased-${at}`, by: 'admin:ines' }) });
    const consentItems = async (leadId: string) => (await database.items()).filter((item) => item.pk === `CONSENT#${leadId}`);
    const erasedExpiry = expiresAfterDays('2026-03-09T09:00:00.000Z', 7);

    it("leaves a live lead's consent entries and delivery keys as they were when the lead's own transaction fails, and asked again, erases it all", async () => {
      await leads.ingestLead(metaDelivery('fails-own', 'fails-own-1', { consent }));
      // More events holding the person than one transaction holds beside the rest of the erasure (the relay down).
      await writeOutboxBacklog(database, 90, {
        from: new Date(capturedAt.getTime() + 1000),
        spacingMs: 1000,
        eventAt: (index) => ({ eventId: `fails-own-activity-${index}`, detailType: 'lead.activity_logged', detail: { leadId: 'fails-own', outcome: `call ${index}: Ada is on leave until May` } }),
      });
      const ledgerBefore = await consentItems('fails-own');
      const keyBefore = await deliveryKey('fails-own-1');
      expect(ledgerBefore.map((item) => [item.ip, item.expiresAt])).toEqual([
        ['203.0.113.9', undefined],
        ['203.0.113.9', undefined],
      ]);
      await expect(
        eraseWith(
          failingErasure((_, items) => isLeadsOwn(items)),
          'fails-own',
        ),
      ).rejects.toMatchObject({ name: 'InternalServerError' });
      expect(await leads.getLead('fails-own')).toMatchObject({ status: 'new', contact: { email: 'fails-own@example.com' } });
      expect(await consentItems('fails-own')).toEqual(ledgerBefore);
      expect(await deliveryKey('fails-own-1')).toEqual(keyBefore);
      expect(keyBefore?.expiresAt).toBeUndefined();

      expect(await eraseWith(erasures, 'fails-own')).toEqual({ leadId: 'fails-own', erased: true });
      expect(await leads.getLead('fails-own')).toMatchObject({ status: 'invalid', contact: {} });
      expect((await consentItems('fails-own')).map((item) => [item.ip, item.userAgent, item.expiresAt])).toEqual([
        [undefined, undefined, erasedExpiry],
        [undefined, undefined, erasedExpiry],
      ]);
      expect((await deliveryKey('fails-own-1'))?.expiresAt).toBe(erasedExpiry);
      expect(JSON.stringify((await database.items()).filter((item) => item.entity === 'outbox'))).not.toContain('on leave until May');
    });

    it("finishes, asked again, an erasure interrupted after the lead's own transaction", async () => {
      await leads.ingestLead(metaDelivery('fails-after', 'fails-after-1', { consent }));
      let leadWritten = false;
      const interrupted = failingErasure((_, items) => {
        if (leadWritten) return true;
        leadWritten = isLeadsOwn(items);
        return false;
      });
      await expect(eraseWith(interrupted, 'fails-after')).rejects.toMatchObject({ name: 'InternalServerError' });
      expect(await leads.getLead('fails-after')).toMatchObject({ status: 'invalid', contact: {} });
      expect((await consentItems('fails-after')).map((item) => item.ip)).toEqual(['203.0.113.9', '203.0.113.9']);

      expect(await eraseWith(erasures, 'fails-after', '2026-03-10T09:00:00.000Z')).toEqual({ leadId: 'fails-after', erased: false });
      expect((await consentItems('fails-after')).map((item) => [item.ip, item.userAgent, item.expiresAt])).toEqual([
        [undefined, undefined, erasedExpiry],
        [undefined, undefined, erasedExpiry],
      ]);
      expect((await deliveryKey('fails-after-1'))?.expiresAt).toBe(erasedExpiry);
    });

    it('takes the person, asked again, out of a ledger entry that holds them written after the erasure (as an append by an earlier version could)', async () => {
      await leads.ingestLead(intake('late-entry', { consent }));
      expect(await eraseWith(erasures, 'late-entry')).toEqual({ leadId: 'late-entry', erased: true });
      const late = {
        leadId: 'late-entry',
        purpose: 'marketing_email' as const,
        action: 'confirmed' as const,
        at: '2026-03-09T09:00:01.000Z',
        source: 'confirmation-link',
        ip: '198.51.100.23',
        userAgent: 'Mozilla/5.0 (iPhone)',
      };
      await database.client.send(new PutCommand({ TableName: database.tableName, Item: consentLedgerItem(late) }));
      expect(await eraseWith(erasures, 'late-entry', '2026-03-10T09:00:00.000Z')).toEqual({ leadId: 'late-entry', erased: false });
      const entries = await consents.entriesFor('late-entry');
      expect(entries.map((entry) => [entry.action, entry.ip, entry.userAgent])).toEqual([
        ['given', undefined, undefined],
        ['given', undefined, undefined],
        ['confirmed', undefined, undefined],
      ]);
      expect(await consentExpiries('late-entry')).toEqual([erasedExpiry, erasedExpiry, erasedExpiry]);
    });
  });

  describe('outbound webhook deliveries', () => {
    class Receiver implements WebhookSender {
      readonly bodies: string[] = [];
      constructor(private readonly answers: number[]) {}
      async post(_url: URL, body: string) {
        this.bodies.push(body);
        const status = this.answers.shift() ?? 200;
        return status === 200 ? { ok: true as const, status } : { ok: false as const, status, error: `answered HTTP ${status}` };
      }
    }
    const webhooks = () => new DynamoDbWebhookDeliveryStore(database.client, database.tableName, retention);
    const depsOf = (receiver: Receiver, now: Date) => ({ config, webhooks: webhooks(), webhookSender: receiver, secrets: new RecordingSecretStore(), publicBaseUrl: 'http://127.0.0.1:3999', now: () => now });
    const scoredEvent = (leadId: string, eventId: string) => ({
      destinationId: 'crm',
      event: {
        'detail-type': 'lead.scored' as const,
        time: capturedAt.toISOString(),
        detail: { ...warmScoredLead(leadId, eventId), poolId: 'key-accounts', points: 60, country: 'FR', answers: { company_size: '1000+' }, scoredAt: capturedAt.toISOString() },
      },
    });
    const deliveryItems = async (leadId: string) => (await database.items()).filter((item) => item.entity === 'webhook-delivery' && item.body.includes(`"leadId":"${leadId}"`));

    it('takes what the person answered out of their delivered and pending deliveries, and a pending one is retried without it', async () => {
      await leads.ingestLead(intake('hooked', { contact: { name: 'Ada', email: 'hooked@example.com' } }));
      await deliverWebhookEvent(scoredEvent('hooked', 'hooked-delivered'), depsOf(new Receiver([200]), capturedAt));
      await deliverWebhookEvent(scoredEvent('hooked', 'hooked-pending'), depsOf(new Receiver([503]), capturedAt));
      expect((await deliveryItems('hooked')).map((item) => item.state).sort()).toEqual(['delivered', 'pending']);
      expect(JSON.stringify(await deliveryItems('hooked'))).toContain('1000+');
      expect((await webhooks().deliveriesOfLead('hooked')).map((delivery) => delivery.eventId)).toEqual(['hooked-delivered', 'hooked-pending']);

      expect(await erase('hooked')).toEqual({ leadId: 'hooked', erased: true });

      const stored = JSON.stringify(await deliveryItems('hooked'));
      for (const personal of ['1000+', '"country"', '"answers"']) expect(stored).not.toContain(personal);
      expect((await deliveryItems('hooked')).map((item) => JSON.parse(item.body).data.points)).toEqual([60, 60]);
      expect((await database.items()).filter((item) => item.pk === 'LEADREFS#hooked' && String(item.sk).startsWith('WEBHOOK#'))).toEqual([]);
      const receiver = new Receiver([]);
      expect(await retryDueWebhookDeliveries(new Date('2026-03-09T10:00:00.000Z'), depsOf(receiver, new Date('2026-03-09T10:00:00.000Z')), () => 60_000)).toMatchObject({ delivered: 1 });
      expect(receiver.bodies).toHaveLength(1);
      expect(receiver.bodies[0]).not.toContain('1000+');
      expect(JSON.parse(receiver.bodies[0])).toMatchObject({ id: 'hooked-pending', type: 'lead.scored', data: { leadId: 'hooked', points: 60 } });
    });

    it("takes the receiver's last answer out of their deliveries, since it may quote what the person answered, keeping its status", async () => {
      /** A CRM that refuses the event naming the person's answer. */
      const quoting: WebhookSender = { post: async () => ({ ok: false, status: 422, error: 'https://crm.example.com answered HTTP 422: answers.company_size "1000+" is not one of small, medium' }) };
      await leads.ingestLead(intake('hooked-refused', { contact: { name: 'Ada', email: 'hooked-refused@example.com' } }));
      await deliverWebhookEvent(scoredEvent('hooked-refused', 'hooked-refused-scored'), { ...depsOf(new Receiver([]), capturedAt), webhookSender: quoting });
      const delivery = () => itemOf('WEBHOOK#crm', 'DELIVERY#hooked-refused-scored');
      expect(await delivery()).toMatchObject({ state: 'pending', lastStatus: 422, lastError: expect.stringContaining('1000+') });

      expect(await erase('hooked-refused')).toEqual({ leadId: 'hooked-refused', erased: true });

      expect(JSON.stringify(await delivery())).not.toContain('1000+');
      expect(await delivery()).toMatchObject({ state: 'pending', attempts: 1, lastStatus: 422 });
      expect(await delivery()).not.toHaveProperty('lastError');
    });

    it("gives a delivery's reference the lead's expiry, follows the lead's retention after, and keeps it through a redelivery", async () => {
      await leads.ingestLead(intake('hooked-kept', { contact: { name: 'Ada', email: 'hooked-kept@example.com' } }));
      const invalidAt = new Date('2026-03-05T12:00:00.000Z');
      expect(await leads.applyTransition(statusChange((await leads.getLead('hooked-kept'))!, 'invalid', invalidAt))).toBe('applied');
      await deliverWebhookEvent(scoredEvent('hooked-kept', 'hooked-kept-dead'), depsOf(new Receiver([503]), capturedAt));
      const reference = async () => (await database.items()).find((item) => item.pk === 'LEADREFS#hooked-kept' && item.sk === 'WEBHOOK#crm#hooked-kept-dead');
      const expiry = expiresAfterDays(invalidAt.toISOString(), 7);
      expect((await reference())?.expiresAt).toBe(expiry);
      // EventBridge delivers the same event again: the reference keeps its expiry (and the delivery is not opened twice).
      await deliverWebhookEvent(scoredEvent('hooked-kept', 'hooked-kept-dead'), depsOf(new Receiver([200]), capturedAt));
      expect((await reference())?.expiresAt).toBe(expiry);
      // Reactivated, the lead is kept, and so is the reference that finds the delivery for a later erasure.
      expect(await leads.applyTransition(statusChange((await leads.getLead('hooked-kept'))!, 'in_pool', new Date('2026-03-07T12:00:00.000Z')))).toBe('applied');
      expect(await reference()).toMatchObject({ target: { pk: 'WEBHOOK#crm', sk: 'DELIVERY#hooked-kept-dead' } });
      expect(await reference()).not.toHaveProperty('expiresAt');
      expect((await webhooks().deliveriesOfLead('hooked-kept')).map((delivery) => delivery.eventId)).toEqual(['hooked-kept-dead']);
    });

    describe("a reference to a delivery that ends, with the lead's own retention", () => {
      const diedAt = new Date(capturedAt.getTime() + 25 * 3600_000);
      const deliveryExpiry = expiresAfterDays(diedAt.toISOString(), 19);
      const itemAt = (pk: string, sk: string) => async () => (await database.items()).find((item) => item.pk === pk && item.sk === sk);
      /** A kept lead with a delivery holding its person's answers, dead-lettered by the run at `diedAt`. */
      async function deadDeliveryOf(leadId: string) {
        await leads.ingestLead(intake(leadId, { contact: { name: 'Ada', email: `${leadId}@example.com` } }));
        await deliverWebhookEvent(scoredEvent(leadId, `${leadId}-scored`), depsOf(new Receiver([503]), capturedAt));
        const reference = itemAt(`LEADREFS#${leadId}`, `WEBHOOK#crm#${leadId}-scored`);
        const delivery = itemAt('WEBHOOK#crm', `DELIVERY#${leadId}-scored`);
        expect(await reference()).not.toHaveProperty('expiresAt');
        await retryDueWebhookDeliveries(diedAt, depsOf(new Receiver(Array.from({ length: 20 }, () => 503)), diedAt), () => 60_000);
        expect(await delivery()).toMatchObject({ state: 'dead', expiresAt: deliveryExpiry });
        return { reference, delivery };
      }

      it('expires with its dead delivery, or with the lead when that goes first, and back to the delivery when the lead is kept again', async () => {
        const { reference } = await deadDeliveryOf('hooked-dies');
        expect((await reference())?.expiresAt).toBe(deliveryExpiry);
        // Invalid two days later, the lead (and so the reference) expires a week after: before the delivery.
        const invalidAt = new Date('2026-03-05T12:00:00.000Z');
        expect(await leads.applyTransition(statusChange((await leads.getLead('hooked-dies'))!, 'invalid', invalidAt))).toBe('applied');
        expect((await reference())?.expiresAt).toBe(expiresAfterDays(invalidAt.toISOString(), 7));
        // Reactivated, the lead is kept; the reference still goes with its delivery.
        expect(await leads.applyTransition(statusChange((await leads.getLead('hooked-dies'))!, 'in_pool', new Date('2026-03-07T12:00:00.000Z')))).toBe('applied');
        expect((await reference())?.expiresAt).toBe(deliveryExpiry);
        // Invalid again later, the lead would outlive the delivery: the delivery's expiry stays.
        expect(await leads.applyTransition(statusChange((await leads.getLead('hooked-dies'))!, 'invalid', new Date('2026-03-20T12:00:00.000Z')))).toBe('applied');
        expect((await reference())?.expiresAt).toBe(deliveryExpiry);
      });

      it('loses the delivery expiry with a replay, keeping the lead expiry if any, and gets the earlier one again once the delivery ends', async () => {
        const { reference, delivery } = await deadDeliveryOf('hooked-redriven');
        const replayedAt = new Date(diedAt.getTime() + 18 * 24 * 3600_000);
        await replayWebhookDeliveries({ destinationIds: ['crm'] }, { config, webhooks: webhooks() }, replayedAt);
        expect(await delivery()).toMatchObject({ state: 'pending' });
        expect(await delivery()).not.toHaveProperty('expiresAt');
        expect(await reference()).not.toHaveProperty('expiresAt');
        // The lead turns invalid while the delivery is pending: the reference follows the lead alone.
        const invalidAt = new Date(replayedAt.getTime() + 3600_000);
        expect(await leads.applyTransition(statusChange((await leads.getLead('hooked-redriven'))!, 'invalid', invalidAt))).toBe('applied');
        const leadExpiry = expiresAfterDays(invalidAt.toISOString(), 7);
        expect((await reference())?.expiresAt).toBe(leadExpiry);
        // Delivered, it expires 19 days on; the lead's week is earlier, and stays the reference's.
        const deliveredAt = new Date(invalidAt.getTime() + 3600_000);
        await retryDueWebhookDeliveries(deliveredAt, depsOf(new Receiver([]), deliveredAt), () => 60_000);
        expect(await delivery()).toMatchObject({ state: 'delivered', expiresAt: expiresAfterDays(deliveredAt.toISOString(), 19) });
        expect((await reference())?.expiresAt).toBe(leadExpiry);
      });
    });

    it('does not bring back the reference an erasure took when the bus delivers or replays the event again', async () => {
      await leads.ingestLead(intake('hooked-again', { contact: { name: 'Ada', email: 'hooked-again@example.com' } }));
      await deliverWebhookEvent(scoredEvent('hooked-again', 'hooked-again-delivered'), depsOf(new Receiver([200]), capturedAt));
      // The same event delivered three times at once: one opens the delivery (and its reference), and it is attempted once.
      const first = new Receiver([503, 503, 503]);
      await Promise.all([1, 2, 3].map(() => deliverWebhookEvent(scoredEvent('hooked-again', 'hooked-again-pending'), depsOf(first, capturedAt))));
      expect(first.bodies).toHaveLength(1);
      const references = async () => (await database.items()).filter((item) => item.pk === 'LEADREFS#hooked-again' && String(item.sk).startsWith('WEBHOOK#'));
      expect(await references()).toHaveLength(2);
      expect(await erase('hooked-again')).toEqual({ leadId: 'hooked-again', erased: true });
      expect(await references()).toEqual([]);

      const receiver = new Receiver([]);
      for (const eventId of ['hooked-again-delivered', 'hooked-again-pending']) await deliverWebhookEvent(scoredEvent('hooked-again', eventId), depsOf(receiver, new Date('2026-03-09T09:00:01.000Z')));
      expect(await references()).toEqual([]);
      expect(receiver.bodies).toEqual([]);
      expect(JSON.stringify(await deliveryItems('hooked-again'))).not.toContain('1000+');
    });

    it('sends and keeps nothing the person answered for an event that reaches the destination after the erasure', async () => {
      await leads.ingestLead(intake('hooked-late', { contact: { name: 'Ada', email: 'hooked-late@example.com' } }));
      await erase('hooked-late');
      const receiver = new Receiver([200]);
      await deliverWebhookEvent(scoredEvent('hooked-late', 'hooked-late-scored'), depsOf(receiver, new Date('2026-03-09T09:00:01.000Z')));
      expect(receiver.bodies).toHaveLength(1);
      expect(receiver.bodies[0]).not.toContain('1000+');
      expect(JSON.stringify(await deliveryItems('hooked-late'))).not.toContain('1000+');
    });
  });
});

describe('the platform deliveries a lead holds, created or touched, on DynamoDB Local', () => {
  const intakes = () => new DynamoDbLeadIntakeRecords(database.client, database.tableName, retention);
  const received = (minutes: number) => new Date(capturedAt.getTime() + minutes * 60_000);
  const erase = (leadId: string, at = '2026-03-09T09:00:00.000Z') => erasures.erasePerson({ leadId, erase: (lead) => erasePersonFromLead(lead, { at, eventId: `${leadId}-erased-${at}`, by: 'admin:ines' }) });
  const linkedIn = (responseId: string) => ({ platform: 'linkedin' as const, responseId, responseUrn: `urn:li:leadGenFormResponse:${responseId}`, formId: '1234567' });
  const deps = () => ({ erasures, intakes: intakes(), newId: () => `erased-${Date.now()}-${Math.random()}` });
  /** A Meta delivery read back and stored as the platform intake does: its record, the lead (created or touched), then the record resolved to it. */
  async function metaDeliveryOf(leadId: string, leadgenId: string, email: string, at: Date) {
    const raw = `{"leadgen_id":"${leadgenId}","full_name":"Ada","email":"${email}"}`;
    await intakes().recordDelivery(newIntakeRecord({ platform: 'meta', leadgenId }, at, raw));
    const submission: Partial<IntakeSubmission> = { sourceKind: 'meta', channel: 'meta-ads', formId: undefined, platformLeadId: leadgenId, contact: { name: 'Ada', email } };
    const { leadId: stored } = await leads.ingestLead(intake(leadId, submission, at));
    await intakes().resolve('meta', leadgenId, { status: 'fetched', leadId: stored, at: at.toISOString() });
    return stored;
  }

  it("finds the records of every delivery the lead holds, the one that created it and those that touched it, and no other person's", async () => {
    await leads.ingestLead(intake('posted-then-meta', { contact: { name: 'Ada', email: 'posted-then-meta@example.com' } }));
    expect(await metaDeliveryOf('meta-touch-1', 'lg-55', 'posted-then-meta@example.com', received(5))).toBe('posted-then-meta');
    expect(await metaDeliveryOf('meta-touch-2', 'lg-56', 'posted-then-meta@example.com', received(9))).toBe('posted-then-meta');
    expect(await metaDeliveryOf('someone-else', 'lg-57', 'someone-else@example.com', received(7))).toBe('someone-else');
    expect(await metaDeliveryOf('meta-first', 'lg-58', 'meta-first@example.com', received(1))).toBe('meta-first');
    expect(await metaDeliveryOf('meta-first-again', 'lg-59', 'meta-first@example.com', received(3))).toBe('meta-first');

    const touched = await intakes().recordsOfLead((await leads.getLead('posted-then-meta'))!);
    expect(touched.map((record) => [record.platformLeadId, record.leadId, record.status])).toEqual([
      ['lg-55', 'posted-then-meta', 'fetched'],
      ['lg-56', 'posted-then-meta', 'fetched'],
    ]);
    expect(touched[0].rawDelivery).toContain('posted-then-meta@example.com');
    // Found through the references alone, and the creating delivery through the lead's source too.
    expect((await intakes().recordsOfLead({ leadId: 'meta-first' })).map((record) => record.platformLeadId)).toEqual(['lg-58', 'lg-59']);
    expect((await intakes().recordsOfLead((await leads.getLead('meta-first'))!)).map((record) => record.platformLeadId)).toEqual(['lg-58', 'lg-59']);
    expect(await intakes().recordsOfLead({ leadId: 'no-such-lead' })).toEqual([]);
  });

  it('takes the raw delivery off the records of deliveries that touched the erased lead, after the erasure and again when asked again', async () => {
    await leads.ingestLead(intake('erased-after-meta', { contact: { name: 'Ada', email: 'erased-after-meta@example.com' } }));
    await metaDeliveryOf('erased-touch', 'lg-65', 'erased-after-meta@example.com', received(5));
    await metaDeliveryOf('kept-person', 'lg-66', 'kept-person@example.com', received(6));
    expect(await erase('erased-after-meta')).toEqual({ leadId: 'erased-after-meta', erased: true });
    await intakes().eraseRawDeliveriesOfLead({ leadId: 'erased-after-meta' });

    expect(await intakes().getRecord('meta', 'lg-65')).toMatchObject({ status: 'fetched', leadId: 'erased-after-meta' });
    expect(await intakes().getRecord('meta', 'lg-65')).not.toHaveProperty('rawDelivery');
    expect((await intakes().getRecord('meta', 'lg-66'))?.rawDelivery).toContain('kept-person@example.com');
    expect(JSON.stringify(await database.items())).not.toContain('erased-after-meta@example.com');
    // Asked again (an erasure interrupted before this step), nothing fails and nothing comes back.
    await intakes().eraseRawDeliveriesOfLead({ leadId: 'erased-after-meta' });
    expect(await intakes().getRecord('meta', 'lg-65')).not.toHaveProperty('rawDelivery');
  });

  it("stores a LinkedIn deletion of a lead never delivered without the notice, expiring as a resolved record does, and still recognises the lead's late delivery", async () => {
    const deletedAt = new Date('2026-03-09T09:00:00.000Z');
    expect(await erasePlatformLead(deps(), linkedIn('never-delivered'), deletedAt)).toEqual({ platformLeadId: 'never-delivered', status: 'erased' });
    const item = await itemOf('INTAKE#linkedin#never-delivered', 'INTAKE');
    expect(item).toMatchObject({ status: 'erased', resolvedAt: deletedAt.toISOString(), expiresAt: expiresAfterDays(deletedAt.toISOString(), 11) });
    expect(item).not.toHaveProperty('rawDelivery');
    expect(item).not.toHaveProperty('pendingFetchPartition');
    // The lead's CREATED notice arriving later finds the erased record: the lead is never read.
    const late = await intakes().recordDelivery(newIntakeRecord(linkedIn('never-delivered'), new Date('2026-03-10T09:00:00.000Z'), '{"leadAction":"CREATED"}'));
    expect(late).toMatchObject({ created: false, record: { status: 'erased' } });
  });

  it('takes the raw delivery off a pending record a deletion erases', async () => {
    await intakes().recordDelivery(newIntakeRecord(linkedIn('pending-deleted'), capturedAt, '{"leadAction":"CREATED","owner":"urn:li:sponsoredAccount:5012345"}'));
    await erasePlatformLead(deps(), linkedIn('pending-deleted'), new Date('2026-03-09T09:00:00.000Z'));
    const item = await itemOf('INTAKE#linkedin#pending-deleted', 'INTAKE');
    expect(item).toMatchObject({ status: 'erased', expiresAt: expiresAfterDays('2026-03-09T09:00:00.000Z', 11) });
    expect(item).not.toHaveProperty('rawDelivery');
  });
});

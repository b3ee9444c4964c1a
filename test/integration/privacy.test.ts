import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { erasePersonFromLead, expiresAfterDays, leadEvent, newIntakeRecord, prepareIntake, retentionSchema, type ConsentRecord, type IntakeSubmission, type Lead, type LeadTransition } from '@leadflow/domain';
import { DynamoDbConsentLedger, DynamoDbLeadIntakeRecords, DynamoDbLeadStore, DynamoDbNotificationSendLedger, DynamoDbOutboxStore } from '@leadflow/platform';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';

/** Retention unlike the defaults, so every expiry below is shown to come from the configuration. */
const retention = retentionSchema.parse({ testLeadDays: 3, quarantinedLeadDays: 5, invalidLeadDays: 7, intakePayloadDays: 11, notificationDays: 13 });
const config = demoConfiguration();
// A route on an answer, so `lead.scored` carries the answer (what an erasure must take out of the outbox).
config.routing.routes.unshift({ id: 'big-firms', name: 'Big firms', match: { answers: { company_size: ['1000+'] } }, strategy: 'pool', poolId: 'key-accounts' });

let database: TestDatabase;
let leads: DynamoDbLeadStore;
let consents: DynamoDbConsentLedger;
beforeAll(async () => {
  database = await startTestDatabase();
  leads = new DynamoDbLeadStore(database.client, database.tableName, retention);
  consents = new DynamoDbConsentLedger(database.client, database.tableName);
});
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

describe('the consent ledger on DynamoDB Local', () => {
  it('keeps appended entries in time order, writing a retried append once, and refuses an entry that breaks the contract', async () => {
    const given = { leadId: 'ledger-1', purpose: 'marketing_email' as const, action: 'given' as const, at: '2026-03-02T10:00:00.000Z', source: 'form:demo', version: 'v1', text: 'Yes' };
    const withdrawn = { leadId: 'ledger-1', purpose: 'marketing_email' as const, action: 'withdrawn' as const, at: '2026-03-03T08:00:00.000Z', source: 'unsubscribe' };
    await consents.append(withdrawn);
    await consents.append(given);
    await consents.append(given);
    expect(await consents.entriesFor('ledger-1')).toEqual([given, withdrawn]);
    await expect(consents.append({ ...given, purpose: 'telepathy' as never })).rejects.toThrow(/purpose/);
    expect(await consents.entriesFor('ledger-1')).toHaveLength(2);
  });

  it('gets one given entry per purpose in the transaction that stores the lead, and more with a touch that gives consent again', async () => {
    await leads.ingestLead(intake('consenting', { consent }));
    const entry = { leadId: 'consenting', action: 'given', at: capturedAt.toISOString(), source: 'form:demo', version: '2026-01', text: 'I agree.', ip: '203.0.113.9', userAgent: 'Firefox' };
    expect(await consents.entriesFor('consenting')).toEqual([
      { ...entry, purpose: 'contact' },
      { ...entry, purpose: 'marketing_email' },
    ]);
    const later = new Date('2026-03-04T09:00:00.000Z');
    const repeat = intake('consenting-again', { contact: { email: 'consenting@example.com' }, consent: { ...consent, purposes: ['contact'], givenAt: later.toISOString() } }, later);
    expect(await leads.ingestLead(repeat)).toEqual({ leadId: 'consenting', outcome: 'touched' });
    expect((await consents.entriesFor('consenting')).map((ledgerEntry) => `${ledgerEntry.at} ${ledgerEntry.purpose}`)).toEqual([
      '2026-03-02T10:00:00.000Z contact',
      '2026-03-02T10:00:00.000Z marketing_email',
      '2026-03-04T09:00:00.000Z contact',
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
    // The store is under test, not the lifecycle rules: a transition to `status` at `now`, as the status endpoint writes one.
    const change = (lead: Lead, status: Lead['status'], now: Date): LeadTransition => {
      const at = now.toISOString();
      return {
        before: lead,
        after: { ...lead, status, updatedAt: at, history: [...lead.history, { at, action: status === 'invalid' ? 'invalidated' : 'reactivated', by: 'mgr-maya' }] },
        openLeads: [],
        event: leadEvent('lead.accepted', { eventId: `status-${now.getTime()}`, leadId: lead.leadId, ownerId: 'mgr-maya', poolId: lead.poolId, acceptedAt: at }, at),
      };
    };
    const pooled = (await leads.getLead('turns-invalid'))!;
    expect(await leads.applyTransition(change(pooled, 'invalid', invalidAt))).toBe('applied');
    expect((await leadItem('turns-invalid'))?.expiresAt).toBe(expiresAfterDays(invalidAt.toISOString(), 7));
    const invalid = (await leads.getLead('turns-invalid'))!;
    expect(await leads.applyTransition(change(invalid, 'in_pool', new Date('2026-03-06T12:00:00.000Z')))).toBe('applied');
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
});

describe('erasing a person by lead id on DynamoDB Local', () => {
  const erase = (leadId: string, at = '2026-03-09T09:00:00.000Z') => leads.erasePerson({ leadId, erase: (lead) => erasePersonFromLead(lead, { at, eventId: `${leadId}-erased-${at}`, by: 'admin:ines' }) });

  it('reaches the lead, its person keys, consent ledger, intake record and unpublished events in one transaction', async () => {
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
    const record = await intakes.getRecord('meta', '77');
    expect(record).toMatchObject({ status: 'fetched', leadId: 'erased-lead' });
    expect(record).not.toHaveProperty('rawDelivery');
    const unpublished = await new DynamoDbOutboxStore(database.client, database.tableName).listUnpublished('9999', 1000);
    const ofLead = unpublished.filter((event) => event.detail.leadId === 'erased-lead');
    expect(ofLead.map((event) => event.detailType).sort()).toEqual(['lead.captured', 'lead.erased', 'lead.scored']);
    expect(ofLead.find((event) => event.detailType === 'lead.scored')?.detail).not.toHaveProperty('answers');
    const everything = JSON.stringify((await database.items()).filter((item) => JSON.stringify(item).includes('erased-lead')));
    for (const personal of ['erased-lead@example.com', '4155550177', '1000+', '203.0.113.9', 'Firefox', 'full_name']) expect(everything).not.toContain(personal);
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

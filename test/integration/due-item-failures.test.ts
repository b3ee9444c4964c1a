import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { consentGivenEntries, leaveInPool, newIntakeRecord, nurtureEntry, type Configuration, type PlatformLeadRequest } from '@leadflow/domain';
import { DynamoDbConsentLedger, DynamoDbLeadIntakeRecords, leadIntakeKeys, leadsTableKeys, logger, nurtureDuePartition, openOfferPartition, pendingFetchPartition, shardedPartition } from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { createHandler as createSender } from '../../functions/send-nurture-emails/handler';
import { createHandler as createRetry } from '../../functions/retry-pending-fetches/handler';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { fakeDependencies } from '../support/fakes';
import { lambdaContext } from '../support/api-gateway-events';
import { webFormIntake } from '../support/intakes';

let database: TestDatabase;
let store: DynamoDbLeadStoreWithIngestion;

beforeAll(async () => {
  database = await startTestDatabase();
  store = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName);
});
afterAll(() => database?.stop());
afterEach(() => vi.restoreAllMocks());

const hour = 3_600_000;
const config = demoConfiguration();

/** A lead item that no longer reads as a lead (a status no version knows, its contact gone), filed in a due-time index. */
async function putUnreadableLead(leadId: string, index: Record<string, string>): Promise<void> {
  await database.client.send(new PutCommand({ TableName: database.tableName, Item: { ...leadsTableKeys.lead(leadId), entity: 'lead', leadId, status: 'archived-v0', ...index } }));
}

/** A cold lead with marketing consent, left in the nurture pool in the welcome sequence, as assign-lead does; due its first step at `enteredAt`. */
async function nurturedLead(config: Configuration, leadId: string, enteredAt: Date): Promise<void> {
  const intake = webFormIntake(config, { leadId, now: enteredAt, contact: { name: leadId, email: `${leadId}@gmail.com` } });
  intake.lead.consent = { version: '2026-11', text: 'emails now and then', purposes: ['contact', 'marketing_email'], givenAt: enteredAt.toISOString() };
  intake.consents = consentGivenEntries(leadId, intake.lead.consent, 'form:demo');
  await store.ingestLead(intake);
  const route = config.routing.routes.find((candidate) => candidate.strategy === 'nurture')!;
  const sequence = config.nurture.sequences.find((candidate) => candidate.id === route.sequenceId)!;
  const change = leaveInPool({ lead: intake.lead, route, poolId: 'nurture', skipped: [], eventId: `${leadId}-pooled`, now: enteredAt });
  expect(await store.leaveInPool({ leadId, ...change, nurture: nurtureEntry(sequence, route.id, enteredAt) })).toBe('pooled');
}

describe('a due lead item that no longer reads as a lead', () => {
  it('is logged and skipped by the nurture run, which emails the leads due after it; a page of it alone still moves on', { timeout: 60_000 }, async () => {
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const now = new Date('2026-04-01T12:00:00.000Z');
    // The unreadable lead is the earliest due, so it heads every page of every run.
    await putUnreadableLead('n-stuck', { nurtureDuePartition: shardedPartition(nurtureDuePartition, 'n-stuck'), nurtureDueAt: new Date(now.getTime() - 5 * hour).toISOString() });
    for (const leadId of ['n-due-1', 'n-due-2']) await nurturedLead(config, leadId, new Date(now.getTime() - hour));

    const first = await store.listDueNurturedLeads(now.toISOString(), { limit: 1 });
    expect(first.leads).toEqual([]);
    expect(first.next).toEqual({ at: new Date(now.getTime() - 5 * hour).toISOString(), leadId: 'n-stuck' });
    expect((await store.listDueNurturedLeads(now.toISOString(), { limit: 1, after: first.next })).leads.map((lead) => lead.leadId)).toEqual(['n-due-1']);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('does not read as a lead'), expect.objectContaining({ pk: 'LEAD#n-stuck', indexName: 'nurture-due-by-time', problem: expect.any(String) }));

    const deps = { ...fakeDependencies(now), config, leads: store, consents: new DynamoDbConsentLedger(database.client, database.tableName) };
    const run = await createSender(() => deps)({ scheduleName: 'nurture-emails', time: now.toISOString() }, lambdaContext);
    expect(run.outcomes.map(({ leadId, outcome }) => [leadId, outcome])).toEqual([
      ['n-due-1', 'emailed'],
      ['n-due-2', 'emailed'],
    ]);
    expect(deps.mailer.sent.map((email) => email.to)).toEqual(['n-due-1@gmail.com', 'n-due-2@gmail.com']);
  });

  it('is logged and skipped in the expired offers, and the page moves past it', { timeout: 60_000 }, async () => {
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const offerIndex = (leadId: string, expiresAt: string) => ({ offerExpiryPartition: shardedPartition(openOfferPartition, leadId), offerExpiresAt: expiresAt });
    await putUnreadableLead('o-stuck', offerIndex('o-stuck', '2026-03-02T15:01:00.000Z'));
    // A readable lead filed in the index after it (only the index attributes matter to the page).
    await store.ingestLead(webFormIntake(config, { leadId: 'o-later', now: new Date('2026-03-02T15:00:00.000Z') }));
    const { offerExpiryPartition, offerExpiresAt } = offerIndex('o-later', '2026-03-02T15:02:00.000Z');
    await database.client.send(
      new UpdateCommand({
        TableName: database.tableName,
        Key: leadsTableKeys.lead('o-later'),
        UpdateExpression: 'SET offerExpiryPartition = :partition, offerExpiresAt = :expiresAt',
        ExpressionAttributeValues: { ':partition': offerExpiryPartition, ':expiresAt': offerExpiresAt },
      }),
    );

    expect((await store.listExpiredOffers('2026-03-02T15:10:00.000Z', { limit: 10 })).leads.map((lead) => lead.leadId)).toEqual(['o-later']);
    const first = await store.listExpiredOffers('2026-03-02T15:10:00.000Z', { limit: 1 });
    expect(first).toEqual({ leads: [], next: { at: '2026-03-02T15:01:00.000Z', leadId: 'o-stuck' } });
    expect((await store.listExpiredOffers('2026-03-02T15:10:00.000Z', { limit: 1, after: first.next })).leads.map((lead) => lead.leadId)).toEqual(['o-later']);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('does not read as a lead'), expect.objectContaining({ pk: 'LEAD#o-stuck', indexName: 'offer-expiry-by-time' }));
  });
});

describe('pending intake records the retry job cannot read', () => {
  const received = new Date('2026-03-02T10:00:00.000Z');
  const metaRequest = (leadgenId: string): PlatformLeadRequest => ({ platform: 'meta', leadgenId, formId: '172036835026334', pageId: '138124712925158' });

  it('lists past a key naming no known platform, and reads back the records due after one that no longer reads as a record', { timeout: 60_000 }, async () => {
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const intakes = new DynamoDbLeadIntakeRecords(database.client, database.tableName);
    // Both stuck items are due before the good ones: a platform no longer supported, and a record whose attempts were written as text.
    await database.client.send(
      new PutCommand({
        TableName: database.tableName,
        Item: {
          pk: 'INTAKE#myspace#old-1',
          sk: 'INTAKE',
          entity: 'lead-intake',
          platform: 'myspace',
          status: 'pending_fetch',
          nextAttemptAt: '2026-03-02T10:00:10.000Z',
          pendingFetchPartition: `${pendingFetchPartition}#3`,
        },
      }),
    );
    await database.client.send(
      new PutCommand({
        TableName: database.tableName,
        Item: {
          ...leadIntakeKeys('meta', 'broken'),
          entity: 'lead-intake',
          ...newIntakeRecord(metaRequest('broken'), received),
          attempts: 'several',
          nextAttemptAt: '2026-03-02T10:00:20.000Z',
          pendingFetchPartition: shardedPartition(pendingFetchPartition, 'meta#broken'),
        },
      }),
    );
    for (const [index, id] of ['good-1', 'good-2'].entries()) await intakes.recordDelivery({ ...newIntakeRecord(metaRequest(id), received), nextAttemptAt: `2026-03-02T10:01:0${index}.000Z` });

    const first = await intakes.listDue('2026-03-02T10:05:00.000Z', { limit: 1 });
    expect(first).toEqual({ due: [], next: { at: '2026-03-02T10:00:10.000Z', platform: 'myspace', platformLeadId: 'old-1' } });
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('names no known platform'), expect.objectContaining({ pk: 'INTAKE#myspace#old-1' }));
    const second = await intakes.listDue('2026-03-02T10:05:00.000Z', { limit: 2, after: first.next });
    expect(second.due.map(({ platformLeadId }) => platformLeadId)).toEqual(['broken', 'good-1']);
    expect((await intakes.listDue('2026-03-02T10:05:00.000Z', { limit: 2, after: second.next })).due.map(({ platformLeadId }) => platformLeadId)).toEqual(['good-2']);

    const deps = { ...fakeDependencies(received), intakes };
    const run = await createRetry(() => deps)({ scheduleName: 'retry-pending-fetches', time: '2026-03-02T10:05:00.000Z' }, lambdaContext);
    expect(run).toEqual({ due: 2, fetched: 2, skipped: 0, stillPending: 0, unrecorded: 0, unread: 1 });
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('Could not read a pending platform lead'), expect.objectContaining({ platform: 'meta', platformLeadId: 'broken' }));
    for (const id of ['good-1', 'good-2']) expect(await intakes.getRecord('meta', id)).toMatchObject({ status: 'fetched', leadId: expect.any(String) });
  });
});

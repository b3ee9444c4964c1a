import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { afterFailedFetch, deliveryDedupKey, erasePersonFromLead, fetchFailedEvent, newIntakeRecord, prepareIntake, type IntakeSubmission, type PlatformLeadRequest } from '@leadflow/domain';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbLeadErasure, DynamoDbLeadIntakeRecords, leadIntakeKeys } from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { demoConfiguration } from '../support/demo-configuration';

const config = demoConfiguration();

let database: TestDatabase;
let intakes: DynamoDbLeadIntakeRecords;
let leads: DynamoDbLeadStoreWithIngestion;
let erasures: DynamoDbLeadErasure;

beforeAll(async () => {
  database = await startTestDatabase();
  intakes = new DynamoDbLeadIntakeRecords(database.client, database.tableName);
  leads = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName);
  erasures = new DynamoDbLeadErasure(database.client, database.tableName);
});
afterAll(() => database?.stop());
// The due list reads every pending record of the table.
beforeEach(() => database.reset());

const received = new Date('2026-03-02T10:00:00.000Z');
const meta = (leadgenId: string): PlatformLeadRequest => ({ platform: 'meta', leadgenId, formId: '172036835026334', pageId: '138124712925158' });

/** Pending deliveries `due-b` and `due-a`, next tried 3 and 2 minutes after `received`, and `later`, 30 minutes after. */
async function pendingDeliveries(): Promise<void> {
  for (const [id, minutes] of [
    ['due-b', 3],
    ['due-a', 2],
    ['later', 30],
  ] as const) {
    await intakes.recordDelivery({ ...newIntakeRecord(meta(id), received), nextAttemptAt: new Date(received.getTime() + minutes * 60_000).toISOString() });
  }
}

describe('DynamoDbLeadIntakeRecords against DynamoDB Local', () => {
  it('stores a delivery once under INTAKE#<platform>#<id>; a redelivery finds the first record', async () => {
    const body = '{"object":"page","entry":[{"changes":[{"field":"leadgen","value":{"leadgen_id":55459717045641545}}]}]}';
    const record = newIntakeRecord(meta('55459717045641545'), received, body);
    expect(record.rawDelivery).toBe(body);
    expect(await intakes.recordDelivery(record)).toEqual({ created: true, record });
    const again = await intakes.recordDelivery(newIntakeRecord(meta('55459717045641545'), new Date('2026-03-02T10:05:00.000Z')));
    expect(again).toEqual({ created: false, record });
    const item = (await database.items()).find((candidate) => candidate.pk === 'INTAKE#meta#55459717045641545');
    expect(item).toMatchObject({ sk: 'INTAKE', entity: 'lead-intake', status: 'pending_fetch', attempts: 0, nextAttemptAt: '2026-03-02T10:01:00.000Z', pendingFetchPartition: expect.stringMatching(/^pending#\d+$/) });
  });

  it('records a failure with its lead.fetch_failed outbox event in one transaction', async () => {
    const record = newIntakeRecord(meta('fail-1'), received);
    await intakes.recordDelivery(record);
    const failed = afterFailedFetch(record, 'The Meta Graph API answered HTTP 503', received);
    expect(await intakes.recordFailure(failed, fetchFailedEvent(failed, 'evt-fail-1', received))).toBe('recorded');
    expect(await intakes.getRecord('meta', 'fail-1')).toMatchObject({ status: 'pending_fetch', attempts: 1, lastError: 'The Meta Graph API answered HTTP 503', nextAttemptAt: '2026-03-02T10:01:00.000Z' });
    expect((await database.items()).find((item) => item.pk === 'OUTBOX#evt-fail-1')).toMatchObject({ detailType: 'lead.fetch_failed', detail: { platformLeadId: 'fail-1', attempts: 1 } });
  });

  it('lists only pending records that are due, most overdue first, up to the limit, from the sparse index', async () => {
    await pendingDeliveries();
    const { due } = await intakes.listDue('2026-03-02T10:10:00.000Z', { limit: 10 });
    const ids = due.map((record) => record.platformLeadId);
    expect(ids.filter((id) => id === 'due-a' || id === 'due-b')).toEqual(['due-a', 'due-b']);
    expect(ids).not.toContain('later');
    expect((await intakes.listDue('2026-03-02T10:10:00.000Z', { limit: 2 })).due).toHaveLength(2);
  });

  it('spreads pending records over the index shards and lists the due ones from every shard, and from the unsharded partition of older records', async () => {
    const ids = Array.from({ length: 24 }, (_, index) => `sharded-${index}`);
    for (const [index, id] of ids.entries()) {
      await intakes.recordDelivery({ ...newIntakeRecord(meta(id), received), nextAttemptAt: new Date(Date.parse('2026-03-02T09:00:00.000Z') + index * 1000).toISOString() });
    }
    // A record written before the index was sharded keeps the bare partition value; it must not be forgotten.
    await database.client.send(
      new PutCommand({
        TableName: database.tableName,
        Item: { ...leadIntakeKeys('meta', 'unsharded'), entity: 'lead-intake', ...newIntakeRecord(meta('unsharded'), received), nextAttemptAt: '2026-03-02T08:59:00.000Z', pendingFetchPartition: 'pending' },
      }),
    );
    const partitions = new Set((await database.items()).filter((item) => ids.includes(item.platformLeadId)).map((item) => item.pendingFetchPartition));
    expect(partitions.size).toBeGreaterThan(4);
    for (const partition of partitions) expect(partition).toMatch(/^pending#([0-9]|1[0-5])$/);

    const { due } = await intakes.listDue('2026-03-02T09:30:00.000Z', { limit: 100 });
    expect(due.map((record) => record.platformLeadId)).toEqual(['unsharded', ...ids]);
    expect((await intakes.listDue('2026-03-02T09:30:00.000Z', { limit: 5 })).due.map((record) => record.platformLeadId)).toEqual(['unsharded', ...ids.slice(0, 4)]);
    for (const id of ['unsharded', ...ids]) await intakes.resolve('meta', id, { status: 'fetched', leadId: `lead-${id}`, at: '2026-03-02T10:03:00.000Z' });
    expect((await intakes.listDue('2026-03-02T09:30:00.000Z', { limit: 100 })).due).toEqual([]);
  });

  it('resolving takes a record off the due list for good; an erased record stays erased', async () => {
    await pendingDeliveries();
    await intakes.resolve('meta', 'due-a', { status: 'fetched', leadId: 'lead-a', at: '2026-03-02T10:03:00.000Z' });
    expect(await intakes.getRecord('meta', 'due-a')).toMatchObject({ status: 'fetched', leadId: 'lead-a', resolvedAt: '2026-03-02T10:03:00.000Z' });
    expect(await intakes.getRecord('meta', 'due-a')).not.toHaveProperty('nextAttemptAt');
    // Resolved records expire (TTL) after 30 days; pending ones never carry expiresAt.
    const items = await database.items();
    expect(items.find((item) => item.pk === 'INTAKE#meta#due-a')?.expiresAt).toBe(Date.parse('2026-03-02T10:03:00.000Z') / 1000 + 30 * 24 * 3600);
    expect(items.find((item) => item.pk === 'INTAKE#meta#later')).not.toHaveProperty('expiresAt');
    expect((await intakes.listDue('2030-01-01T00:00:00.000Z', { limit: 100 })).due.map((record) => record.platformLeadId)).not.toContain('due-a');

    await intakes.resolve('meta', 'due-b', { status: 'erased', reason: 'gone', at: '2026-03-02T10:04:00.000Z' });
    await intakes.resolve('meta', 'due-b', { status: 'fetched', leadId: 'late', at: '2026-03-02T10:05:00.000Z' });
    expect(await intakes.getRecord('meta', 'due-b')).toMatchObject({ status: 'erased', statusReason: 'gone' });
    const stale = afterFailedFetch((await intakes.getRecord('meta', 'due-b'))!, 'x', received);
    expect(await intakes.recordFailure(stale, fetchFailedEvent(stale, 'evt-stale', received))).toBe('already_resolved');
    expect((await database.items()).some((item) => item.pk === 'OUTBOX#evt-stale')).toBe(false);
    await intakes.resolve('meta', 'never-delivered', { status: 'fetched', at: '2026-03-02T10:05:00.000Z' });
    expect(await intakes.getRecord('meta', 'never-delivered')).toBeUndefined();
  });
});

describe('DynamoDbLeadErasure.erasePerson against DynamoDB Local', () => {
  const submission = (platformLeadId: string, email: string, isTest = false, phone = '+442071838751'): IntakeSubmission => ({
    sourceKind: 'linkedin',
    channel: 'linkedin-ads',
    poolId: 'emea-inbound',
    defaultCountry: 'GB',
    contact: { name: 'Lin Ked', email, phone },
    answers: { company_size: '11-50' },
    attribution: { lastTouch: { campaign_id: '555001' } },
    platformLeadId,
    isTest,
  });
  const ingest = (leadId: string, input: IntakeSubmission) => leads.ingestLead(prepareIntake(input, { leadId, eventId: `${leadId}-captured`, touchEventId: `${leadId}-touched` }, received, config));
  const erase = (platformLeadId: string, eventId: string) =>
    erasures.erasePerson({ dedupKey: deliveryDedupKey('linkedin', undefined, platformLeadId), erase: (lead) => erasePersonFromLead(lead, { at: '2026-03-03T00:00:00.000Z', eventId }) });
  /** Stores Lin's lead `erase-me` (LinkedIn delivery `r-1`) and erases the person on LinkedIn's first deletion notice. */
  const storeThenErase = async () => {
    await ingest('erase-me', submission('r-1', 'lin@example.com'));
    return erase('r-1', 'erase-event-1');
  };

  it('clears the person from the lead, deletes their person keys, keeps the delivery key, and writes lead.erased', async () => {
    expect(await storeThenErase()).toEqual({ leadId: 'erase-me', erased: true });
    expect(await leads.getLead('erase-me')).toMatchObject({
      contact: {},
      answers: {},
      status: 'invalid',
      statusReason: "erased at the person's request",
      updatedAt: '2026-03-03T00:00:00.000Z',
      attribution: { lastTouch: { campaign_id: '555001' } },
      touches: 1,
    });
    expect((await leads.getLead('erase-me'))?.history.at(-1)).toEqual({ at: '2026-03-03T00:00:00.000Z', action: 'erased', by: 'linkedin:deletion', detail: "erased at the person's request" });
    const items = await database.items();
    expect(items.some((item) => item.pk === 'DEDUP#email#lin@example.com')).toBe(false);
    expect(items.some((item) => item.pk === 'DEDUP#phone#+442071838751')).toBe(false);
    expect(items.find((item) => item.pk === 'DEDUP#delivery#linkedin##r-1')).toMatchObject({ leadId: 'erase-me' });
    expect(items.find((item) => item.pk === 'OUTBOX#erase-event-1')).toMatchObject({ detailType: 'lead.erased', detail: { leadId: 'erase-me', reason: "erased at the person's request" } });
  });

  it('does nothing more for a redelivered deletion, and answers undefined for a lead it never stored', async () => {
    expect(await storeThenErase()).toEqual({ leadId: 'erase-me', erased: true });
    expect(await erase('r-1', 'erase-event-2')).toEqual({ leadId: 'erase-me', erased: false });
    expect((await database.items()).some((item) => item.pk === 'OUTBOX#erase-event-2')).toBe(false);
    expect(await erase('r-unknown', 'erase-event-3')).toBeUndefined();
  });

  it('leaves person keys that another lead holds', async () => {
    await ingest('holder', submission('r-2', 'shared@example.com', false, '+442071838752'));
    await ingest('test-lead', submission('r-3', 'other@example.com', true, '+442071838753')); // a test lead claims no person keys
    await erasures.erasePerson({
      dedupKey: deliveryDedupKey('linkedin', undefined, 'r-3'),
      erase: (lead) => ({ ...erasePersonFromLead(lead, { at: '2026-03-03T00:00:00.000Z', eventId: 'erase-event-4' })!, personKeys: ['email#shared@example.com'] }),
    });
    expect((await database.items()).find((item) => item.pk === 'DEDUP#email#shared@example.com')).toMatchObject({ leadId: 'holder' });
  });
});

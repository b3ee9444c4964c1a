import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personDedupKey, prepareIntake, readLeadImportFile, resolveImportTarget, type LeadImportFile } from '@leadflow/domain';
import { DynamoDbMeasuredPriorsReader, importLeads } from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { webFormIntake } from '../support/intakes';
import { fakeDependencies } from '../support/fakes';
import { httpEvent, lambdaContext } from '../support/api-gateway-events';
import { createHandler as createGetLeadHandler } from '../../functions/get-lead/handler';
import { createHandler as createLookupHandler } from '../../functions/lookup-lead/handler';

const config = demoConfiguration();
let database: TestDatabase;
let leads: DynamoDbLeadStoreWithIngestion;

beforeAll(async () => {
  database = await startTestDatabase();
  leads = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName);
});
afterAll(() => database?.stop());

let counter = 0;
const deps = () => ({
  config,
  leads,
  ingestion: leads,
  measuredPriors: new DynamoDbMeasuredPriorsReader(database.client, database.tableName),
  now: () => new Date('2026-03-02T10:00:00.000Z'),
  newId: () => `import-${++counter}`,
});

function sampleFile(): LeadImportFile {
  const result = readLeadImportFile(readFileSync(new URL('../../examples/trade-show-leads.csv', import.meta.url), 'utf8'));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.file;
}

describe('findLeadIdByPersonKey against DynamoDB Local', () => {
  it('finds the lead holding an email or phone key, and nothing for other keys', async () => {
    const intake = webFormIntake(config, { leadId: 'held', contact: { name: 'Ada', email: 'ada@example.com', phone: '+14155550100' } });
    await leads.ingestLead(intake);
    expect(await leads.findLeadIdByPersonKey(personDedupKey('email', 'ada@example.com'))).toBe('held');
    expect(await leads.findLeadIdByPersonKey(personDedupKey('phone', '+14155550100'))).toBe('held');
    expect(await leads.findLeadIdByPersonKey(personDedupKey('email', 'nobody@example.com'))).toBeUndefined();

    const invalid = webFormIntake(config, { leadId: 'invalid', contact: { name: 'No One', email: 'not-an-email' } });
    await leads.ingestLead(invalid);
    expect(await leads.findLeadIdByPersonKey(personDedupKey('email', 'not-an-email'))).toBeUndefined();

    const delivery = prepareIntake(
      {
        sourceKind: 'meta',
        channel: 'meta-ads',
        poolId: 'americas-inbound',
        defaultCountry: 'US',
        contact: { email: 'meta@example.com' },
        answers: {},
        attribution: {},
        isTest: false,
        platformLeadId: '42',
        sourceId: 'page-1',
      },
      { leadId: 'meta-lead', eventId: 'meta-captured', touchEventId: 'meta-touched' },
      new Date('2026-03-02T10:00:00.000Z'),
      config,
    );
    await leads.ingestLead(delivery);
    expect(delivery.dedupKeys.map((key) => key.kind)).toEqual(['delivery', 'person']);
    expect(await leads.findLeadIdByPersonKey(delivery.dedupKeys[0].key)).toBeUndefined();
  });
});

describe('a redelivered delivery that touched an existing lead', () => {
  it('is replayed the second time, not touched again', async () => {
    await leads.ingestLead(webFormIntake(config, { leadId: 'known', contact: { name: 'Bo', email: 'bo@example.com' } }));
    const delivery = (leadId: string) =>
      prepareIntake(
        { sourceKind: 'google', channel: 'google-ads', poolId: 'americas-inbound', defaultCountry: 'US', contact: { email: 'bo@example.com' }, answers: {}, attribution: {}, isTest: false, platformLeadId: 'g-77' },
        { leadId, eventId: `${leadId}-captured`, touchEventId: `${leadId}-touched` },
        new Date('2026-03-02T11:00:00.000Z'),
        config,
      );
    expect(await leads.ingestLead(delivery('d-1'))).toEqual({ leadId: 'known', outcome: 'touched' });
    const before = (await database.items()).length;
    expect(await leads.ingestLead(delivery('d-2'))).toEqual({ leadId: 'known', outcome: 'replayed' });
    expect((await database.items()).length).toBe(before);
    expect((await leads.getLead('known'))?.touches).toBe(2);
  });
});

describe('importing a lead file against DynamoDB Local', () => {
  it('stores the sample file once; importing it again creates and writes nothing', async () => {
    const resolved = resolveImportTarget(config, { source: 'trade-shows', campaign: 'automate-2026', pool: 'americas-inbound' });
    if (!resolved.ok) throw new Error('target');
    const first = await importLeads(sampleFile(), resolved.target, deps());
    expect(first).toMatchObject({ rows: 16, created: 13, touched: 1, replayed: 0, invalid: 1 });
    expect(first.errors).toEqual([{ row: 13, column: '(row)', message: expect.stringMatching(/^has 12 values/) }]);

    const priyaId = await leads.findLeadIdByPersonKey(personDedupKey('email', 'priya.raman@example.com'));
    expect(await leads.getLead(priyaId!)).toMatchObject({ channel: 'trade-shows', source: { kind: 'import', sourceId: 'automate-2026' }, touches: 2 });
    const captured = (await database.items()).filter((item) => item.entity === 'outbox' && item.detailType === 'lead.captured' && item.detail.sourceKind === 'import');
    expect(captured).toHaveLength(14);

    const before = await database.items();
    const second = await importLeads(sampleFile(), resolved.target, deps());
    expect(second).toMatchObject({ rows: 16, created: 0, touched: 0, replayed: 15, invalid: 0 });
    expect(await database.items()).toEqual(before);
  });
});

describe('over-long keys from a request, against DynamoDB Local', () => {
  const asManager = { sub: 'maya', 'cognito:groups': '[manager]' };
  it('answers a lead id longer than any lead has 404, and an email longer than any address 400 naming email, where DynamoDB would refuse the key', async () => {
    const longId = 'a'.repeat(2100);
    const getLead = createGetLeadHandler(() => ({ config, leads, now: () => new Date('2026-03-02T10:00:00.000Z') }));
    const read = (await getLead(httpEvent({ path: `/leads/${longId}`, pathParameters: { leadId: longId }, claims: asManager }), lambdaContext)) as { statusCode: number };
    expect(read.statusCode).toBe(404);

    const lookup = createLookupHandler(() => ({ config, leads, rateLimiter: fakeDependencies().rateLimiter, now: () => new Date('2026-03-02T10:00:00.000Z') }));
    const answer = (await lookup(httpEvent({ path: '/leads/lookup', query: { email: `${'a'.repeat(2100)}@example.com` }, claims: asManager }), lambdaContext)) as { statusCode: number; body: string };
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body).issues).toEqual([expect.objectContaining({ path: 'email' })]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { agendaKey, erasePersonFromLead, personDedupKey, planActivity, planManualAssignment, poolSchema, type Configuration } from '@leadflow/domain';
import { DynamoDbLeadErasure } from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { createHandler as createClaim } from '../../functions/claim-lead/handler';
import { createHandler as createAssign } from '../../functions/assign-lead-manually/handler';
import { createHandler as createActivity } from '../../functions/log-lead-activity/handler';
import { createHandler as createStatus } from '../../functions/change-lead-status/handler';
import { createHandler as createConvert } from '../../functions/convert-lead/handler';
import { createHandler as createMyLeads } from '../../functions/list-my-leads/handler';
import { createHandler as createPoolList } from '../../functions/list-pool-leads/handler';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { httpEvent, lambdaContext, leadStepEvent } from '../support/api-gateway-events';
import { pooledLead } from '../support/pooled-leads';
import { webFormIntake } from '../support/intakes';

let database: TestDatabase;
let leads: DynamoDbLeadStoreWithIngestion;
let erasures: DynamoDbLeadErasure;

beforeAll(async () => {
  database = await startTestDatabase();
  leads = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName);
  erasures = new DynamoDbLeadErasure(database.client, database.tableName);
});
afterAll(() => database?.stop());

const steps = { claim: createClaim, assign: createAssign, activities: createActivity, status: createStatus, convert: createConvert };
const manager = (id: string) => ({ sub: id, 'cognito:groups': '[manager]' });
const rep = (id: string) => ({ sub: id, 'cognito:groups': '[rep]' });

/** The demo configuration with a pool of its own (five members, holding cap 3 unless given) and a clock the test moves. */
function world(poolId: string, holdingCap = 3) {
  const config: Configuration = demoConfiguration();
  const members = Array.from({ length: 5 }, (_, index) => `${poolId}-rep-${index}`);
  for (const id of members) config.reps.push({ ...config.reps[0], id, name: id, capacity: 50, workingHours: undefined });
  config.pools.push(poolSchema.parse({ id: poolId, name: poolId, teamId: 'americas', members, claim: { holdingCap } }));
  let now = new Date('2026-03-02T10:00:00.000Z');
  const deps = { config, leads, now: () => now, newId: randomUUID };
  const post = async (step: keyof typeof steps, leadId: string, claims: Record<string, string>, body?: unknown) => {
    const event = leadStepEvent(step, leadId, claims, body);
    const response = (await steps[step](() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
    return { status: response.statusCode, json: JSON.parse(response.body) };
  };
  const get = async (create: typeof createMyLeads | typeof createPoolList, path: string, claims: Record<string, string>, query: Record<string, string>, pathParameters: Record<string, string> = {}) => {
    const response = (await create(() => deps)(httpEvent({ path, pathParameters, query, claims }), lambdaContext)) as { statusCode: number; body: string };
    return { status: response.statusCode, json: JSON.parse(response.body) };
  };
  return {
    config,
    members,
    post,
    get,
    setNow: (at: string) => (now = new Date(at)),
    pool: (leadId: string, capturedAt?: Date) => pooledLead(leads, config, { leadId, poolId, capturedAt }),
    open: async (repId: string) => (await leads.readRepStates([repId])).openLeads.get(repId),
  };
}

const outboxOf = async (type: string, leadId: string) => (await database.items()).filter((item) => item.entity === 'outbox' && item.detailType === type && item.detail.leadId === leadId);
const ids = (page: { json: { leads: Array<{ leadId: string }> } }) => page.json.leads.map((lead) => lead.leadId);

describe('lifecycle transitions against DynamoDB Local', () => {
  it('two racing status changes: one wins, the other is a 409 naming the state it lost to', { timeout: 120_000 }, async () => {
    const w = world('race-status');
    await w.pool('race-status-lead');
    expect((await w.post('claim', 'race-status-lead', rep(w.members[0]))).status).toBe(200);
    const responses = await Promise.all([w.post('status', 'race-status-lead', rep(w.members[0]), { status: 'contacted' }), w.post('status', 'race-status-lead', manager('mgr-maya'), { status: 'contacted' })]);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 409]);
    expect(responses.find((response) => response.status === 409)?.json).toEqual({ rule: 'illegal_transition', error: 'lead race-status-lead is contacted; contacted is allowed only from assigned' });
    expect((await leads.getLead('race-status-lead'))?.history.filter((entry) => entry.action === 'contacted')).toHaveLength(1);
    expect(await outboxOf('lead.status_changed', 'race-status-lead')).toHaveLength(1);
  });

  it('five assignments decided from the same waiting lead, written at once: one owner, four lead_changed, one counted open lead', { timeout: 120_000 }, async () => {
    const w = world('race-assign');
    const read = await w.pool('race-assign-lead');
    const pool = w.config.pools.find((candidate) => candidate.id === 'race-assign')!;
    const plans = w.members.map((repId, index) =>
      planManualAssignment({
        lead: read,
        pool,
        principal: { id: `mgr-${index}`, roles: ['manager'] },
        target: w.config.reps.find((candidate) => candidate.id === repId),
        repId,
        now: new Date('2026-03-02T10:00:00.000Z'),
        eventId: randomUUID(),
      }),
    );
    const outcomes = await Promise.all(
      plans.map((plan) => {
        if ('refusal' in plan) throw new Error(`refused: ${plan.refusal.message}`);
        return leads.applyTransition(plan.transition);
      }),
    );
    expect([...outcomes].sort()).toEqual(['applied', 'lead_changed', 'lead_changed', 'lead_changed', 'lead_changed']);
    const open = (await leads.readRepStates(w.members)).openLeads;
    expect([...open.values()].reduce((sum, count) => sum + count, 0)).toBe(1);
    expect(open.get((await leads.getLead('race-assign-lead'))?.ownerId ?? '')).toBe(1);
    expect(await outboxOf('lead.assigned', 'race-assign-lead')).toHaveLength(1);
  });

  it('refuses a write planned from a lead that changed since, whatever the change', { timeout: 120_000 }, async () => {
    const w = world('stale');
    await w.pool('stale-lead');
    expect((await w.post('claim', 'stale-lead', rep(w.members[0]))).status).toBe(200);
    const read = (await leads.getLead('stale-lead'))!;
    expect((await w.post('activities', 'stale-lead', rep(w.members[0]), { kind: 'note' })).status).toBe(200);
    const stale = planActivity({ lead: read, principal: { id: w.members[0], roles: ['rep'] }, activity: { kind: 'call' }, now: new Date('2026-03-02T10:00:01.000Z'), eventId: randomUUID() });
    if (!('transition' in stale)) throw new Error('the stale plan should pass the pure checks');
    const before = await database.items();
    expect(await leads.applyTransition(stale.transition)).toBe('lead_changed');
    expect(await database.items()).toEqual(before);
  });

  it('moves open-lead counters: transfer, the cap in the transaction, invalid and conversion free capacity', { timeout: 120_000 }, async () => {
    const w = world('counters');
    const [ava, ben] = w.members;
    for (const leadId of ['c-1', 'c-2', 'c-3', 'c-4']) await w.pool(leadId);
    for (const leadId of ['c-1', 'c-2', 'c-3']) expect((await w.post('assign', leadId, manager('mgr-maya'), { repId: ben })).status).toBe(200);
    expect(await w.open(ben)).toBe(3);
    const before = await database.items();
    expect(await w.post('assign', 'c-4', manager('mgr-maya'), { repId: ben })).toEqual({ status: 409, json: { rule: 'holding_cap', error: `${ben}: holding cap 3 reached (3/3 open leads)` } });
    expect(await database.items()).toEqual(before);
    expect((await w.post('assign', 'c-1', manager('mgr-maya'), { repId: ava, reason: 'rebalancing' })).json).toMatchObject({ ownerId: ava });
    expect([await w.open(ava), await w.open(ben)]).toEqual([1, 2]);
    expect((await w.post('status', 'c-2', rep(ben), { status: 'invalid', reason: 'duplicate' })).json).toMatchObject({ status: 'invalid', previousOwnerId: ben });
    expect(await w.open(ben)).toBe(1);
    for (const body of [{ status: 'contacted' }, { status: 'qualified', qualification: 'sql' }]) expect((await w.post('status', 'c-3', rep(ben), body)).status).toBe(200);
    expect((await w.post('convert', 'c-3', rep(ben), { revenue: 99.5, currency: 'EUR', wonAt: '2026-03-02T09:00:00Z' })).json).toMatchObject({ status: 'converted', conversion: { revenue: 99.5, currency: 'EUR' } });
    expect(await w.open(ben)).toBe(0);
    expect((await outboxOf('lead.converted', 'c-3'))[0].detail).toMatchObject({ revenue: 99.5, currency: 'EUR', ownerId: ben, poolId: 'counters' });
    // Invalid leaves the pool listing; reactivated, it waits there again, unowned.
    expect(ids(await w.get(createPoolList, '/pools/counters/leads', manager('mgr-maya'), {}, { poolId: 'counters' }))).toEqual(['c-4']);
    expect((await w.post('status', 'c-2', manager('mgr-maya'), { status: 'reactivate' })).json).toMatchObject({ status: 'in_pool' });
    expect(ids(await w.get(createPoolList, '/pools/counters/leads', manager('mgr-maya'), {}, { poolId: 'counters' })).sort()).toEqual(['c-2', 'c-4']);
  });

  it("reads a rep's own leads through the owner-agenda index, in the order to work them, filtered and paged", { timeout: 120_000 }, async () => {
    const w = world('agenda', 10);
    const [ava, ben] = w.members;
    for (const leadId of ['a-later', 'a-none', 'a-soon', 'a-overdue', 'a-won']) {
      await w.pool(leadId);
      expect((await w.post('claim', leadId, rep(ava))).status).toBe(200);
    }
    await w.pool('b-1');
    expect((await w.post('claim', 'b-1', rep(ben))).status).toBe(200);
    await w.post('activities', 'a-later', rep(ava), { kind: 'call', nextStepAt: '2026-03-09T00:00:00Z' });
    await w.post('activities', 'a-soon', rep(ava), { kind: 'email', nextStepAt: '2026-03-03T00:00:00Z' });
    await w.post('activities', 'a-overdue', rep(ava), { kind: 'meeting', nextStepAt: '2026-03-02T11:00:00Z' });
    await w.post('status', 'a-won', rep(ava), { status: 'contacted' });
    await w.post('status', 'a-won', rep(ava), { status: 'qualified', qualification: 'mql' });
    await w.post('convert', 'a-won', rep(ava), { revenue: 10, currency: 'USD', wonAt: '2026-03-02T10:00:00Z' });
    w.setNow('2026-03-02T12:00:00.000Z');
    const mine = (query: Record<string, string> = {}, who = ava) => w.get(createMyLeads, '/me/leads', rep(who), query);
    expect(ids(await mine())).toEqual(['a-overdue', 'a-soon', 'a-later', 'a-none']);
    expect((await mine()).json.leads[0]).toMatchObject({ overdue: true });
    expect(ids(await mine({ overdue: 'true' }))).toEqual(['a-overdue']);
    expect(ids(await mine({ due: '2026-03-05T00:00:00Z' }))).toEqual(['a-overdue', 'a-soon']);
    expect(ids(await mine({ status: 'converted' }))).toEqual(['a-won']);
    const first = await mine({ limit: '2' });
    expect(ids(first)).toEqual(['a-overdue', 'a-soon']);
    const second = await mine({ limit: '2', cursor: first.json.cursor });
    expect(ids(second)).toEqual(['a-later', 'a-none']);
    expect(ids(await mine({}, ben))).toEqual(['b-1']);
    // A transfer moves the lead between the owners' lists; the index follows the owner.
    await w.post('assign', 'a-none', manager('mgr-maya'), { repId: ben });
    expect(ids(await mine({}, ben)).sort()).toEqual(['a-none', 'b-1']);
    expect(ids(await mine())).toEqual(['a-overdue', 'a-soon', 'a-later']);
  });

  it("keeps an owned lead's place in its owner's list when a touch re-scores it", { timeout: 120_000 }, async () => {
    const w = world('touch-agenda');
    await w.pool('touched-lead');
    expect((await w.post('claim', 'touched-lead', rep(w.members[0]))).status).toBe(200);
    const agendaOf = async () => (await database.items()).find((item) => item.entity === 'lead' && item.leadId === 'touched-lead')?.ownerAgenda;
    const before = await agendaOf();
    expect(before).toBe(agendaKey((await leads.getLead('touched-lead'))!));
    await leads.ingestLead(webFormIntake(w.config, { leadId: 'touched-again', contact: { name: 'Ada', email: 'touched-lead@example.com' }, now: new Date('2026-03-02T11:00:00.000Z') }));
    const touched = (await leads.getLead('touched-lead'))!;
    expect(touched.touches).toBe(2);
    expect(await agendaOf()).toBe(agendaKey(touched));
    expect(await agendaOf()).not.toBe(before);
  });

  it('filters a pool listing inside the sparse index and still fills a page when the filter drops leads', { timeout: 120_000 }, async () => {
    const w = world('filters');
    for (let index = 0; index < 6; index += 1) await w.pool(`f-${index}`, new Date(Date.UTC(2026, 1, 20 + index, 10)));
    const list = (query: Record<string, string>) => w.get(createPoolList, '/pools/filters/leads', manager('mgr-maya'), query, { poolId: 'filters' });
    w.setNow('2026-03-02T10:00:00.000Z');
    // f-0 … f-5 were captured 10 down to 5 days ago.
    expect(ids(await list({ minAgeHours: String(7 * 24), maxAgeHours: String(9 * 24) }))).toEqual(['f-1', 'f-2', 'f-3']);
    expect(ids(await list({ channel: 'trade-shows' }))).toEqual([]);
    const lead = (await leads.getLead('f-0'))!;
    expect(ids(await list({ grade: lead.score!.grade, temperature: lead.score!.temperature, limit: '4' }))).toEqual(['f-0', 'f-1', 'f-2', 'f-3']);
    const page = await leads.listPoolLeads('filters', { limit: 2 }, { capturedFrom: '2026-02-22T00:00:00.000Z' });
    expect(page.leads.map((entry) => entry.leadId)).toEqual(['f-2', 'f-3']);
    expect((await leads.listPoolLeads('filters', { limit: 2, after: page.next }, { capturedFrom: '2026-02-22T00:00:00.000Z' })).leads.map((entry) => entry.leadId)).toEqual(['f-4', 'f-5']);
  });
});

describe('erasing a person, against DynamoDB Local', () => {
  const erase = (email: string) => erasures.erasePerson({ dedupKey: personDedupKey('email', email), erase: (lead) => erasePersonFromLead(lead, { at: '2026-03-02T11:00:00.000Z', eventId: randomUUID() }) });

  it('takes an erased waiting lead out of its pool listing', { timeout: 120_000 }, async () => {
    const w = world('erase-pool');
    await w.pool('erase-waiting');
    await w.pool('erase-kept');
    await erase('erase-waiting@example.com');
    expect((await leads.listPoolLeads('erase-pool', { limit: 10 })).leads.map((lead) => lead.leadId)).toEqual(['erase-kept']);
    expect((await database.items()).find((item) => item.leadId === 'erase-waiting' && item.entity === 'lead')).not.toHaveProperty('poolWaiting');
  });

  it("frees the owner's holding capacity when an owned open lead is erased", { timeout: 120_000 }, async () => {
    const w = world('erase-owned');
    await w.pool('erase-owned-lead');
    expect((await w.post('claim', 'erase-owned-lead', rep(w.members[0]))).status).toBe(200);
    expect(await w.open(w.members[0])).toBe(1);
    await erase('erase-owned-lead@example.com');
    expect(await w.open(w.members[0])).toBe(0);
    expect((await leads.getLead('erase-owned-lead'))?.status).toBe('invalid');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { planClaim, poolSchema, type Configuration } from '@leadflow/domain';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { createHandler as createClaim } from '../../functions/claim-lead/handler';
import { createHandler as createRelease } from '../../functions/release-lead/handler';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { httpEvent, lambdaContext } from '../support/api-gateway-events';
import { pooledLead } from '../support/pooled-leads';

let database: TestDatabase;
let leads: DynamoDbLeadStoreWithIngestion;

beforeAll(async () => {
  database = await startTestDatabase();
  leads = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName);
});
afterAll(() => database?.stop());

/** The demo configuration with a pool of its own (ten members, given claim rules) in Asia/Shanghai, and a clock the test moves. */
function poolWorld(poolId: string, claim: Record<string, number>) {
  const config: Configuration = demoConfiguration();
  config.organisation.timeZone = 'Asia/Shanghai';
  const members = Array.from({ length: 10 }, (_, index) => `${poolId}-rep-${index}`);
  for (const id of members) config.reps.push({ ...config.reps[0], id, name: id, capacity: 50, workingHours: undefined });
  config.pools.push(poolSchema.parse({ id: poolId, name: poolId, teamId: 'americas', members, claim }));
  let now = new Date('2026-03-02T10:00:00.000Z');
  const deps = { config, leads, now: () => now, newId: randomUUID };
  const send = async (action: 'claim' | 'release', leadId: string, repId: string, body?: unknown) => {
    const handler = (action === 'claim' ? createClaim : createRelease)(() => deps);
    const event = httpEvent({
      method: 'POST',
      path: `/leads/${leadId}/${action}`,
      pathParameters: { leadId },
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      claims: { sub: repId, 'cognito:groups': '[rep]' },
    });
    const response = (await handler(event, lambdaContext)) as { statusCode: number; body: string };
    return { status: response.statusCode, json: JSON.parse(response.body) };
  };
  return { config, members, send, setNow: (at: string) => (now = new Date(at)), pool: (leadId: string) => pooledLead(leads, config, { leadId, poolId }) };
}

const outboxOf = async (type: string, leadId: string) => (await database.items()).filter((item) => item.entity === 'outbox' && item.detailType === type && item.detail.leadId === leadId);

describe('claiming from a pool, against DynamoDB Local', () => {
  it('ten members claiming one lead at once: one owner, nine 409s, one event, one counted claim', { timeout: 120_000 }, async () => {
    const world = poolWorld('race', {});
    await world.pool('race-lead');
    const responses = await Promise.all(world.members.map((repId) => world.send('claim', 'race-lead', repId)));
    const winners = responses.filter((response) => response.status === 200);
    expect(winners).toHaveLength(1);
    const owner = winners[0].json.ownerId;
    // The nine learn the lead is taken, not by whom: a rep sees no other rep's owner id (as in the dedup check).
    expect(responses.filter((response) => response.status === 409).map((response) => response.json)).toEqual(Array(9).fill({ rule: 'already_owned', error: 'lead race-lead is already owned by another rep' }));
    expect((await leads.getLead('race-lead'))?.history.filter((entry) => entry.action === 'claimed')).toHaveLength(1);
    expect(await outboxOf('lead.claimed', 'race-lead')).toHaveLength(1);
    const states = await leads.readRepStates(world.members);
    expect([...states.openLeads.values()].reduce((sum, open) => sum + open, 0)).toBe(1);
    const counters = (await database.items()).filter((item) => item.entity === 'rep-daily-claims' && item.poolId === 'race');
    expect(counters.map((item) => [item.repId, item.claims])).toEqual([[owner, 1]]);
  });

  it('refuses a rep at the daily limit and one at the holding cap with their numbers, writing nothing', { timeout: 120_000 }, async () => {
    const world = poolWorld('limits', { dailyLimit: 2, holdingCap: 3 });
    const [daily, capped] = world.members;
    for (const leadId of ['limits-1', 'limits-2', 'limits-3', 'limits-4', 'limits-5', 'limits-6']) await world.pool(leadId);
    expect((await world.send('claim', 'limits-1', daily)).status).toBe(200);
    expect((await world.send('claim', 'limits-2', daily)).status).toBe(200);
    expect(await world.send('claim', 'limits-3', daily)).toEqual({ status: 409, json: { rule: 'daily_limit', error: 'daily claim limit 2 reached; resets at 00:00 Asia/Shanghai' } });
    // After midnight in Shanghai (16:00 UTC) the counter is a new one.
    world.setNow('2026-03-02T16:00:00.000Z');
    expect((await world.send('claim', 'limits-3', daily)).status).toBe(200);
    expect(await world.send('claim', 'limits-4', daily)).toEqual({ status: 409, json: { rule: 'holding_cap', error: 'holding cap 3 reached (3/3 open leads)' } });
    for (const leadId of ['limits-4', 'limits-5']) expect((await world.send('claim', leadId, capped)).status).toBe(200);
    world.setNow('2026-03-03T16:00:00.000Z');
    expect((await world.send('claim', 'limits-6', capped)).status).toBe(200);
    world.setNow('2026-03-04T16:00:00.000Z');
    await world.pool('limits-7');
    const before = await database.items();
    expect(await world.send('claim', 'limits-7', capped)).toMatchObject({ status: 409, json: { rule: 'holding_cap' } });
    expect(await database.items()).toEqual(before);
    expect((await leads.getLead('limits-7'))?.ownerId).toBeUndefined();
  });

  it('refuses the previous owner inside the cooldown and lets them claim after it; release frees their open lead', { timeout: 120_000 }, async () => {
    const world = poolWorld('cooldown', { previousOwnerCooldownDays: 7 });
    const [previous, other] = world.members;
    await world.pool('cooldown-lead');
    expect((await world.send('claim', 'cooldown-lead', previous)).status).toBe(200);
    world.setNow('2026-03-03T09:00:00.000Z');
    const released = await world.send('release', 'cooldown-lead', previous, { reason: 'no_need_now' });
    expect(released).toMatchObject({ status: 200, json: { status: 'in_pool', previousOwnerId: previous, releasedAt: '2026-03-03T09:00:00.000Z' } });
    expect(released.json.ownerId).toBeUndefined();
    expect((await leads.readRepStates([previous])).openLeads.get(previous)).toBe(0);
    expect(await outboxOf('lead.released', 'cooldown-lead')).toHaveLength(1);
    world.setNow('2026-03-10T08:59:59.999Z');
    expect(await world.send('claim', 'cooldown-lead', previous)).toMatchObject({ status: 409, json: { rule: 'previous_owner_cooldown' } });
    world.setNow('2026-03-10T09:00:00.000Z');
    expect(await world.send('claim', 'cooldown-lead', previous)).toMatchObject({ status: 200, json: { ownerId: previous } });
    expect(await world.send('release', 'cooldown-lead', other, { reason: 'no_need_now' })).toMatchObject({ status: 403, json: { rule: 'not_owner' } });
  });

  it('enforces the cooldown inside the transaction, not only in the check before it', { timeout: 120_000 }, async () => {
    const world = poolWorld('cooldown-tx', { previousOwnerCooldownDays: 7 });
    const [previous] = world.members;
    const lead = await world.pool('cooldown-tx-lead');
    expect((await world.send('claim', lead.leadId, previous)).status).toBe(200);
    expect((await world.send('release', lead.leadId, previous, { reason: 'no_need_now' })).status).toBe(200);
    // A plan made from the lead as it was before the release (no previous owner) must still be refused.
    const rep = world.config.reps.find((candidate) => candidate.id === previous)!;
    const pool = world.config.pools.find((candidate) => candidate.id === 'cooldown-tx')!;
    const stale = planClaim({ lead, pool, rep, timeZone: 'Asia/Shanghai', now: new Date('2026-03-02T10:00:01.000Z'), eventId: randomUUID() });
    if (!('claim' in stale)) throw new Error('the stale plan should pass the pure checks');
    expect(await leads.claimLead(stale.claim)).toBe('lead_changed');
  });

  it('lists only the leads waiting in the pool through its sparse index, page by page; claimed leave it, released return', { timeout: 120_000 }, async () => {
    const world = poolWorld('listing', { previousOwnerCooldownDays: 0 });
    for (const leadId of ['listing-1', 'listing-2', 'listing-3']) await world.pool(leadId);
    const ids = (page: { leads: Array<{ leadId: string }> }) => page.leads.map((lead) => lead.leadId).sort();
    const first = await leads.listPoolLeads('listing', { limit: 2 });
    expect(first.leads).toHaveLength(2);
    const second = await leads.listPoolLeads('listing', { limit: 2, after: first.next });
    expect([...ids(first), ...ids(second)].sort()).toEqual(['listing-1', 'listing-2', 'listing-3']);
    expect((await world.send('claim', 'listing-2', world.members[0])).status).toBe(200);
    expect(ids(await leads.listPoolLeads('listing', { limit: 10 }))).toEqual(['listing-1', 'listing-3']);
    expect((await world.send('release', 'listing-2', world.members[0], { reason: 'no_need_now' })).status).toBe(200);
    expect(ids(await leads.listPoolLeads('listing', { limit: 10 }))).toEqual(['listing-1', 'listing-2', 'listing-3']);
  });
});

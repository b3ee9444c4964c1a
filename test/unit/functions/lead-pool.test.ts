import { describe, expect, it } from 'vitest';
import { encodePageCursor, pageCursorScope } from '@leadflow/domain';
import { createHandler as createClaim } from '../../../functions/claim-lead/handler';
import { createHandler as createRelease } from '../../../functions/release-lead/handler';
import { createHandler as createList } from '../../../functions/list-pool-leads/handler';
import { fakeDependencies } from '../../support/fakes';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { pooledLead } from '../../support/pooled-leads';

const asRep = (id: string) => ({ sub: id, 'cognito:groups': '[rep]' });
const asFinance = { sub: 'rep-ava', 'cognito:groups': '[finance]' };

type Deps = ReturnType<typeof fakeDependencies>;

async function call(create: typeof createClaim, deps: Deps, action: 'claim' | 'release', leadId: string, claims: Record<string, string> | undefined, body?: string, contentType = 'application/json') {
  const event = httpEvent({ method: 'POST', path: `/leads/${leadId}/${action}`, pathParameters: { leadId }, headers: body === undefined ? {} : { 'content-type': contentType }, body, claims });
  const response = (await create(() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
  return { status: response.statusCode, json: JSON.parse(response.body) };
}
const claim = (deps: Deps, leadId: string, claims: Record<string, string> | undefined, body?: string, contentType?: string) => call(createClaim, deps, 'claim', leadId, claims, body, contentType);
const release = (deps: Deps, leadId: string, claims: Record<string, string> | undefined, body?: string, contentType?: string) => call(createRelease, deps, 'release', leadId, claims, body, contentType);

/** What a refused request must leave untouched. */
const writes = (deps: Deps) => JSON.stringify({ leads: [...deps.store.leads], outbox: [...deps.store.outbox.keys()], open: [...deps.store.openLeads], daily: [...deps.store.dailyClaims] });

describe('POST /leads/{leadId}/claim', () => {
  it('gives the lead to the member, counts the claim and open lead, and stores lead.claimed', async () => {
    const deps = fakeDependencies();
    await pooledLead(deps.store, deps.config, { leadId: 'pooled-1', poolId: 'nurture' });
    const response = await claim(deps, 'pooled-1', asRep('rep-ava'));
    expect(response).toMatchObject({ status: 200, json: { ownerId: 'rep-ava', status: 'assigned', assignment: { rule: 'claim', poolId: 'nurture' } } });
    expect(response.json.history.at(-1)).toMatchObject({ action: 'claimed', by: 'rep-ava' });
    expect(deps.store.openLeads.get('rep-ava')).toBe(1);
    expect([...deps.store.dailyClaims]).toEqual([['rep-ava#nurture#2026-03-02', 1]]);
    expect([...deps.store.outbox.values()].filter((event) => event.detailType === 'lead.claimed')).toHaveLength(1);
    expect(await claim(deps, 'pooled-1', asRep('rep-ben'))).toMatchObject({ status: 409, json: { rule: 'already_owned', error: 'lead pooled-1 is already owned by another rep' } });
  });

  it('names the owner of a lead already claimed only to the owner, managers and admins, as the dedup check does, writing nothing', async () => {
    const deps = fakeDependencies();
    await pooledLead(deps.store, deps.config, { leadId: 'pooled-6', poolId: 'nurture' });
    expect((await claim(deps, 'pooled-6', asRep('rep-ava'))).status).toBe(200);
    const before = writes(deps);
    // Any other member learns the lead is taken, not by whom: failed claims must not map who holds which lead.
    expect(await claim(deps, 'pooled-6', asRep('rep-chloe'))).toEqual({ status: 409, json: { rule: 'already_owned', error: 'lead pooled-6 is already owned by another rep' } });
    expect(await claim(deps, 'pooled-6', asRep('rep-ava'))).toEqual({ status: 409, json: { rule: 'already_owned', error: 'lead pooled-6 is already owned by rep-ava' } });
    // The demo's Maya is marked inactive, which would refuse her claim before the lead is looked at.
    deps.config.reps.find((rep) => rep.id === 'mgr-maya')!.active = true;
    for (const groups of ['[manager]', '[admin]']) {
      expect(await claim(deps, 'pooled-6', { sub: 'mgr-maya', 'cognito:groups': groups }), groups).toEqual({ status: 409, json: { rule: 'already_owned', error: 'lead pooled-6 is already owned by rep-ava' } });
    }
    expect(writes(deps)).toBe(before);
  });

  it('refuses at the daily limit and the holding cap with their numbers, and writes nothing', async () => {
    const deps = fakeDependencies();
    await pooledLead(deps.store, deps.config, { leadId: 'pooled-2', poolId: 'nurture' });
    deps.store.dailyClaims.set('rep-ava#nurture#2026-03-02', 20);
    const before = writes(deps);
    expect(await claim(deps, 'pooled-2', asRep('rep-ava'))).toEqual({ status: 409, json: { rule: 'daily_limit', error: 'daily claim limit 20 reached; resets at 00:00 America/New_York' } });
    deps.store.openLeads.set('rep-ben', 30);
    const atCap = writes(deps);
    expect(await claim(deps, 'pooled-2', asRep('rep-ben'))).toEqual({ status: 409, json: { rule: 'holding_cap', error: 'holding cap 30 reached (30/30 open leads)' } });
    expect(writes(deps)).toBe(atCap);
    deps.store.openLeads.delete('rep-ben');
    expect(writes(deps)).toBe(before);
  });

  it('answers wrong role, non-member, unknown lead and malformed body with 4xx naming the problem, writing nothing', async () => {
    const deps = fakeDependencies();
    await pooledLead(deps.store, deps.config, { leadId: 'pooled-3', poolId: 'emea-inbound' });
    const before = writes(deps);
    expect((await claim(deps, 'pooled-3', undefined)).status).toBe(401);
    expect((await claim(deps, 'pooled-3', asFinance)).status).toBe(403);
    expect(await claim(deps, 'pooled-3', asRep('rep-ava'))).toMatchObject({ status: 403, json: { rule: 'not_member', error: 'rep-ava is not a member of pool emea-inbound' } });
    expect(await claim(deps, 'pooled-3', asRep('someone-else'))).toMatchObject({ status: 403, json: { rule: 'not_member', error: 'someone-else is not a member of pool emea-inbound' } });
    expect(await claim(deps, 'nope', asRep('rep-chloe'))).toMatchObject({ status: 404, json: { error: 'Lead "nope" does not exist' } });
    deps.config.reps.find((rep) => rep.id === 'rep-chloe')!.active = false;
    expect(await claim(deps, 'pooled-3', asRep('rep-chloe'))).toMatchObject({ status: 403, json: { rule: 'inactive', error: 'rep-chloe is inactive (active: false in the configuration) and may not claim leads' } });
    deps.config.reps.find((rep) => rep.id === 'rep-chloe')!.active = true;
    expect((await claim(deps, 'pooled-3', asRep('rep-chloe'), '{')).status).toBe(400);
    expect((await claim(deps, 'pooled-3', asRep('rep-chloe'), 'poolId=x', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await claim(deps, 'pooled-3', asRep('rep-chloe'), JSON.stringify({ poolId: 5 }))).json.issues).toEqual([expect.objectContaining({ path: 'poolId' })]);
    expect((await claim(deps, 'pooled-3', asRep('rep-chloe'), JSON.stringify({ pool: 'x' }))).json.issues).toEqual([expect.objectContaining({ path: 'pool' })]);
    expect(await claim(deps, 'pooled-3', asRep('rep-chloe'), JSON.stringify({ poolId: 'nurture' }))).toMatchObject({ status: 409, json: { rule: 'not_in_pool' } });
    expect(await claim(deps, 'pooled-3', asRep('rep-chloe'), JSON.stringify({ poolId: 'no-such-pool' }))).toMatchObject({
      status: 400,
      json: { issues: [{ path: 'poolId', message: 'is not a pool of the configuration' }] },
    });
    expect(writes(deps)).toBe(before);
    expect((await claim(deps, 'pooled-3', asRep('rep-chloe'), JSON.stringify({ poolId: 'emea-inbound' }))).status).toBe(200);
  });
});

describe('POST /leads/{leadId}/release', () => {
  it('returns the lead to its pool, keeps the previous owner for the cooldown, and frees the open lead', async () => {
    const deps = fakeDependencies();
    await pooledLead(deps.store, deps.config, { leadId: 'pooled-4', poolId: 'nurture' });
    await claim(deps, 'pooled-4', asRep('rep-ava'));
    const response = await release(deps, 'pooled-4', asRep('rep-ava'), JSON.stringify({ reason: 'no_need_now' }));
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ status: 'in_pool', poolId: 'nurture', previousOwnerId: 'rep-ava', releasedAt: deps.now().toISOString() });
    expect(response.json).not.toHaveProperty('ownerId');
    expect(response.json).not.toHaveProperty('assignment');
    expect(response.json.history.at(-1)).toMatchObject({ action: 'released', by: 'rep-ava', detail: 'released to pool nurture: no_need_now' });
    expect(deps.store.openLeads.get('rep-ava')).toBe(0);
    expect([...deps.store.outbox.values()].find((event) => event.detailType === 'lead.released')?.detail).toMatchObject({ previousOwnerId: 'rep-ava', reason: 'no_need_now' });
    expect(await claim(deps, 'pooled-4', asRep('rep-ava'))).toMatchObject({ status: 409, json: { rule: 'previous_owner_cooldown' } });
    expect(await claim(deps, 'pooled-4', asRep('rep-ben'))).toMatchObject({ status: 200, json: { ownerId: 'rep-ben' } });
  });

  it('answers wrong role, non-owner, unknown lead and malformed body with 4xx naming the problem, writing nothing', async () => {
    const deps = fakeDependencies();
    await pooledLead(deps.store, deps.config, { leadId: 'pooled-5', poolId: 'nurture' });
    await claim(deps, 'pooled-5', asRep('rep-ava'));
    const before = writes(deps);
    const good = JSON.stringify({ reason: 'no_need_now' });
    expect((await release(deps, 'pooled-5', undefined, good)).status).toBe(401);
    expect((await release(deps, 'pooled-5', asFinance, good)).status).toBe(403);
    expect(await release(deps, 'pooled-5', asRep('rep-ben'), good)).toMatchObject({ status: 403, json: { rule: 'not_owner' } });
    expect(await release(deps, 'pooled-5', { sub: 'mgr-maya', 'cognito:groups': '[manager]' }, good)).toMatchObject({ status: 403, json: { rule: 'not_owner' } });
    expect((await release(deps, 'nope', asRep('rep-ava'), good)).status).toBe(404);
    expect((await release(deps, 'pooled-5', asRep('rep-ava'))).status).toBe(415);
    expect((await release(deps, 'pooled-5', asRep('rep-ava'), '{')).status).toBe(400);
    expect((await release(deps, 'pooled-5', asRep('rep-ava'), JSON.stringify({ reason: 'bored' }))).json.issues).toEqual([expect.objectContaining({ path: 'reason' })]);
    expect((await release(deps, 'pooled-5', asRep('rep-ava'), JSON.stringify({}))).json.issues).toEqual([expect.objectContaining({ path: 'reason' })]);
    expect(writes(deps)).toBe(before);
  });

  it('tells the previous owner releasing again that they no longer hold the lead (409 not_held), and anyone else that it is not theirs (403), writing nothing', async () => {
    const deps = fakeDependencies();
    await pooledLead(deps.store, deps.config, { leadId: 'pooled-7', poolId: 'nurture' });
    await claim(deps, 'pooled-7', asRep('rep-ava'));
    const good = JSON.stringify({ reason: 'no_need_now' });
    expect((await release(deps, 'pooled-7', asRep('rep-ava'), good)).status).toBe(200);
    const before = writes(deps);
    expect(await release(deps, 'pooled-7', asRep('rep-ava'), good)).toEqual({ status: 409, json: { rule: 'not_held', error: 'you no longer hold lead pooled-7: it waits unowned in pool nurture' } });
    expect(await release(deps, 'pooled-7', asRep('rep-ben'), good)).toMatchObject({ status: 403, json: { rule: 'not_owner' } });
    expect(writes(deps)).toBe(before);
    // Claimed by another since: it is theirs, so the previous owner is told so.
    expect((await claim(deps, 'pooled-7', asRep('rep-ben'))).status).toBe(200);
    expect(await release(deps, 'pooled-7', asRep('rep-ava'), good)).toMatchObject({ status: 403, json: { rule: 'not_owner' } });
  });
});

describe('GET /pools/{poolId}/leads', () => {
  async function list(deps: Deps, poolId: string, claims: Record<string, string> | undefined, query: Record<string, string> = {}) {
    const event = { ...httpEvent({ path: `/pools/${poolId}/leads`, pathParameters: { poolId }, claims }), queryStringParameters: query };
    const response = (await createList(() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
    return { status: response.statusCode, json: JSON.parse(response.body) };
  }

  it('pages through the waiting leads oldest first, masks contact for reps, and drops a claimed lead', async () => {
    const deps = fakeDependencies();
    for (const [index, leadId] of ['wait-a', 'wait-b', 'wait-c'].entries()) await pooledLead(deps.store, deps.config, { leadId, poolId: 'nurture', capturedAt: new Date(Date.UTC(2026, 2, 1, 9, index)) });
    const first = await list(deps, 'nurture', asRep('rep-ava'), { limit: '2' });
    expect(first.status).toBe(200);
    expect(first.json.leads.map((lead: { leadId: string }) => lead.leadId)).toEqual(['wait-a', 'wait-b']);
    expect(first.json.leads[0].contact).toEqual({ name: 'A***', email: 'w***@example.com' });
    const second = await list(deps, 'nurture', asRep('rep-ava'), { limit: '2', cursor: first.json.cursor });
    expect(second.json).toEqual({ poolId: 'nurture', leads: [expect.objectContaining({ leadId: 'wait-c' })] });
    expect((await list(deps, 'nurture', { sub: 'mgr-maya', 'cognito:groups': '[manager]' })).json.leads[0].contact).toEqual({ name: 'Ada', email: 'wait-a@example.com' });
    await claim(deps, 'wait-b', asRep('rep-ben'));
    expect((await list(deps, 'nurture', asRep('rep-ava'))).json.leads.map((lead: { leadId: string }) => lead.leadId)).toEqual(['wait-a', 'wait-c']);
  });

  it('refuses non-members, finance, unknown pools and bad queries with 4xx naming the parameter', async () => {
    const deps = fakeDependencies();
    expect((await list(deps, 'emea-inbound', asRep('rep-ava'))).status).toBe(403);
    expect((await list(deps, 'nurture', asFinance)).status).toBe(403);
    expect((await list(deps, 'nurture', undefined)).status).toBe(401);
    expect((await list(deps, 'nowhere', asRep('rep-ava'))).status).toBe(404);
    expect((await list(deps, 'nurture', asRep('rep-ava'), { limit: '0' })).json.issues).toEqual([expect.objectContaining({ path: 'limit' })]);
    expect((await list(deps, 'nurture', asRep('rep-ava'), { limit: 'many' })).json.issues).toEqual([expect.objectContaining({ path: 'limit' })]);
    expect((await list(deps, 'nurture', asRep('rep-ava'), { cursor: 'not-a-cursor' })).json.issues).toEqual([{ path: 'cursor', message: 'must be the cursor of a previous page' }]);
    const overLong = encodePageCursor({ capturedAt: '2026-03-02T10:00:00.000Z', leadId: 'l'.repeat(3000) }, pageCursorScope('pool-leads', 'nurture'));
    expect((await list(deps, 'nurture', asRep('rep-ava'), { cursor: overLong })).json.issues).toEqual([{ path: 'cursor', message: 'must be the cursor of a previous page' }]);
    // An unknown parameter is told the ones the route takes, as on every route.
    const unknown = 'is not a parameter of this request; it takes limit, grade, temperature, channel, tag, minAgeHours, maxAgeHours, cursor';
    expect((await list(deps, 'nurture', asRep('rep-ava'), { colour: 'red' })).json.issues).toEqual([{ path: 'colour', message: unknown }]);
    // As API Gateway hands it over (JSON): `__proto__` is a key like any other, and as unknown as `colour`.
    expect((await list(deps, 'nurture', asRep('rep-ava'), JSON.parse('{"__proto__":"x"}'))).json.issues).toEqual([{ path: '__proto__', message: unknown }]);
  });

  it('refuses a channel the configuration does not have by name, as it refuses an unknown tag, and filters by a configured one', async () => {
    const deps = fakeDependencies();
    await pooledLead(deps.store, deps.config, { leadId: 'web-1', poolId: 'nurture' });
    const channels = deps.config.channels.map((channel) => channel.id).join(', ');
    expect(await list(deps, 'nurture', asRep('rep-ava'), { channel: 'nope' })).toEqual({
      status: 400,
      json: { error: 'The pool listing query is invalid', issues: [{ path: 'channel', message: `unknown channel "nope"; the configured channels are: ${channels}` }] },
    });
    expect((await list(deps, 'nurture', asRep('rep-ava'), { channel: 'nope', tag: 'nope' })).json.issues.map((issue: { path: string }) => issue.path)).toEqual(['channel', 'tag']);
    const website = await list(deps, 'nurture', asRep('rep-ava'), { channel: 'website' });
    expect(website.json.leads.map((lead: { leadId: string }) => lead.leadId)).toEqual(['web-1']);
    expect((await list(deps, 'nurture', asRep('rep-ava'), { channel: 'meta-ads' })).json).toEqual({ poolId: 'nurture', leads: [] });
  });
});

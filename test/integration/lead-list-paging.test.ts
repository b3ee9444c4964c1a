import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { encodePageCursor, pageCursorScope, poolSchema, type Configuration } from '@leadflow/domain';
import { logger } from '@leadflow/platform';
import { DynamoDbLeadStoreWithIngestion } from '../support/dynamodb-leads';
import { createHandler as createClaim } from '../../functions/claim-lead/handler';
import { createHandler as createAssign } from '../../functions/assign-lead-manually/handler';
import { createHandler as createActivity } from '../../functions/log-lead-activity/handler';
import { createHandler as createMyLeads } from '../../functions/list-my-leads/handler';
import { createHandler as createPoolList } from '../../functions/list-pool-leads/handler';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { httpEvent, lambdaContext, leadStepEvent } from '../support/api-gateway-events';
import { pooledLead } from '../support/pooled-leads';

/**
 * `GET /me/leads` and `GET /pools/{poolId}/leads` paged through with the handlers on DynamoDB Local: every
 * lead once and in order, cursors that only work where they were given, and pages whose filter discards
 * most of what the index holds.
 */
let database: TestDatabase;
let leads: DynamoDbLeadStoreWithIngestion;
/** Index queries sent since the last `resetQueries()`: what a page costs, counted, not timed. */
let queries = 0;

beforeAll(async () => {
  database = await startTestDatabase();
  leads = new DynamoDbLeadStoreWithIngestion(database.client, database.tableName);
  database.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') queries += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countQueries' },
  );
}, 120_000);
afterAll(() => database?.stop());

const resetQueries = () => (queries = 0);
const manager = { sub: 'mgr-maya', 'cognito:groups': '[manager]' };
const rep = (id: string) => ({ sub: id, 'cognito:groups': '[rep]' });
type Page = { status: number; json: { leads: Array<{ leadId: string }>; cursor?: string; issues?: Array<{ path: string }> } };
const ids = (page: Page) => page.json.leads.map((lead) => lead.leadId);

/** The demo configuration with pools of their own (three members each) and a clock the test moves. */
function world(name: string) {
  const config: Configuration = demoConfiguration();
  const members = [0, 1, 2].map((index) => `${name}-rep-${index}`);
  for (const id of members) config.reps.push({ ...config.reps[0], id, name: id, capacity: 500, workingHours: undefined });
  for (const poolId of [`${name}-x`, `${name}-y`]) config.pools.push(poolSchema.parse({ id: poolId, name: poolId, teamId: 'americas', members, claim: { holdingCap: 500, dailyLimit: 500 } }));
  let now = new Date('2026-03-02T10:00:00.000Z');
  const deps = { config, leads, now: () => now, newId: randomUUID };
  const steps = { claim: createClaim, assign: createAssign, activities: createActivity };
  return {
    members,
    setNow: (at: string) => (now = new Date(at)),
    post: async (step: keyof typeof steps, leadId: string, claims: Record<string, string>, body?: unknown) => {
      const response = (await steps[step](() => deps)(leadStepEvent(step, leadId, claims, body), lambdaContext)) as { statusCode: number; body: string };
      if (response.statusCode !== 200) throw new Error(`${step} ${leadId}: ${response.statusCode} ${response.body}`);
    },
    mine: async (claims: Record<string, string>, query: Record<string, string> = {}): Promise<Page> => {
      const response = (await createMyLeads(() => deps)(httpEvent({ path: '/me/leads', query, claims }), lambdaContext)) as { statusCode: number; body: string };
      return { status: response.statusCode, json: JSON.parse(response.body) };
    },
    pool: async (poolId: string, claims: Record<string, string>, query: Record<string, string> = {}): Promise<Page> => {
      const response = (await createPoolList(() => deps)(httpEvent({ path: `/pools/${poolId}/leads`, pathParameters: { poolId }, query, claims }), lambdaContext)) as { statusCode: number; body: string };
      return { status: response.statusCode, json: JSON.parse(response.body) };
    },
    waiting: (leadId: string, poolId: string, capturedAt: string) => pooledLead(leads, config, { leadId, poolId, capturedAt: new Date(capturedAt) }),
  };
}

/** Every page from the first, following each cursor; fails on a non-200 or on more pages than could hold the leads. */
async function walk(read: (query: Record<string, string>) => Promise<Page>, query: Record<string, string>, between: (pageIndex: number) => Promise<void> = async () => {}): Promise<{ pages: string[][] }> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await read({ ...query, ...(cursor ? { cursor } : {}) });
    expect(page.status, JSON.stringify(page.json)).toBe(200);
    pages.push(ids(page));
    cursor = page.json.cursor;
    if (pages.length > 200) throw new Error('the walk does not end');
    if (cursor) await between(pages.length - 1);
  } while (cursor);
  return { pages };
}

/** Copies of a stored lead item under new ids, written 25 at a time: index contents in bulk without a transaction each. */
async function copies(leadId: string, count: number, change: (item: Record<string, any>, index: number) => Record<string, any>): Promise<string[]> {
  const { Item } = await database.client.send(new GetCommand({ TableName: database.tableName, Key: { pk: `LEAD#${leadId}`, sk: 'LEAD' } }));
  if (!Item) throw new Error(`no item for ${leadId}`);
  const made = Array.from({ length: count }, (_, index) => {
    const copyId = `${leadId}-copy-${String(index).padStart(5, '0')}`;
    return change({ ...structuredClone(Item), pk: `LEAD#${copyId}`, leadId: copyId }, index);
  });
  for (let start = 0; start < made.length; start += 25) {
    await database.client.send(new BatchWriteCommand({ RequestItems: { [database.tableName]: made.slice(start, start + 25).map((item) => ({ PutRequest: { Item: item } })) } }));
  }
  return made.map((item) => String(item.leadId));
}

describe('paging the lead lists against DynamoDB Local', () => {
  it('refuses, naming cursor, a cursor given to another rep or for another pool, instead of silently starting at its place', { timeout: 120_000 }, async () => {
    const w = world('scope');
    const [ava, ben] = w.members;
    for (const [leadId, poolId, capturedAt] of [
      ['scope-ava-1', 'scope-x', '2026-03-02T09:00:00.000Z'],
      ['scope-ava-2', 'scope-x', '2026-03-02T09:30:00.000Z'],
      ['scope-ben-1', 'scope-x', '2026-03-02T08:00:00.000Z'],
      ['scope-x-1', 'scope-x', '2026-03-02T11:00:00.000Z'],
      ['scope-x-2', 'scope-x', '2026-03-02T12:00:00.000Z'],
      ['scope-y-1', 'scope-y', '2026-03-02T07:00:00.000Z'],
      ['scope-y-2', 'scope-y', '2026-03-02T07:30:00.000Z'],
    ] as const)
      await w.waiting(leadId, poolId, capturedAt);
    w.setNow('2026-03-03T10:00:00.000Z');
    for (const leadId of ['scope-ava-1', 'scope-ava-2']) await w.post('claim', leadId, rep(ava));
    await w.post('claim', 'scope-ben-1', rep(ben));
    // Ben's one lead has a next step, so it sorts before both of Ava's (no next step): her cursor lies past it.
    await w.post('activities', 'scope-ben-1', rep(ben), { kind: 'call', nextStepAt: '2026-03-04T09:00:00Z' });

    const avaAll = ids(await w.mine(rep(ava)));
    expect([...avaAll].sort()).toEqual(['scope-ava-1', 'scope-ava-2']);
    const avaFirst = await w.mine(rep(ava), { limit: '1' });
    expect(ids(avaFirst)).toEqual([avaAll[0]]);
    const poolXFirst = await w.pool('scope-x', manager, { limit: '1' });
    expect(ids(poolXFirst)).toEqual(['scope-x-1']);
    expect(ids(await w.mine(rep(ben)))).toEqual(['scope-ben-1']);
    expect(ids(await w.pool('scope-y', manager))).toEqual(['scope-y-1', 'scope-y-2']);

    const refusedNaming = (page: Page) => ({ status: page.status, paths: page.json.issues?.map((issue) => issue.path) });
    // Another rep's cursor: Ben would otherwise get an empty list with 200, his own lead skipped.
    expect(refusedNaming(await w.mine(rep(ben), { cursor: avaFirst.json.cursor! }))).toEqual({ status: 400, paths: ['cursor'] });
    // Another pool's cursor: pool y would otherwise answer an empty page, both its leads skipped.
    expect(refusedNaming(await w.pool('scope-y', manager, { cursor: poolXFirst.json.cursor! }))).toEqual({ status: 400, paths: ['cursor'] });
    // Another endpoint's cursor, either way round.
    expect(refusedNaming(await w.pool('scope-x', manager, { cursor: avaFirst.json.cursor! }))).toEqual({ status: 400, paths: ['cursor'] });
    expect(refusedNaming(await w.mine(rep(ava), { cursor: poolXFirst.json.cursor! }))).toEqual({ status: 400, paths: ['cursor'] });
    // The same cursor from another member of the same pool is the same list's place: it still works.
    expect(ids(await w.pool('scope-x', rep(ben), { cursor: poolXFirst.json.cursor! }))).toEqual(['scope-x-2']);
    expect(ids(await w.mine(rep(ava), { cursor: avaFirst.json.cursor! }))).toEqual([avaAll[1]]);
  });

  it("pages a forged cursor (its list's scope is a digest anyone can compute) only within the list the request names: another rep's or pool's lead as its place gives none of theirs", { timeout: 120_000 }, async () => {
    const w = world('forged');
    const [ava, ben] = w.members;
    for (const [leadId, poolId, capturedAt] of [
      ['forged-ava-1', 'forged-x', '2026-03-02T08:00:00.000Z'],
      ['forged-ava-2', 'forged-x', '2026-03-02T08:30:00.000Z'],
      ['forged-ben-1', 'forged-x', '2026-03-02T09:00:00.000Z'],
      ['forged-x-1', 'forged-x', '2026-03-02T06:00:00.000Z'],
      ['forged-y-1', 'forged-y', '2026-03-02T07:00:00.000Z'],
    ] as const)
      await w.waiting(leadId, poolId, capturedAt);
    w.setNow('2026-03-03T10:00:00.000Z');
    for (const leadId of ['forged-ava-1', 'forged-ava-2']) await w.post('claim', leadId, rep(ava));
    await w.post('claim', 'forged-ben-1', rep(ben));
    // Ava's first page's place, re-scoped to Ben's list: the store's query takes Ben's partition from the request.
    const avaPlace = JSON.parse(Buffer.from((await w.mine(rep(ava), { limit: '1' })).json.cursor!, 'base64url').toString('utf8')).at;
    const asBen = await w.mine(rep(ben), { cursor: encodePageCursor(avaPlace, pageCursorScope('my-leads', ben)) });
    expect(asBen.status).toBe(200);
    expect(ids(asBen).every((leadId) => leadId.startsWith('forged-ben-'))).toBe(true);
    const beforeEverything = encodePageCursor({ agenda: '!', leadId: 'forged-ava-1' }, pageCursorScope('my-leads', ben));
    expect(ids(await w.mine(rep(ben), { cursor: beforeEverything }))).toEqual(['forged-ben-1']);
    // Pool x's waiting lead as a place in pool y: a member of y still sees only y's waiting leads.
    const xPlace = { capturedAt: '2026-03-02T06:00:00.000Z', leadId: 'forged-x-1' };
    expect(ids(await w.pool('forged-y', rep(ben), { cursor: encodePageCursor({ ...xPlace, capturedAt: '2000-01-01T00:00:00.000Z' }, pageCursorScope('pool-leads', 'forged-y')) }))).toEqual(['forged-y-1']);
    expect(ids(await w.pool('forged-y', rep(ben), { cursor: encodePageCursor(xPlace, pageCursorScope('pool-leads', 'forged-y')) }))).toEqual(['forged-y-1']);
  });

  it('refuses a garbage, truncated or edited cursor naming cursor, never a 500 or another list', { timeout: 120_000 }, async () => {
    const w = world('tamper');
    const [ava] = w.members;
    for (const leadId of ['tamper-1', 'tamper-2']) await w.waiting(leadId, 'tamper-x', '2026-03-02T09:00:00.000Z');
    w.setNow('2026-03-03T10:00:00.000Z');
    for (const leadId of ['tamper-1', 'tamper-2']) await w.post('claim', leadId, rep(ava));
    const mineCursor = (await w.mine(rep(ava), { limit: '1' })).json.cursor!;
    const poolCursor = (await w.pool('tamper-x', manager, { limit: '1' })).json.cursor;
    expect(mineCursor).toBeDefined();
    expect(poolCursor).toBeUndefined();
    const decoded = JSON.parse(Buffer.from(mineCursor, 'base64url').toString('utf8'));
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    // The place a cursor holds, wherever in the cursor it sits, edited: the rest of the cursor kept as given.
    const place = (change: Record<string, unknown>) => (decoded.at ? encode({ ...decoded, at: { ...decoded.at, ...change } }) : encode({ ...decoded, ...change }));
    const bad = [
      'garbage',
      mineCursor.slice(0, -3),
      Buffer.from('{"agenda":"~#0A","leadId":"tamper-1"}').toString('base64url'),
      Buffer.from('[]').toString('base64url'),
      // A lone surrogate, which DynamoDB refuses in a key.
      Buffer.from('{"agenda":"~#0A","leadId":"\\ud800"}').toString('base64url'),
      place({ leadId: '\ud800' }),
      place({ agenda: '\u0000' }),
      place({ agenda: '~#0A\u{1F600}' }),
      encode({ ...decoded, IndexName: 'pool-waiting-by-capture' }),
      '',
    ];
    for (const cursor of bad) {
      const page = await w.mine(rep(ava), { cursor });
      expect({ cursor, status: page.status, paths: page.json.issues?.map((issue) => issue.path) }).toEqual({ cursor, status: 400, paths: ['cursor'] });
    }
  });

  it('reads a page whose filter discards nearly all of the index part in a few queries, and gives a cursor only when a lead follows', { timeout: 300_000 }, async () => {
    const w = world('sparse');
    const [ava] = w.members;
    // Ava's one open lead, with no next step, sorts after 300 converted leads whose next steps lie in the past.
    await w.waiting('sparse-open', 'sparse-x', '2026-03-02T09:00:00.000Z');
    await w.post('claim', 'sparse-open', rep(ava));
    await copies('sparse-open', 300, (item, index) => ({ ...item, status: 'converted', ownerAgenda: `2026-03-01T${String(index % 24).padStart(2, '0')}:00:00.000Z#0A` }));
    for (const limit of ['1', '50', '100']) {
      resetQueries();
      const walked = await walk((query) => w.mine(rep(ava), query), { limit });
      expect({ limit, pages: walked.pages }).toEqual({ limit, pages: [['sparse-open']] });
      expect(queries).toBeLessThanOrEqual(3);
    }
    // The closed leads are there to be listed by status, a full page at a time.
    resetQueries();
    const converted = await walk((query) => w.mine(rep(ava), query), { status: 'converted', limit: '100' });
    expect(converted.pages.map((page) => page.length)).toEqual([100, 100, 100]);
    expect(new Set(converted.pages.flat()).size).toBe(300);

    // A pool of 300 grade-D leads and, captured after them, the one lead the grade filter keeps.
    const kept = await w.waiting('sparse-kept', 'sparse-x', '2026-03-02T12:00:00.000Z');
    const other = kept.score?.grade === 'D' ? 'C' : 'D';
    await copies('sparse-kept', 300, (item, index) => ({ ...item, score: { ...item.score, grade: other }, capturedAt: `2026-03-02T11:${String(Math.floor(index / 10)).padStart(2, '0')}:00.000Z` }));
    for (const limit of ['1', '100']) {
      resetQueries();
      const walked = await walk((query) => w.pool('sparse-x', manager, query), { limit, grade: kept.score!.grade });
      expect({ limit, pages: walked.pages }).toEqual({ limit, pages: [['sparse-kept']] });
      expect(queries).toBeLessThanOrEqual(3);
    }
  });

  it('bounds what one page reads: a page may come back short, even empty, with a cursor, and the walk still finds every lead', { timeout: 300_000 }, async () => {
    const w = world('bounded');
    await w.waiting('bounded-first', 'bounded-x', '2026-03-02T08:00:00.000Z');
    const kept = await w.waiting('bounded-last', 'bounded-x', '2026-03-02T23:00:00.000Z');
    const first = await leads.getLead('bounded-first');
    expect(first?.score?.grade).toBe(kept.score?.grade);
    const other = kept.score?.grade === 'D' ? 'C' : 'D';
    await copies('bounded-first', 2_500, (item, index) => ({ ...item, score: { ...item.score, grade: other }, capturedAt: new Date(Date.parse('2026-03-02T09:00:00.000Z') + index * 1000).toISOString() }));
    resetQueries();
    const walked = await walk((query) => w.pool('bounded-x', manager, query), { limit: '2', grade: kept.score!.grade });
    expect(walked.pages.flat()).toEqual(['bounded-first', 'bounded-last']);
    // No page reads the whole index part: the 2,502 leads take several pages of a bounded number of queries.
    expect(walked.pages.length).toBeGreaterThan(1);
    expect(queries / walked.pages.length).toBeLessThanOrEqual(10);
  });

  it('walks each lead once in order with limit=1 and limit=100 while leads are claimed or transferred between pages; a lead whose next step moves, moves', { timeout: 300_000 }, async () => {
    const w = world('moving');
    const [ava, ben, cleo] = w.members;
    const poolLeadIds = Array.from({ length: 12 }, (_, index) => `moving-p${String(index).padStart(2, '0')}`);
    for (const [index, leadId] of poolLeadIds.entries()) await w.waiting(leadId, 'moving-x', `2026-03-02T0${Math.floor(index / 4)}:${String((index % 4) * 10).padStart(2, '0')}:00.000Z`);
    w.setNow('2026-03-03T10:00:00.000Z');

    // The pool, oldest first, whole; then walked a lead at a time while Ben claims the lead the cursor stands on and one ahead of it.
    const whole = ids(await w.pool('moving-x', manager, { limit: '100' }));
    expect(whole).toEqual(poolLeadIds);
    const claimedMidWalk = ['moving-p03', 'moving-p07'];
    const walked = await walk(
      (query) => w.pool('moving-x', manager, query),
      { limit: '1' },
      async (pageIndex) => {
        if (pageIndex === 3) for (const leadId of claimedMidWalk) await w.post('claim', leadId, rep(ben));
      },
    );
    expect(walked.pages.flat()).toEqual(poolLeadIds.filter((leadId) => leadId !== 'moving-p07'));
    expect(walked.pages.every((page) => page.length === 1)).toBe(true);

    // Ava's list: each with a next step an hour apart.
    const mine = poolLeadIds.filter((leadId) => !claimedMidWalk.includes(leadId)).slice(0, 8);
    for (const [index, leadId] of mine.entries()) {
      await w.post('claim', leadId, rep(ava));
      await w.post('activities', leadId, rep(ava), { kind: 'call', nextStepAt: `2026-03-04T${String(10 + index).padStart(2, '0')}:00:00Z` });
    }
    expect(ids(await w.mine(rep(ava), { limit: '100' }))).toEqual(mine);
    expect((await w.mine(rep(ava), { limit: '100' })).json.cursor).toBeUndefined();
    // While she pages, the lead under her cursor and one ahead of it go to Cleo.
    const walkedMine = await walk(
      (query) => w.mine(rep(ava), query),
      { limit: '1' },
      async (pageIndex) => {
        if (pageIndex !== 2) return;
        await w.post('assign', mine[2], manager, { repId: cleo });
        await w.post('assign', mine[5], manager, { repId: cleo });
      },
    );
    expect(walkedMine.pages.flat()).toEqual(mine.filter((leadId) => leadId !== mine[5]));
    expect(walkedMine.pages.every((page) => page.length === 1)).toBe(true);

    // The list is live, in the order to work it: a next step moved while she pages moves the lead. Moved
    // past her cursor (a lead already seen, put off to the end), it comes again in its new place; moved
    // before it (a lead not yet seen, brought forward), it is not shown in this walk. Each other lead, once.
    const rest = mine.filter((leadId) => leadId !== mine[2] && leadId !== mine[5]);
    const movedOn = await walk(
      (query) => w.mine(rep(ava), query),
      { limit: '1' },
      async (pageIndex) => {
        if (pageIndex !== 1) return;
        await w.post('activities', rest[0], rep(ava), { kind: 'call', nextStepAt: '2026-03-05T10:00:00Z' });
        await w.post('activities', rest[4], rep(ava), { kind: 'call', nextStepAt: '2026-03-04T09:00:00Z' });
      },
    );
    expect(movedOn.pages.flat()).toEqual([rest[0], rest[1], rest[2], rest[3], rest[5], rest[0]]);
  });

  it('refuses boundary values naming the parameter, and takes due at exactly now as overdue', { timeout: 120_000 }, async () => {
    const w = world('bounds');
    const [ava] = w.members;
    await w.waiting('bounds-1', 'bounds-x', '2026-03-02T09:00:00.000Z');
    await w.post('claim', 'bounds-1', rep(ava));
    await w.post('activities', 'bounds-1', rep(ava), { kind: 'call', nextStepAt: '2026-03-02T11:00:00Z' });
    for (const [parameter, value] of [
      ['limit', '0'],
      ['limit', '101'],
      ['limit', '1.5'],
      ['limit', ''],
      ['limit', '-1'],
      ['tag', ''],
      ['tag', 'unknown-tag'],
      ['due', ''],
      ['due', '2026-03-02'],
      ['overdue', 'yes'],
      ['status', ''],
      ['grade', 'E'],
      ['cursor', ''],
    ] as const) {
      const page = await w.mine(rep(ava), { [parameter]: value });
      expect({ parameter, value, status: page.status, paths: page.json.issues?.map((issue) => issue.path) }).toEqual({ parameter, value, status: 400, paths: [parameter] });
      if (!['limit', 'tag', 'grade', 'cursor'].includes(parameter)) continue;
      const pooled = await w.pool('bounds-x', manager, { [parameter]: value });
      expect({ parameter, value, status: pooled.status, paths: pooled.json.issues?.map((issue) => issue.path) }).toEqual({ parameter, value, status: 400, paths: [parameter] });
    }
    // `due` keeps next steps strictly before it: at exactly the step's time, the step is not yet due; a millisecond later it is.
    expect(ids(await w.mine(rep(ava), { due: '2026-03-02T11:00:00Z' }))).toEqual([]);
    expect(ids(await w.mine(rep(ava), { due: '2026-03-02T11:00:00.001Z' }))).toEqual(['bounds-1']);
    w.setNow('2026-03-02T11:00:00.000Z');
    expect(ids(await w.mine(rep(ava), { due: '2026-03-02T11:00:00.000Z' }))).toEqual(ids(await w.mine(rep(ava), { overdue: 'true' })));
  });

  it('leaves out, logged by key, a lead item that no longer reads as a lead: the pool and the rep still see every other lead', { timeout: 120_000 }, async () => {
    const w = world('unreadable');
    const [ava] = w.members;
    for (const [index, capturedAt] of ['2026-03-02T07:00:00.000Z', '2026-03-02T08:00:00.000Z', '2026-03-02T09:00:00.000Z', '2026-03-02T09:30:00.000Z', '2026-03-02T09:45:00.000Z'].entries())
      await w.waiting(`unreadable-${index}`, 'unreadable-x', capturedAt);
    w.setNow('2026-03-03T10:00:00.000Z');
    for (const leadId of ['unreadable-3', 'unreadable-4']) await w.post('claim', leadId, rep(ava));
    // Written by hand, or by a version whose schema has moved on: still in both indexes, no longer a lead.
    const spoil = (leadId: string) =>
      database.client.send(new UpdateCommand({ TableName: database.tableName, Key: { pk: `LEAD#${leadId}`, sk: 'LEAD' }, UpdateExpression: 'SET contact = :bad', ExpressionAttributeValues: { ':bad': 'not a contact' } }));
    await spoil('unreadable-1');
    await spoil('unreadable-3');
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      expect((await walk((query) => w.pool('unreadable-x', manager, query), { limit: '1' })).pages.flat()).toEqual(['unreadable-0', 'unreadable-2']);
      expect((await walk((query) => w.mine(rep(ava), query), { limit: '1' })).pages.flat()).toEqual(['unreadable-4']);
      expect(logged).toHaveBeenCalledWith(expect.stringContaining('does not read as a lead'), expect.objectContaining({ pk: 'LEAD#unreadable-1', indexName: 'pool-waiting-by-capture', problem: expect.any(String) }));
      expect(logged).toHaveBeenCalledWith(expect.stringContaining('does not read as a lead'), expect.objectContaining({ pk: 'LEAD#unreadable-3', indexName: 'owner-agenda' }));
    } finally {
      logged.mockRestore();
    }
  });
});

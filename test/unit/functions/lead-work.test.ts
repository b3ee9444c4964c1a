import { describe, expect, it } from 'vitest';
import { encodePageCursor, nextFollowUpCheck, pageCursorScope, planFollowUps, type Lead } from '@leadflow/domain';
import { createHandler as createClaim } from '../../../functions/claim-lead/handler';
import { createHandler as createAssign } from '../../../functions/assign-lead-manually/handler';
import { createHandler as createLock } from '../../../functions/lock-lead/handler';
import { createHandler as createUnlock } from '../../../functions/unlock-lead/handler';
import { createHandler as createActivity } from '../../../functions/log-lead-activity/handler';
import { createHandler as createStatus } from '../../../functions/change-lead-status/handler';
import { createHandler as createConvert } from '../../../functions/convert-lead/handler';
import { createHandler as createMyLeads } from '../../../functions/list-my-leads/handler';
import { createHandler as createRepLeads } from '../../../functions/list-rep-leads/handler';
import { createHandler as createPoolList } from '../../../functions/list-pool-leads/handler';
import { createHandler as createGetLead } from '../../../functions/get-lead/handler';
import { createHandler as createRelease } from '../../../functions/release-lead/handler';
import { createHandler as createConsents } from '../../../functions/list-lead-consents/handler';
import { fakeDependencies } from '../../support/fakes';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { pooledLead } from '../../support/pooled-leads';

type Deps = ReturnType<typeof fakeDependencies>;
type Claims = Record<string, string> | undefined;
const asRep = (id: string) => ({ sub: id, 'cognito:groups': '[rep]' });
const asManager = { sub: 'mgr-maya', 'cognito:groups': '[manager]' };
const asFinance = { sub: 'rep-ava', 'cognito:groups': '[finance]' };

const steps = { claim: createClaim, assign: createAssign, lock: createLock, unlock: createUnlock, activities: createActivity, status: createStatus, convert: createConvert };

async function post(deps: Deps, step: keyof typeof steps, leadId: string, claims: Claims, body?: unknown, contentType = 'application/json') {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const event = httpEvent({ method: 'POST', path: `/leads/${leadId}/${step}`, pathParameters: { leadId }, headers: text === undefined ? {} : { 'content-type': contentType }, body: text, claims });
  const response = (await steps[step](() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
  return { status: response.statusCode, json: JSON.parse(response.body) };
}

async function get(
  deps: Deps,
  create: typeof createMyLeads | typeof createRepLeads | typeof createPoolList | typeof createGetLead,
  path: string,
  claims: Claims,
  query: Record<string, string> = {},
  pathParameters: Record<string, string> = {},
) {
  const response = (await create(() => deps)(httpEvent({ path, pathParameters, query, claims }), lambdaContext)) as { statusCode: number; body: string; headers: Record<string, string> };
  return { status: response.statusCode, json: JSON.parse(response.body), headers: response.headers };
}

/** What a refused request must leave untouched. */
const writes = (deps: Deps) => JSON.stringify({ leads: [...deps.store.leads], outbox: [...deps.store.outbox.keys()], open: [...deps.store.openLeads] });
/** The events the follow-up run of the confirmed case (recycle with no first contact in 72 hours, no warning) writes on `lead` 80 hours after `claimedAt`. */
const followUpEventsAt80Hours = (lead: Lead, claimedAt: Date) =>
  planFollowUps({
    lead,
    rules: { pool: { id: 'nurture', members: [], recycle: { when: 'any', noFirstContactHours: 72, warnDaysBefore: 0, protectionDays: 0 } } },
    now: new Date(claimedAt.getTime() + 80 * 3600_000),
  })?.events.map((event) => event.type) ?? [];
const events = (deps: Deps, type: string) => [...deps.store.outbox.values()].filter((event) => event.detailType === type).map((event) => event.detail);

/** A lead of the nurture pool claimed by `repId`. */
async function ownedLead(deps: Deps, leadId: string, repId = 'rep-ava', capturedAt?: Date) {
  await pooledLead(deps.store, deps.config, { leadId, poolId: 'nurture', capturedAt });
  expect((await post(deps, 'claim', leadId, asRep(repId))).status).toBe(200);
}

describe('POST /leads/{leadId}/assign', () => {
  it('assigns a waiting lead to a member and transfers an owned one, moving both open-lead counters', async () => {
    const deps = fakeDependencies();
    await pooledLead(deps.store, deps.config, { leadId: 'w-1', poolId: 'nurture' });
    const assigned = await post(deps, 'assign', 'w-1', asManager, { repId: 'rep-ben', reason: 'speaks Spanish' });
    expect(assigned).toMatchObject({ status: 200, json: { status: 'assigned', ownerId: 'rep-ben', assignment: { rule: 'manual', poolId: 'nurture' } } });
    expect(assigned.json.history.at(-1)).toMatchObject({ action: 'assigned', by: 'mgr-maya', detail: 'assigned to rep-ben from pool nurture by mgr-maya: speaks Spanish' });
    expect(deps.store.openLeads.get('rep-ben')).toBe(1);
    const emptyPool = await get(deps, createPoolList, '/pools/nurture/leads', asManager, {}, { poolId: 'nurture' });
    expect(emptyPool.json.leads).toEqual([]);
    expect(emptyPool.headers['cache-control']).toBe('no-store');
    const transferred = await post(deps, 'assign', 'w-1', asManager, { repId: 'rep-ava' });
    expect(transferred.json.history.at(-1)).toMatchObject({ action: 'transferred', detail: 'transferred from rep-ben to rep-ava by mgr-maya' });
    expect([deps.store.openLeads.get('rep-ben'), deps.store.openLeads.get('rep-ava')]).toEqual([0, 1]);
    expect(events(deps, 'lead.assigned')).toEqual([
      expect.objectContaining({ rule: 'manual', ownerId: 'rep-ben', by: 'mgr-maya', poolId: 'nurture' }),
      expect.objectContaining({ rule: 'manual', ownerId: 'rep-ava', by: 'mgr-maya', previousOwnerId: 'rep-ben' }),
    ]);
  });

  it('answers a pool admin who may not read the lead with the masked pool view and its owner, after an assignment, an invalid and a reactivation', async () => {
    const deps = fakeDependencies();
    deps.config.pools.find((pool) => pool.id === 'nurture')!.admins.push('rep-dev');
    await pooledLead(deps.store, deps.config, { leadId: 'w-3', poolId: 'nurture' });
    expect((await get(deps, createGetLead, '/leads/w-3', asRep('rep-dev'), {}, { leadId: 'w-3' })).status).toBe(403);
    const masked = { leadId: 'w-3', contact: { name: 'A***', email: 'w***@example.com' } };
    const invalid = await post(deps, 'status', 'w-3', asRep('rep-dev'), { status: 'invalid', reason: 'fake' });
    expect(invalid).toMatchObject({ status: 200, json: { ...masked, status: 'invalid' } });
    const reactivated = await post(deps, 'status', 'w-3', asRep('rep-dev'), { status: 'reactivate' });
    expect(reactivated).toMatchObject({ status: 200, json: { ...masked, status: 'in_pool' } });
    const assigned = await post(deps, 'assign', 'w-3', asRep('rep-dev'), { repId: 'rep-ben' });
    expect(assigned).toMatchObject({ status: 200, json: { ...masked, status: 'assigned', ownerId: 'rep-ben' } });
    for (const answer of [invalid, reactivated, assigned]) expect(Object.keys(answer.json).filter((key) => ['history', 'answers', 'assignment', 'consent'].includes(key))).toEqual([]);
    // The one who may read the lead is answered with all of it, as before.
    expect((await post(deps, 'assign', 'w-3', asManager, { repId: 'rep-ava' })).json).toMatchObject({ contact: { name: 'Ada', email: 'w-3@example.com' }, history: expect.any(Array) });
  });

  it("refuses at the target's holding cap with its numbers and writes nothing", async () => {
    const deps = fakeDependencies();
    await ownedLead(deps, 'w-2', 'rep-ava');
    deps.store.openLeads.set('rep-ben', 30);
    const before = writes(deps);
    expect(await post(deps, 'assign', 'w-2', asManager, { repId: 'rep-ben' })).toEqual({ status: 409, json: { rule: 'holding_cap', error: 'rep-ben: holding cap 30 reached (30/30 open leads)' } });
    expect(writes(deps)).toBe(before);
  });
});

describe('the lifecycle endpoints', () => {
  it('claim → activity with a next step → contacted → qualified → converted, each on the timeline with who and why', async () => {
    const deps = fakeDependencies();
    await ownedLead(deps, 'l-1');
    const logged = await post(deps, 'activities', 'l-1', asRep('rep-ava'), { kind: 'call', outcome: 'voicemail', nextStepAt: '2026-03-03T09:00:00Z' });
    expect(logged).toMatchObject({ status: 200, json: { firstContactAt: deps.now().toISOString(), lastActivityAt: deps.now().toISOString(), nextStepAt: '2026-03-03T09:00:00.000Z' } });
    expect((await post(deps, 'status', 'l-1', asRep('rep-ava'), { status: 'contacted' })).json.status).toBe('contacted');
    expect((await post(deps, 'status', 'l-1', asRep('rep-ava'), { status: 'qualified', qualification: 'sql' })).json).toMatchObject({ status: 'qualified', qualification: 'sql' });
    const won = await post(deps, 'convert', 'l-1', asRep('rep-ava'), { revenue: 4800, currency: 'USD', wonAt: '2026-03-02T10:00:00Z', dealId: 'CRM-42' });
    expect(won).toMatchObject({ status: 200, json: { status: 'converted', ownerId: 'rep-ava', conversion: { revenue: 4800, currency: 'USD', dealId: 'CRM-42', by: 'rep-ava' } } });
    expect(deps.store.openLeads.get('rep-ava')).toBe(0);
    const timeline = (await get(deps, createGetLead, '/leads/l-1', asRep('rep-ava'), {}, { leadId: 'l-1' })).json.history.map((entry: { action: string; by: string; detail?: string }) => [
      entry.action,
      entry.by,
      entry.detail,
    ]);
    expect(timeline.slice(-5)).toEqual([
      ['claimed', 'rep-ava', 'claimed from pool nurture (daily limit 20)'],
      ['activity', 'rep-ava', 'call: voicemail; next step 2026-03-03T09:00:00.000Z'],
      ['contacted', 'rep-ava', 'contacted'],
      ['qualified', 'rep-ava', 'qualified as sql'],
      ['converted', 'rep-ava', 'won 4800 USD on 2026-03-02T10:00:00.000Z (deal CRM-42)'],
    ]);
    expect(events(deps, 'lead.activity_logged')).toEqual([expect.objectContaining({ kind: 'call', firstContact: true, nextStepAt: '2026-03-03T09:00:00.000Z' })]);
    expect(events(deps, 'lead.status_changed').map((detail) => [detail.from, detail.to])).toEqual([
      ['assigned', 'contacted'],
      ['contacted', 'qualified'],
    ]);
    expect(events(deps, 'lead.converted')).toEqual([expect.objectContaining({ revenue: 4800, currency: 'USD', ownerId: 'rep-ava', channel: 'website' })]);
    expect(await post(deps, 'status', 'l-1', asRep('rep-ava'), { status: 'contacted' })).toEqual({
      status: 409,
      json: { rule: 'illegal_transition', error: 'lead l-1 is converted; contacted is allowed only from assigned' },
    });
  });

  it('refuses revenue whose cents cannot be stored and counted exactly, naming revenue and writing nothing', async () => {
    const deps = fakeDependencies();
    await ownedLead(deps, 'l-5');
    await post(deps, 'status', 'l-5', asRep('rep-ava'), { status: 'contacted' });
    await post(deps, 'status', 'l-5', asRep('rep-ava'), { status: 'qualified', qualification: 'sql' });
    const before = writes(deps);
    // Written as the JSON text a client may send; an integer past 2^53 is a number too, refused as out of range.
    for (const revenue of ['1e16', '12345678901234567890', '1e14', '1e-200', '12.345', '-1']) {
      const refused = await post(deps, 'convert', 'l-5', asRep('rep-ava'), `{"revenue":${revenue},"currency":"USD","wonAt":"2026-03-02T10:00:00Z"}`);
      expect(refused, revenue).toMatchObject({ status: 400, json: { issues: [{ path: 'revenue' }] } });
      expect(JSON.stringify(refused.json), revenue).not.toContain('received string');
    }
    expect(writes(deps)).toBe(before);
    const won = await post(deps, 'convert', 'l-5', asRep('rep-ava'), { revenue: 999999999999.99, currency: 'USD', wonAt: '2026-03-02T10:00:00Z' });
    expect(won).toMatchObject({ status: 200, json: { status: 'converted', conversion: { revenue: 999999999999.99 } } });
  });

  it('invalid frees the owner and leaves the lead unowned; a manager reactivates it into the pool listing', async () => {
    const deps = fakeDependencies();
    await ownedLead(deps, 'l-2');
    const invalid = await post(deps, 'status', 'l-2', asRep('rep-ava'), { status: 'invalid', reason: 'unreachable' });
    expect(invalid.json).toMatchObject({ status: 'invalid', statusReason: 'unreachable', previousOwnerId: 'rep-ava' });
    expect(deps.store.openLeads.get('rep-ava')).toBe(0);
    expect(await post(deps, 'status', 'l-2', asRep('rep-ava'), { status: 'reactivate' })).toMatchObject({ status: 403 });
    expect((await post(deps, 'status', 'l-2', asManager, { status: 'reactivate' })).json).toMatchObject({ status: 'in_pool' });
    expect((await get(deps, createPoolList, '/pools/nurture/leads', asManager, {}, { poolId: 'nurture' })).json.leads.map((lead: { leadId: string }) => lead.leadId)).toEqual(['l-2']);
  });

  it('answers a lead past its retention as one deleted: 404 to reading it, its consents and every step (reactivate too, whose person a new lead may already hold), writing nothing', async () => {
    const deps = fakeDependencies();
    await ownedLead(deps, 'l-9');
    expect((await post(deps, 'status', 'l-9', asRep('rep-ava'), { status: 'invalid', reason: 'unreachable' })).status).toBe(200);
    const invalidAt = deps.now().getTime();
    // Invalid leads are kept 365 days (the default retention) from becoming invalid.
    deps.now = () => new Date(invalidAt + 365 * 86_400_000);
    const before = writes(deps);
    const gone = { status: 404, json: { error: 'Lead "l-9" is past its retention and is being deleted' } };
    expect(await post(deps, 'status', 'l-9', asManager, { status: 'reactivate' })).toMatchObject(gone);
    expect(await get(deps, createGetLead, '/leads/l-9', asManager, {}, { leadId: 'l-9' })).toMatchObject(gone);
    const consents = (await createConsents(() => deps)(httpEvent({ path: '/leads/l-9/consents', pathParameters: { leadId: 'l-9' }, claims: asManager }), lambdaContext)) as { statusCode: number };
    expect(consents.statusCode).toBe(404);
    expect(writes(deps)).toBe(before);
    deps.now = () => new Date(invalidAt + 365 * 86_400_000 - 1000);
    expect((await get(deps, createGetLead, '/leads/l-9', asManager, {}, { leadId: 'l-9' })).status).toBe(200);
    expect(await post(deps, 'status', 'l-9', asManager, { status: 'reactivate' })).toMatchObject({ status: 200, json: { status: 'in_pool' } });
  });

  it('refuses a body field the endpoint does not take by name, so a rep cannot set the owner or score through it', async () => {
    const deps = fakeDependencies();
    await ownedLead(deps, 'l-9');
    const before = structuredClone(deps.store.leads.get('l-9'));
    const refused = await post(deps, 'status', 'l-9', asRep('rep-ava'), { status: 'contacted', ownerId: 'rep-ben', score: { value: 100 } });
    expect(refused).toMatchObject({ status: 400 });
    expect(refused.json.issues.map((issue: { message: string }) => issue.message).join(' ')).toMatch(/ownerId.*score|score.*ownerId/);
    expect(deps.store.leads.get('l-9')).toEqual(before);
  });

  it("invalid lifts a manager's lock and the owner's SLA state, naming the lock and publishing lead.unlocked, so whoever claims the reactivated lead can be recycled", async () => {
    const deps = fakeDependencies();
    await ownedLead(deps, 'l-7');
    await post(deps, 'lock', 'l-7', asManager, { reason: 'key account' });
    deps.store.leads.get('l-7')!.followUp = { slaKey: 'first_contact@x', breaches: 1 };
    const invalid = await post(deps, 'status', 'l-7', asRep('rep-ava'), { status: 'invalid', reason: 'unreachable' });
    expect(invalid.json).not.toHaveProperty('lock');
    expect(invalid.json).not.toHaveProperty('followUp');
    expect(invalid.json.history.at(-1)).toMatchObject({ action: 'invalidated', detail: 'invalid: unreachable; the lock mgr-maya put on it is lifted' });
    expect(events(deps, 'lead.unlocked')).toEqual([expect.objectContaining({ leadId: 'l-7', by: 'rep-ava', reason: 'invalid: unreachable' })]);
    expect(events(deps, 'lead.unlocked')[0]).not.toHaveProperty('ownerId');
    expect((await post(deps, 'status', 'l-7', asManager, { status: 'reactivate' })).json).toMatchObject({ status: 'in_pool' });
    expect((await post(deps, 'claim', 'l-7', asRep('rep-ben'))).json).toMatchObject({ ownerId: 'rep-ben' });
    const claimed = deps.store.leads.get('l-7')!;
    expect(claimed).not.toHaveProperty('lock');
    // Claimed now, with nothing done since: recycled three days on.
    const recycleAt = new Date(deps.now().getTime() + 3 * 86_400_000).toISOString();
    expect(nextFollowUpCheck(claimed, { pool: { id: 'nurture', members: [], recycle: { when: 'any', noFollowUpDays: 3, warnDaysBefore: 0, protectionDays: 0 } } })).toBe(recycleAt);
  });

  it('refuses to lock a lead waiting unowned in its pool, writing nothing, so whoever claims it can be recycled', async () => {
    const deps = fakeDependencies();
    await pooledLead(deps.store, deps.config, { leadId: 'l-8', poolId: 'nurture' });
    const before = writes(deps);
    expect(await post(deps, 'lock', 'l-8', asManager, { reason: 'key account' })).toEqual({ status: 409, json: { rule: 'not_owned', error: 'a lock keeps a lead with its owner; lead l-8 has none' } });
    expect(writes(deps)).toBe(before);
    expect((await post(deps, 'claim', 'l-8', asRep('rep-ben'))).json).toMatchObject({ ownerId: 'rep-ben' });
    expect(deps.store.leads.get('l-8')).not.toHaveProperty('lock');
    expect(followUpEventsAt80Hours(deps.store.leads.get('l-8')!, deps.now())).toContain('lead.recycled');
  });

  it('lifts a lock an earlier version left on a waiting lead when a rep claims it or a manager assigns it, naming it and publishing lead.unlocked beside the claim', async () => {
    const deps = fakeDependencies();
    const stale = { by: 'mgr-maya', at: '2026-03-02T10:05:00.000Z', reason: 'key account' };
    for (const leadId of ['l-9', 'l-10']) {
      await pooledLead(deps.store, deps.config, { leadId, poolId: 'nurture' });
      deps.store.leads.get(leadId)!.lock = { ...stale };
    }
    const claimed = await post(deps, 'claim', 'l-9', asRep('rep-ben'));
    expect(claimed).toMatchObject({ status: 200, json: { ownerId: 'rep-ben', status: 'assigned' } });
    expect(claimed.json).not.toHaveProperty('lock');
    expect(claimed.json.history.at(-1)).toMatchObject({ action: 'claimed', by: 'rep-ben', detail: 'claimed from pool nurture (daily limit 20); the lock mgr-maya put on it is lifted' });
    expect(followUpEventsAt80Hours(deps.store.leads.get('l-9')!, deps.now())).toContain('lead.recycled');
    const assigned = await post(deps, 'assign', 'l-10', asManager, { repId: 'rep-chloe' });
    expect(assigned).toMatchObject({ status: 200, json: { ownerId: 'rep-chloe', status: 'assigned' } });
    expect(assigned.json).not.toHaveProperty('lock');
    expect(assigned.json.history.at(-1)).toMatchObject({ action: 'assigned', detail: 'assigned to rep-chloe from pool nurture by mgr-maya; the lock mgr-maya put on it is lifted' });
    expect(events(deps, 'lead.unlocked')).toEqual([
      expect.objectContaining({ leadId: 'l-9', ownerId: 'rep-ben', by: 'rep-ben', reason: 'claimed from pool nurture' }),
      expect.objectContaining({ leadId: 'l-10', ownerId: 'rep-chloe', by: 'mgr-maya', reason: 'assigned to rep-chloe from pool nurture by mgr-maya' }),
    ]);
    expect(events(deps, 'lead.claimed')).toEqual([expect.objectContaining({ leadId: 'l-9' })]);
    expect(events(deps, 'lead.assigned')).toEqual([expect.objectContaining({ leadId: 'l-10' })]);
  });

  it('locks and unlocks for managers, on the timeline and evented', async () => {
    const deps = fakeDependencies();
    await ownedLead(deps, 'l-3');
    expect(await post(deps, 'lock', 'l-3', asRep('rep-ava'))).toMatchObject({ status: 403, json: { rule: 'not_manager' } });
    expect((await post(deps, 'lock', 'l-3', asManager, { reason: 'strategic account' })).json.lock).toEqual({ by: 'mgr-maya', at: deps.now().toISOString(), reason: 'strategic account' });
    expect(await post(deps, 'lock', 'l-3', asManager)).toMatchObject({ status: 409, json: { rule: 'already_locked' } });
    expect((await post(deps, 'unlock', 'l-3', asManager)).json).not.toHaveProperty('lock');
    expect([...events(deps, 'lead.locked'), ...events(deps, 'lead.unlocked')]).toEqual([expect.objectContaining({ reason: 'strategic account', by: 'mgr-maya' }), expect.objectContaining({ by: 'mgr-maya' })]);
  });

  it('answers wrong role, non-member, unknown lead and malformed bodies with 4xx naming the field, writing nothing', async () => {
    const deps = fakeDependencies();
    await ownedLead(deps, 'l-4');
    const good = {
      assign: { repId: 'rep-ben' },
      lock: { reason: 'x' },
      unlock: {},
      activities: { kind: 'call' },
      status: { status: 'contacted' },
      convert: { revenue: 1, currency: 'USD', wonAt: '2026-03-01T00:00:00Z' },
    } as const;
    const bad = {
      assign: [{ repId: 7 }, 'repId'],
      lock: [{ reason: '' }, 'reason'],
      unlock: [{ reason: 5 }, 'reason'],
      activities: [{ kind: 'call', nextStepAt: '2026-03-01T00:00:00Z' }, 'nextStepAt'],
      status: [{ status: 'invalid', reason: 'bored' }, 'reason'],
      convert: [{ revenue: '1', currency: 'USD', wonAt: '2026-03-01T00:00:00Z' }, 'revenue'],
    } as const;
    const before = writes(deps);
    for (const step of Object.keys(good) as Array<keyof typeof good>) {
      const actor = step === 'assign' || step === 'lock' || step === 'unlock' ? asManager : asRep('rep-ava');
      expect((await post(deps, step, 'l-4', undefined, good[step])).status, step).toBe(401);
      expect((await post(deps, step, 'l-4', asFinance, good[step])).status, step).toBe(403);
      expect((await post(deps, step, 'l-4', asRep('rep-chloe'), good[step])).status, step).toBe(403);
      expect(await post(deps, step, 'nope', actor, good[step]), step).toMatchObject({ status: 404, json: { error: 'Lead "nope" does not exist' } });
      // An id up to the longest a lead may have reaches the store; its 404 quotes the first 40 characters, as a longer id's does.
      expect(await post(deps, step, 'n'.repeat(100), actor, good[step]), step).toMatchObject({ status: 404, json: { error: `Lead "${'n'.repeat(40)}…" does not exist` } });
      expect((await post(deps, step, 'l-4', actor, '{')).json.issues, step).toEqual([expect.objectContaining({ path: '(body)' })]);
      expect((await post(deps, step, 'l-4', actor, 'a=b', 'application/x-www-form-urlencoded')).status, step).toBe(415);
      expect((await post(deps, step, 'l-4', actor, bad[step][0])).json.issues, step).toEqual([expect.objectContaining({ path: bad[step][1] })]);
      expect((await post(deps, step, 'l-4', actor, { ...good[step], extra: true })).json.issues, step).toEqual([expect.objectContaining({ path: 'extra' })]);
    }
    // An offset can carry a time out of the years 0000–9999, which stored times cannot hold; a currency must be one ISO 4217 lists.
    for (const [step, body, field] of [
      ['activities', { kind: 'call', nextStepAt: '9999-12-31T23:30:00-01:00' }, 'nextStepAt'],
      ['convert', { ...good.convert, wonAt: '0000-01-01T00:30:00+01:00' }, 'wonAt'],
      // A typo for 2026: ROI would file the sale under a day no report reads.
      ['convert', { ...good.convert, wonAt: '0206-03-01T00:00:00Z' }, 'wonAt'],
      ['convert', { ...good.convert, currency: 'QQQ' }, 'currency'],
    ] as const) {
      expect((await post(deps, step, 'l-4', asRep('rep-ava'), body)).json.issues, `${step} ${field}`).toEqual([expect.objectContaining({ path: field })]);
    }
    expect(await post(deps, 'assign', 'l-4', asManager, { repId: 'rep-chloe-typo' })).toMatchObject({ status: 400, json: { issues: [{ path: 'repId', message: 'is not a rep of the configuration' }] } });
    // An empty one is named once, for being empty.
    expect((await post(deps, 'assign', 'l-4', asManager, { repId: '' })).json.issues).toEqual([expect.objectContaining({ path: 'repId' })]);
    expect(writes(deps)).toBe(before);
  });
});

describe('answers that carry the lead', () => {
  it('are no-store after a claim, a lifecycle step, an assignment and a release, as reads of the lead are', async () => {
    const deps = fakeDependencies();
    await pooledLead(deps.store, deps.config, { leadId: 'c-1', poolId: 'nurture' });
    const answer = async (create: (typeof steps)[keyof typeof steps] | typeof createRelease, action: string, claims: Claims, body?: unknown) => {
      const text = body === undefined ? undefined : JSON.stringify(body);
      const event = httpEvent({ method: 'POST', path: `/leads/c-1/${action}`, pathParameters: { leadId: 'c-1' }, headers: text === undefined ? {} : { 'content-type': 'application/json' }, body: text, claims });
      return (await create(() => deps)(event, lambdaContext)) as { statusCode: number; headers: Record<string, string>; body: string };
    };
    const answers = [
      await answer(createClaim, 'claim', asRep('rep-ava')),
      await answer(createStatus, 'status', asRep('rep-ava'), { status: 'contacted' }),
      await answer(createAssign, 'assign', asManager, { repId: 'rep-ben' }),
      await answer(createRelease, 'release', asRep('rep-ben'), { reason: deps.config.pools.find((pool) => pool.id === 'nurture')!.releaseReasons[0] }),
    ];
    expect(answers.map((response) => [response.statusCode, JSON.parse(response.body).leadId, response.headers['cache-control']])).toEqual(Array(4).fill([200, 'c-1', 'no-store']));
  });
});

describe('a lifecycle write that loses a race', () => {
  /** Lets `interloper` change the lead once, between the handler's read and its write, as a concurrent request would. */
  function racing(deps: Deps, interloper: () => Promise<unknown>) {
    const apply = deps.store.applyTransition.bind(deps.store);
    let raced = false;
    deps.store.applyTransition = async (transition) => {
      if (!raced) {
        raced = true;
        await interloper();
      }
      return apply(transition);
    };
  }

  it('is planned again and written when the change was beside the point (another follow-up)', async () => {
    const deps = fakeDependencies();
    await ownedLead(deps, 'r-1');
    racing(deps, () => post(deps, 'activities', 'r-1', asRep('rep-ava'), { kind: 'note', outcome: 'from the other tab' }));
    expect((await post(deps, 'activities', 'r-1', asRep('rep-ava'), { kind: 'call' })).status).toBe(200);
    expect(
      deps.store.leads
        .get('r-1')
        ?.history.filter((entry) => entry.action === 'activity')
        .map((entry) => entry.detail),
    ).toEqual(['note: from the other tab', 'call']);
  });

  it('is a 409 naming the new state when the owner changed meanwhile, writing nothing of its own', async () => {
    const deps = fakeDependencies();
    await ownedLead(deps, 'r-2');
    racing(deps, () => post(deps, 'assign', 'r-2', asManager, { repId: 'rep-ben' }));
    expect(await post(deps, 'assign', 'r-2', { sub: 'mgr-other', 'cognito:groups': '[manager]' }, { repId: 'rep-chloe' })).toEqual({
      status: 409,
      json: { rule: 'lead_changed', error: 'lead r-2 changed while it was being assigned: it is now assigned and owned by rep-ben; read it and try again' },
    });
    expect(deps.store.leads.get('r-2')?.ownerId).toBe('rep-ben');
    expect(events(deps, 'lead.assigned')).toHaveLength(1);
  });
});

describe('GET /me/leads', () => {
  it("lists only the caller's open leads, overdue next steps first, then due soonest, then the rest; filters and pages", async () => {
    const deps = fakeDependencies();
    for (const leadId of ['m-later', 'm-none', 'm-soon', 'm-overdue']) await ownedLead(deps, leadId);
    await ownedLead(deps, 'm-bens', 'rep-ben');
    await post(deps, 'activities', 'm-later', asRep('rep-ava'), { kind: 'call', nextStepAt: '2026-03-09T00:00:00Z' });
    await post(deps, 'activities', 'm-soon', asRep('rep-ava'), { kind: 'call', nextStepAt: '2026-03-03T00:00:00Z' });
    await post(deps, 'activities', 'm-overdue', asRep('rep-ava'), { kind: 'call', nextStepAt: '2026-03-02T11:00:00Z' });
    deps.now = () => new Date('2026-03-02T12:00:00.000Z');
    const ids = (page: { json: { leads: Array<{ leadId: string }> } }) => page.json.leads.map((lead) => lead.leadId);
    const all = await get(deps, createMyLeads, '/me/leads', asRep('rep-ava'));
    expect(ids(all)).toEqual(['m-overdue', 'm-soon', 'm-later', 'm-none']);
    // A rep's own leads, with their contact details: no cache keeps them.
    expect(all.headers['cache-control']).toBe('no-store');
    expect(all.json.leads[0]).toMatchObject({ overdue: true, nextStepAt: '2026-03-02T11:00:00.000Z', contact: { email: 'm-overdue@example.com' } });
    expect(ids(await get(deps, createMyLeads, '/me/leads', asRep('rep-ava'), { overdue: 'true' }))).toEqual(['m-overdue']);
    expect(ids(await get(deps, createMyLeads, '/me/leads', asRep('rep-ava'), { due: '2026-03-04T00:00:00Z' }))).toEqual(['m-overdue', 'm-soon']);
    const first = await get(deps, createMyLeads, '/me/leads', asRep('rep-ava'), { limit: '3' });
    expect(ids(first)).toEqual(['m-overdue', 'm-soon', 'm-later']);
    expect(ids(await get(deps, createMyLeads, '/me/leads', asRep('rep-ava'), { limit: '3', cursor: first.json.cursor }))).toEqual(['m-none']);
    await post(deps, 'status', 'm-none', asRep('rep-ava'), { status: 'invalid', reason: 'fake' });
    expect(ids(await get(deps, createMyLeads, '/me/leads', asRep('rep-ava'), { status: 'assigned' }))).toEqual(['m-overdue', 'm-soon', 'm-later']);
    expect(ids(await get(deps, createMyLeads, '/me/leads', asRep('rep-ben')))).toEqual(['m-bens']);
  });

  it('refuses finance, missing tokens and bad filters, naming the parameter', async () => {
    const deps = fakeDependencies();
    expect((await get(deps, createMyLeads, '/me/leads', undefined)).status).toBe(401);
    expect((await get(deps, createMyLeads, '/me/leads', asFinance)).status).toBe(403);
    for (const [parameter, value] of [
      ['status', 'won'],
      ['grade', 'Z'],
      ['due', 'soon'],
      ['overdue', 'yes'],
      ['limit', '500'],
      ['limit', '0x10'],
      ['limit', '1.0'],
      ['limit', ''],
      // The offset carries the instant into the year 10000, which would sort before every stored time.
      ['due', '9999-12-31T23:59:59-14:00'],
      ['cursor', 'x'],
      // Sent to DynamoDB as a key, an over-long lead id would be refused there.
      ['cursor', encodePageCursor({ agenda: '~#0A', leadId: 'l'.repeat(3000) }, pageCursorScope('my-leads', 'rep-ava'))],
      ['owner', 'rep-ben'],
    ]) {
      const response = await get(deps, createMyLeads, '/me/leads', asRep('rep-ava'), { [parameter]: value });
      expect(response.status, parameter).toBe(400);
      expect(response.json.issues[0].path, parameter).toBe(parameter);
    }
  });
});

describe('GET /reps/{repId}/leads', () => {
  const repLeads = (deps: Deps, repId: string, claims: Claims, query: Record<string, string> = {}) => get(deps, createRepLeads, `/reps/${repId}/leads`, claims, query, { repId });
  const ids = (page: { json: { leads: Array<{ leadId: string }> } }) => page.json.leads.map((lead) => lead.leadId);

  it("shows a manager or an admin any rep's leads as the rep's own list does, and the rep their own", async () => {
    const deps = fakeDependencies();
    for (const leadId of ['r-later', 'r-overdue', 'r-none']) await ownedLead(deps, leadId);
    await ownedLead(deps, 'r-bens', 'rep-ben');
    await post(deps, 'activities', 'r-later', asRep('rep-ava'), { kind: 'call', nextStepAt: '2026-03-09T00:00:00Z' });
    await post(deps, 'activities', 'r-overdue', asRep('rep-ava'), { kind: 'call', nextStepAt: '2026-03-02T11:00:00Z' });
    deps.now = () => new Date('2026-03-02T12:00:00.000Z');

    const asManagerView = await repLeads(deps, 'rep-ava', asManager);
    expect(asManagerView.status).toBe(200);
    expect(asManagerView.json.ownerId).toBe('rep-ava');
    expect(ids(asManagerView)).toEqual(['r-overdue', 'r-later', 'r-none']);
    expect(asManagerView.headers['cache-control']).toBe('no-store');
    expect(asManagerView.json).toEqual((await get(deps, createMyLeads, '/me/leads', asRep('rep-ava'))).json);
    expect(ids(await repLeads(deps, 'rep-ava', asManager, { overdue: 'true' }))).toEqual(['r-overdue']);
    expect(ids(await repLeads(deps, 'rep-ben', { sub: 'root', 'cognito:groups': '[admin]' }))).toEqual(['r-bens']);
    expect(ids(await repLeads(deps, 'rep-ava', asRep('rep-ava')))).toEqual(['r-overdue', 'r-later', 'r-none']);

    const first = await repLeads(deps, 'rep-ava', asManager, { limit: '2' });
    expect(ids(first)).toEqual(['r-overdue', 'r-later']);
    expect(ids(await repLeads(deps, 'rep-ava', asManager, { limit: '2', cursor: first.json.cursor }))).toEqual(['r-none']);
    // A cursor names its list: another rep's, or the same rep's on `GET /me/leads`, pages nothing here.
    const mine = await get(deps, createMyLeads, '/me/leads', asRep('rep-ava'), { limit: '2' });
    for (const [repId, cursor] of [
      ['rep-ben', first.json.cursor],
      ['rep-ava', mine.json.cursor],
    ]) {
      const refused = await repLeads(deps, repId, asManager, { cursor });
      expect(refused.status).toBe(400);
      expect(refused.json.issues).toEqual([expect.objectContaining({ path: 'cursor' })]);
    }
  });

  it('refuses another rep, finance and a missing token before reading, names a rep not configured and a bad filter', async () => {
    const deps = fakeDependencies();
    await ownedLead(deps, 'r-avas');
    expect((await repLeads(deps, 'rep-ava', undefined)).status).toBe(401);
    expect((await repLeads(deps, 'rep-ava', asRep('rep-ben'))).status).toBe(403);
    expect((await repLeads(deps, 'rep-ava', asFinance)).status).toBe(403);
    // Before the rep is looked up, so a rep cannot learn which ids are configured.
    expect((await repLeads(deps, 'rep-nobody', asRep('rep-ben'))).status).toBe(403);
    const unknown = await repLeads(deps, 'rep-nobody', asManager);
    expect(unknown).toMatchObject({ status: 404, json: { error: 'Rep "rep-nobody" does not exist' } });
    // A long id is quoted by its first 40 characters, as a lead's is.
    expect(await repLeads(deps, 'r'.repeat(3000), asManager)).toMatchObject({ status: 404, json: { error: `Rep "${'r'.repeat(40)}…" does not exist` } });
    for (const [parameter, value] of [
      ['status', 'won'],
      ['limit', '500'],
      ['tag', 'no-such-tag'],
      ['owner', 'rep-ben'],
    ]) {
      const response = await repLeads(deps, 'rep-ava', asManager, { [parameter]: value });
      expect(response.status, parameter).toBe(400);
      expect(response.json.issues[0].path, parameter).toBe(parameter);
    }
  });
});

describe('GET /pools/{poolId}/leads filters', () => {
  it('keeps leads of the grade, temperature, channel and age asked for, and names a bad filter', async () => {
    const deps = fakeDependencies();
    await pooledLead(deps.store, deps.config, { leadId: 'p-old', poolId: 'nurture', capturedAt: new Date('2026-02-20T10:00:00.000Z') });
    await pooledLead(deps.store, deps.config, { leadId: 'p-new', poolId: 'nurture', capturedAt: new Date('2026-03-02T09:00:00.000Z') });
    const lead = deps.store.leads.get('p-new')!;
    const { grade, temperature } = lead.score!;
    const list = async (query: Record<string, string>) => get(deps, createPoolList, '/pools/nurture/leads', asRep('rep-ava'), query, { poolId: 'nurture' });
    const ids = async (query: Record<string, string>) => (await list(query)).json.leads.map((entry: { leadId: string }) => entry.leadId);
    expect(await ids({ maxAgeHours: '24' })).toEqual(['p-new']);
    expect(await ids({ minAgeHours: '24' })).toEqual(['p-old']);
    expect(await ids({ grade, temperature, channel: 'website' })).toEqual(['p-old', 'p-new']);
    expect(await ids({ grade: grade === 'A' ? 'D' : 'A' })).toEqual([]);
    expect(await ids({ channel: 'trade-shows' })).toEqual([]);
    expect((await list({ temperature: 'tepid' })).json.issues).toEqual([expect.objectContaining({ path: 'temperature' })]);
    expect((await list({ minAgeHours: '3', maxAgeHours: '1' })).json.issues).toEqual([expect.objectContaining({ path: 'maxAgeHours' })]);
    // An empty age would be read as 0 (an always-empty list), and a sign, hex or exponent as a number nobody meant.
    for (const query of [{ maxAgeHours: '' }, { minAgeHours: '-0' }, { minAgeHours: '1e2' }, { limit: '0x10' }] as Record<string, string>[]) {
      const refused = await list(query);
      expect(refused.status, JSON.stringify(query)).toBe(400);
      expect(refused.json.issues, JSON.stringify(query)).toEqual([expect.objectContaining({ path: Object.keys(query)[0] })]);
    }
    expect((await list({ minAgeHours: '1.5' })).status).toBe(200);
    const tooOld = await list({ maxAgeHours: '1e12' });
    expect(tooOld.status).toBe(400);
    expect(tooOld.json.issues).toEqual([expect.objectContaining({ path: 'maxAgeHours' })]);
  });
});

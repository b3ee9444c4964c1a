import { describe, expect, it } from 'vitest';
import { createHandler as createGetRouting } from '../../../functions/get-routing/handler';
import { createHandler as createSetAvailability } from '../../../functions/set-rep-availability/handler';
import { createHandler as createListReps } from '../../../functions/list-reps/handler';
import { fakeDependencies } from '../../support/fakes';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';

const asRep = (id: string) => ({ sub: id, 'cognito:groups': '[rep]' });
const asManager = { sub: 'mgr-maya', 'cognito:groups': '[manager]' };
const asFinance = { sub: 'fin', 'cognito:groups': '[finance]' };

async function putAvailability(deps: ReturnType<typeof fakeDependencies>, repId: string, body: string, claims: Record<string, string> | undefined, contentType = 'application/json') {
  const event = httpEvent({ method: 'PUT', path: `/reps/${repId}/availability`, pathParameters: { repId }, headers: { 'content-type': contentType }, body, claims });
  const response = (await createSetAvailability(() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
  return { status: response.statusCode, json: JSON.parse(response.body) };
}

describe('GET /routing', () => {
  it('gives managers the table in order with each compiled pattern, and refuses reps and finance', async () => {
    const deps = fakeDependencies();
    const get = (claims?: Record<string, string>) => createGetRouting(() => deps)(httpEvent({ path: '/routing', claims }), lambdaContext) as Promise<{ statusCode: number; body: string }>;
    const response = await get(asManager);
    expect(response.statusCode).toBe(200);
    const { routes } = JSON.parse(response.body);
    expect(routes.map((route: { id: string }) => route.id)).toEqual(deps.config.routing.routes.map((route) => route.id));
    expect(routes[0]).toMatchObject({
      ruleName: 'lead-route-hot-canada-offer',
      strategy: 'offer',
      offer: { reps: ['rep-ava', 'rep-ben'], windowMinutes: 5, fallback: 'territory' },
      pattern: { 'detail-type': ['lead.scored'], detail: { temperature: ['hot'], country: ['CA'] } },
    });
    expect(routes[1]).toMatchObject({ ruleName: 'lead-route-hot-by-territory', strategy: 'territory', pattern: { 'detail-type': ['lead.scored'] } });
    expect((await get(asRep('rep-ava'))).statusCode).toBe(403);
    expect((await get(asFinance)).statusCode).toBe(403);
    expect((await get(undefined)).statusCode).toBe(401);
  });

  it('refuses a query parameter by name, as the routes that take some refuse unknown ones', async () => {
    const deps = fakeDependencies();
    const answer = (await createGetRouting(() => deps)(httpEvent({ path: '/routing', query: { x: '1' }, claims: asManager }), lambdaContext)) as { statusCode: number; body: string };
    expect({ status: answer.statusCode, issues: JSON.parse(answer.body).issues }).toEqual({ status: 400, issues: [{ path: 'x', message: 'is not a parameter of this request; it takes none' }] });
  });
});

describe('GET /reps', () => {
  const listReps = async (deps: ReturnType<typeof fakeDependencies>, claims?: Record<string, string>, query: Record<string, string> = {}) => {
    const response = (await createListReps(() => deps)(httpEvent({ path: '/reps', query, claims }), lambdaContext)) as { statusCode: number; body: string };
    return { status: response.statusCode, json: JSON.parse(response.body) };
  };

  it('gives managers every rep with what routing sees now, their open leads against their capacity and their cap in each pool', async () => {
    const deps = fakeDependencies(new Date('2026-03-02T12:00:00.000Z'));
    deps.store.openLeads.set('rep-ava', 3);
    expect((await putAvailability(deps, 'rep-ben', JSON.stringify({ outOfOffice: true, until: '2026-03-09T09:00:00Z' }), asRep('rep-ben'))).status).toBe(200);
    const { status, json } = await listReps(deps, asManager);
    expect(status).toBe(200);
    expect(json.asOf).toBe('2026-03-02T12:00:00.000Z');
    expect(json.reps.map((rep: { id: string }) => rep.id)).toEqual(deps.config.reps.map((rep) => rep.id));
    const byId = Object.fromEntries(json.reps.map((rep: { id: string }) => [rep.id, rep]));
    expect(byId['rep-ava']).toEqual({
      id: 'rep-ava',
      name: deps.config.reps[0].name,
      email: deps.config.reps[0].email,
      active: true,
      available: true,
      timeZone: 'America/Los_Angeles',
      openLeads: 3,
      capacity: 40,
      pools: [
        { poolId: 'americas-inbound', holdingCap: 40 },
        { poolId: 'key-accounts', holdingCap: 25 },
        { poolId: 'nurture', holdingCap: 30 },
      ],
    });
    expect(byId['rep-ben']).toMatchObject({
      available: false,
      unavailable: 'out of office until 2026-03-09T09:00:00.000Z',
      outOfOffice: { outOfOffice: true, until: '2026-03-09T09:00:00.000Z', setBy: 'rep-ben' },
      openLeads: 0,
    });
    expect(byId['rep-chloe']).toMatchObject({ available: true, workingHours: { start: '08:00', end: '19:00' } });
    expect(byId['mgr-maya']).toMatchObject({ active: false, available: false, unavailable: 'inactive' });

    // On Saturday the weekday reps are outside their hours; once Ben's absence is over, he is back and no longer shown away.
    deps.now = () => new Date('2026-03-14T12:00:00.000Z');
    const saturday = Object.fromEntries((await listReps(deps, asManager)).json.reps.map((rep: { id: string }) => [rep.id, rep]));
    expect(saturday['rep-chloe']).toMatchObject({ available: false, unavailable: expect.stringMatching(/^outside working hours/) });
    expect(saturday['rep-ben']).toMatchObject({ available: true });
    expect(saturday['rep-ben']).not.toHaveProperty('outOfOffice');
  });

  it('refuses reps, finance and a missing token, and names a query parameter', async () => {
    const deps = fakeDependencies();
    expect((await listReps(deps, asRep('rep-ava'))).status).toBe(403);
    expect((await listReps(deps, asFinance)).status).toBe(403);
    expect((await listReps(deps, undefined)).status).toBe(401);
    expect(await listReps(deps, { sub: 'root', 'cognito:groups': '[admin]' })).toMatchObject({ status: 200 });
    expect(await listReps(deps, asManager, { team: 'americas' })).toMatchObject({ status: 400, json: { issues: [{ path: 'team' }] } });
  });
});

describe('PUT /reps/{repId}/availability', () => {
  it('lets a rep mark themself out of office until a date, and a manager mark them back', async () => {
    const deps = fakeDependencies();
    const away = await putAvailability(deps, 'rep-ava', JSON.stringify({ outOfOffice: true, until: '2026-03-09T09:00:00+01:00' }), asRep('rep-ava'));
    expect(away).toEqual({ status: 200, json: { repId: 'rep-ava', outOfOffice: true, until: '2026-03-09T08:00:00.000Z', setBy: 'rep-ava', setAt: deps.now().toISOString() } });
    expect(deps.store.outOfOfficeRecords.get('rep-ava')).toMatchObject({ outOfOffice: true });
    expect((await putAvailability(deps, 'rep-ava', JSON.stringify({ outOfOffice: false }), asManager)).status).toBe(200);
    expect(deps.store.outOfOfficeRecords.get('rep-ava')).toMatchObject({ outOfOffice: false, setBy: 'mgr-maya' });
  });

  it('answers bad input and wrong roles with 4xx naming the problem, and writes nothing', async () => {
    const deps = fakeDependencies();
    const cases = [
      [await putAvailability(deps, 'rep-ava', JSON.stringify({ outOfOffice: true }), asRep('rep-ben')), 403],
      [await putAvailability(deps, 'rep-ava', JSON.stringify({ outOfOffice: true }), asFinance), 403],
      [await putAvailability(deps, 'rep-ava', JSON.stringify({ outOfOffice: true }), undefined), 401],
      [await putAvailability(deps, 'rep-ghost', JSON.stringify({ outOfOffice: true }), asManager), 404],
      [await putAvailability(deps, 'rep-ava', 'outOfOffice=true', asManager, 'application/x-www-form-urlencoded'), 415],
      [await putAvailability(deps, 'rep-ava', '{', asManager), 400],
    ] as const;
    expect(cases.map(([response]) => response.status)).toEqual(cases.map(([, status]) => status));
    const issues = async (body: unknown) => (await putAvailability(deps, 'rep-ava', JSON.stringify(body), asManager)).json.issues;
    expect(await issues({ outOfOffice: 'yes' })).toEqual([expect.objectContaining({ path: 'outOfOffice' })]);
    expect(await issues({ outOfOffice: true, until: 'next week' })).toEqual([expect.objectContaining({ path: 'until' })]);
    expect(await issues({ outOfOffice: true, until: '2020-01-01T00:00:00Z' })).toEqual([{ path: 'until', message: 'must be in the future' }]);
    // The offset carries it into the year 10000: stored, it would fail every read of the reps' state, and with it routing to their pools.
    expect(await issues({ outOfOffice: true, until: '9999-12-31T23:30:00-01:00' })).toEqual([{ path: 'until', message: 'must be an instant from the year 0000 to 9999' }]);
    expect(await issues({ outOfOffice: true, extra: 1 })).toEqual([expect.objectContaining({ path: 'extra' })]);
    // `until` ends an absence: with `outOfOffice: false` it would be dropped unsaid.
    expect(await issues({ outOfOffice: false, until: '2027-01-01T00:00:00Z' })).toEqual([{ path: 'until', message: 'is only for "outOfOffice": true; leave it out when the rep is back' }]);
    expect(deps.store.outOfOfficeRecords.size).toBe(0);
  });

  it('refuses JSON declared in a charset other than UTF-8 with a 415 naming it, and writes nothing', async () => {
    const deps = fakeDependencies();
    const body = JSON.stringify({ outOfOffice: true });
    for (const contentType of ['application/json; charset=utf-16', 'application/json;charset="ISO-8859-1"', 'application/json; charset=latin1']) {
      const answer = await putAvailability(deps, 'rep-ava', body, asManager, contentType);
      expect({ contentType, status: answer.status, error: answer.json.error }).toEqual({ contentType, status: 415, error: expect.stringMatching(/charset "(utf-16|ISO-8859-1|latin1)" is not read; send JSON as UTF-8/) });
    }
    expect(deps.store.outOfOfficeRecords.size).toBe(0);
    for (const contentType of ['application/json; charset=UTF-8', 'application/json; charset="utf-8"', 'application/json; charset=utf8']) {
      expect({ contentType, status: (await putAvailability(deps, 'rep-ava', body, asManager, contentType)).status }).toEqual({ contentType, status: 200 });
    }
  });
});

import { describe, expect, it } from 'vitest';
import { createHandler as createClaim } from '../../../functions/claim-lead/handler';
import { createHandler as createStatus } from '../../../functions/change-lead-status/handler';
import { createHandler as createConvert } from '../../../functions/convert-lead/handler';
import { createHandler as createCorrection } from '../../../functions/correct-lead-conversion/handler';
import { createHandler as createRecordSpend } from '../../../functions/record-spend/handler';
import { fakeDependencies } from '../../support/fakes';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { pooledLead } from '../../support/pooled-leads';

type Deps = ReturnType<typeof fakeDependencies>;
const ava = { sub: 'rep-ava', 'cognito:groups': '[rep]' };
const finance = { sub: 'fin-fiona', 'cognito:groups': '[finance]' };
const steps = { claim: createClaim, status: createStatus, convert: createConvert, 'conversion/corrections': createCorrection };

async function post(deps: Deps, step: keyof typeof steps, leadId: string, claims: Record<string, string>, body?: unknown) {
  const event = httpEvent({
    method: 'POST',
    path: `/leads/${leadId}/${step}`,
    pathParameters: { leadId },
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    claims,
  });
  const response = (await steps[step](() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
  return { status: response.statusCode, json: JSON.parse(response.body) };
}

/** What a refused request must leave untouched. */
const writes = (deps: Deps) => JSON.stringify({ leads: [...deps.store.leads], outbox: [...deps.store.outbox.keys()], open: [...deps.store.openLeads] });

/** A lead of the nurture pool Ava claimed and worked to `qualified`. */
async function qualifiedLead(deps: Deps, leadId: string) {
  await pooledLead(deps.store, deps.config, { leadId, poolId: 'nurture' });
  expect((await post(deps, 'claim', leadId, ava)).status).toBe(200);
  expect((await post(deps, 'status', leadId, ava, { status: 'contacted' })).status).toBe(200);
  expect((await post(deps, 'status', leadId, ava, { status: 'qualified', qualification: 'sql' })).status).toBe(200);
}

/** The configuration's rates: EUR from 2026-01-01 only; the reporting currency is USD, in New York. */
function dependencies(): Deps {
  const deps = fakeDependencies();
  deps.config.channelRoi.exchangeRates = [{ currency: 'EUR', from: '2026-01-01', rate: 1.1 }];
  return deps;
}

describe('a sale ROI could not value is refused as spend in that currency is', () => {
  it('POST /spend refuses GBP, naming rows[0].currency (the check conversions share)', async () => {
    const deps = dependencies();
    const event = httpEvent({
      method: 'POST',
      path: '/spend',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rows: [{ date: '2026-03-01', channel: 'meta-ads', amount: '5', currency: 'GBP' }] }),
      claims: finance,
    });
    const response = (await createRecordSpend(() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).issues).toEqual([{ path: 'rows[0].currency', message: 'GBP is not the reporting currency USD and no exchange rate for it is configured on 2026-03-01 (channelRoi.exchangeRates)' }]);
  });

  it('POST /leads/{id}/convert refuses a currency without a rate on the day won, naming currency, and writes nothing', async () => {
    const deps = dependencies();
    await qualifiedLead(deps, 'c-1');
    const before = writes(deps);
    const gbp = await post(deps, 'convert', 'c-1', ava, { revenue: 100, currency: 'GBP', wonAt: '2026-03-02T10:00:00.000Z' });
    expect(gbp.status).toBe(400);
    expect(gbp.json.issues).toEqual([{ path: 'currency', message: 'GBP is not the reporting currency USD and no exchange rate for it is configured on 2026-03-02 (channelRoi.exchangeRates)' }]);
    // 03:00 UTC on New Year's Day is still 2025-12-31 in New York, the day ROI values the sale on: before the EUR rate starts.
    const early = await post(deps, 'convert', 'c-1', ava, { revenue: 100, currency: 'EUR', wonAt: '2026-01-01T03:00:00.000Z' });
    expect(early.status).toBe(400);
    expect(early.json.issues).toEqual([{ path: 'currency', message: expect.stringContaining('configured on 2025-12-31') }]);
    expect(writes(deps)).toBe(before);
    expect((await post(deps, 'convert', 'c-1', ava, { revenue: 100, currency: 'EUR', wonAt: '2026-01-01T06:00:00.000Z' })).json).toMatchObject({ status: 'converted', conversion: { currency: 'EUR' } });
  });

  it('a conversion correction refuses such a currency, on the conversion’s day when wonAt is left out, and writes nothing', async () => {
    const deps = dependencies();
    await qualifiedLead(deps, 'c-2');
    expect((await post(deps, 'convert', 'c-2', ava, { revenue: 100, currency: 'USD', wonAt: '2025-12-20T15:00:00.000Z' })).status).toBe(200);
    const before = writes(deps);
    const gbp = await post(deps, 'conversion/corrections', 'c-2', finance, { revenue: 90, currency: 'GBP', reason: 'billed in pounds' });
    expect(gbp.status).toBe(400);
    expect(gbp.json.issues).toEqual([{ path: 'currency', message: expect.stringContaining('GBP is not the reporting currency USD') }]);
    // EUR has a rate from 2026-01-01, not on the conversion's 2025-12-20.
    const eurThen = await post(deps, 'conversion/corrections', 'c-2', finance, { revenue: 90, currency: 'EUR', reason: 'billed in euros' });
    expect(eurThen.status).toBe(400);
    expect(eurThen.json.issues).toEqual([{ path: 'currency', message: expect.stringContaining('configured on 2025-12-20') }]);
    expect(writes(deps)).toBe(before);
    const eurLater = await post(deps, 'conversion/corrections', 'c-2', finance, { revenue: 90, currency: 'EUR', wonAt: '2026-02-01T15:00:00.000Z', reason: 'billed in euros' });
    expect(eurLater).toMatchObject({ status: 200, json: { conversion: { revenue: 90, currency: 'EUR', wonAt: '2026-02-01T15:00:00.000Z' } } });
  });

  it('refuses another rep 403 before the currency is looked at, so the answer tells nothing of their sale (not even its day)', async () => {
    const deps = dependencies();
    await qualifiedLead(deps, 'c-3');
    const ben = { sub: 'rep-ben', 'cognito:groups': '[rep]' };
    // Before Ava converts it: Ben's convert in a currency without a rate is refused for what it is, another rep's lead.
    expect(await post(deps, 'convert', 'c-3', ben, { revenue: 100, currency: 'GBP', wonAt: '2026-03-02T10:00:00.000Z' })).toMatchObject({ status: 403, json: { rule: 'not_owner' } });
    expect((await post(deps, 'convert', 'c-3', ava, { revenue: 100, currency: 'USD', wonAt: '2025-12-20T15:00:00.000Z' })).status).toBe(200);
    const before = writes(deps);
    // Without wonAt the correction is valued on the conversion's day, which a 400 would name to Ben.
    const probe = await post(deps, 'conversion/corrections', 'c-3', ben, { revenue: 1, currency: 'GBP', reason: 'probe' });
    expect(probe).toMatchObject({ status: 403, json: { rule: 'not_owner' } });
    expect(JSON.stringify(probe.json)).not.toContain('2025-12-20');
    expect(writes(deps)).toBe(before);
  });
});

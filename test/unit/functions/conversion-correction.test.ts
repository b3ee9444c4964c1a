import { describe, expect, it } from 'vitest';
import { createHandler as createClaim } from '../../../functions/claim-lead/handler';
import { createHandler as createStatus } from '../../../functions/change-lead-status/handler';
import { createHandler as createConvert } from '../../../functions/convert-lead/handler';
import { createHandler as createCorrection } from '../../../functions/correct-lead-conversion/handler';
import { createHandler as createTrack } from '../../../functions/track-channel-roi/handler';
import { fakeDependencies } from '../../support/fakes';
import { busEvent, httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { pooledLead } from '../../support/pooled-leads';

type Deps = ReturnType<typeof fakeDependencies>;
type Claims = Record<string, string> | undefined;
const asRep = (id: string) => ({ sub: id, 'cognito:groups': '[rep]' });
const asManager = { sub: 'mgr-maya', 'cognito:groups': '[manager]' };
const asAdmin = { sub: 'adm-ines', 'cognito:groups': '[admin]' };
const asFinance = { sub: 'fin-fiona', 'cognito:groups': '[finance]' };

const wonAt = '2026-03-02T10:00:00.000Z';
const steps = { claim: createClaim, status: createStatus, convert: createConvert, 'conversion/corrections': createCorrection };

async function post(deps: Deps, step: keyof typeof steps, leadId: string, claims: Claims, body?: unknown, contentType = 'application/json') {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const event = httpEvent({ method: 'POST', path: `/leads/${leadId}/${step}`, pathParameters: { leadId }, headers: text === undefined ? {} : { 'content-type': contentType }, body: text, claims });
  const response = (await steps[step](() => deps)(event, lambdaContext)) as { statusCode: number; body: string; headers: Record<string, string> };
  return { status: response.statusCode, json: JSON.parse(response.body), headers: response.headers };
}

const correct = (deps: Deps, leadId: string, claims: Claims, body?: unknown, contentType?: string) => post(deps, 'conversion/corrections', leadId, claims, body, contentType);

/** What a refused request must leave untouched. */
const writes = (deps: Deps) => JSON.stringify({ leads: [...deps.store.leads], outbox: [...deps.store.outbox.keys()], open: [...deps.store.openLeads] });
const events = (deps: Deps, type: string) => [...deps.store.outbox.values()].filter((event) => event.detailType === type).map((event) => event.detail);

/** A lead of the nurture pool Ava claimed and worked to `qualified`. */
async function qualifiedLead(deps: Deps, leadId: string) {
  await pooledLead(deps.store, deps.config, { leadId, poolId: 'nurture' });
  expect((await post(deps, 'claim', leadId, asRep('rep-ava'))).status).toBe(200);
  expect((await post(deps, 'status', leadId, asRep('rep-ava'), { status: 'contacted' })).status).toBe(200);
  expect((await post(deps, 'status', leadId, asRep('rep-ava'), { status: 'qualified', qualification: 'sql' })).status).toBe(200);
}

/** A lead Ava converted for 4800 USD (deal CRM-42). */
async function convertedLead(deps: Deps, leadId: string) {
  await qualifiedLead(deps, leadId);
  expect((await post(deps, 'convert', leadId, asRep('rep-ava'), { revenue: 4800, currency: 'USD', wonAt, dealId: 'CRM-42' })).status).toBe(200);
}

describe('POST /leads/{leadId}/conversion/corrections', () => {
  it('corrects the revenue, keeps who converted it, and puts old, new and why on the timeline and the bus', async () => {
    const deps = fakeDependencies();
    await convertedLead(deps, 'k-1');
    const corrected = await correct(deps, 'k-1', asManager, { revenue: 4300, currency: 'USD', reason: 'partial refund' });
    expect(corrected).toMatchObject({
      status: 200,
      headers: { 'cache-control': 'no-store' },
      json: { leadId: 'k-1', status: 'converted', contact: { email: 'k-1@example.com' }, conversion: { revenue: 4300, currency: 'USD', wonAt, dealId: 'CRM-42', by: 'rep-ava', correctedBy: 'mgr-maya' } },
    });
    expect(corrected.json.history.at(-1)).toMatchObject({
      action: 'conversion_corrected',
      by: 'mgr-maya',
      detail: `corrected from 4800 USD won on ${wonAt} to 4300 USD won on ${wonAt} (deal CRM-42): partial refund`,
    });
    expect(events(deps, 'lead.conversion_corrected')).toEqual([
      {
        eventId: expect.any(String),
        leadId: 'k-1',
        poolId: expect.any(String),
        channel: expect.any(String),
        capturedAt: expect.any(String),
        ownerId: 'rep-ava',
        by: 'mgr-maya',
        previous: { revenue: 4800, currency: 'USD', wonAt, dealId: 'CRM-42' },
        conversion: { revenue: 4300, currency: 'USD', wonAt, dealId: 'CRM-42' },
        reason: 'partial refund',
        correctedAt: deps.now().toISOString(),
      },
    ]);
  });

  it("is for finance, managers, admins and the lead's owner; finance is answered without the person", async () => {
    const deps = fakeDependencies();
    await convertedLead(deps, 'k-2');
    const before = writes(deps);
    expect(await correct(deps, 'k-2', asRep('rep-ben'), { revenue: 1, currency: 'USD', reason: 'typo' })).toMatchObject({ status: 403, json: { rule: 'not_owner' } });
    expect((await correct(deps, 'k-2', undefined, { revenue: 1, currency: 'USD', reason: 'typo' })).status).toBe(401);
    expect(writes(deps)).toBe(before);
    const byFinance = await correct(deps, 'k-2', asFinance, { revenue: 0, currency: 'USD', reason: 'refunded in full' });
    expect(byFinance).toMatchObject({ status: 200, headers: { 'cache-control': 'no-store' } });
    expect(byFinance.json).toEqual({
      leadId: 'k-2',
      status: 'converted',
      channel: 'website',
      capturedAt: '2026-03-02T10:00:00.000Z',
      conversion: { revenue: 0, currency: 'USD', wonAt, dealId: 'CRM-42', by: 'rep-ava', correctedBy: 'fin-fiona', correctedAt: deps.now().toISOString() },
    });
    for (const [claims, revenue] of [
      [asRep('rep-ava'), 1],
      [asAdmin, 2],
    ] as const) {
      expect(await correct(deps, 'k-2', claims, { revenue, currency: 'USD', reason: 'typo' })).toMatchObject({ status: 200, json: { conversion: { revenue } } });
    }
    expect(events(deps, 'lead.conversion_corrected').map((detail) => [detail.by, (detail.conversion as { revenue: number }).revenue])).toEqual([
      ['fin-fiona', 0],
      ['rep-ava', 1],
      ['adm-ines', 2],
    ]);
  });

  it('answers a correction the conversion already holds with the lead, writing nothing', async () => {
    const deps = fakeDependencies();
    await convertedLead(deps, 'k-3');
    expect((await correct(deps, 'k-3', asFinance, { revenue: 4300, currency: 'USD', reason: 'partial refund' })).status).toBe(200);
    const before = writes(deps);
    const retried = await correct(deps, 'k-3', asFinance, { revenue: 4300, currency: 'USD', wonAt, dealId: 'CRM-42', reason: 'partial refund' });
    expect(retried).toMatchObject({ status: 200, json: { leadId: 'k-3', conversion: { revenue: 4300, correctedBy: 'fin-fiona' } } });
    expect(writes(deps)).toBe(before);
    expect(events(deps, 'lead.conversion_corrected')).toHaveLength(1);
  });

  it('answers a lead that is not converted, an unknown lead and bad bodies with 4xx naming the state or field, writing nothing', async () => {
    const deps = fakeDependencies();
    await qualifiedLead(deps, 'k-4');
    await convertedLead(deps, 'k-5');
    const good = { revenue: 1, currency: 'USD', reason: 'typo' };
    const before = writes(deps);
    expect(await correct(deps, 'k-4', asFinance, good)).toEqual({
      status: 409,
      headers: expect.anything(),
      json: { rule: 'illegal_transition', error: 'lead k-4 is qualified; a conversion correction is allowed only from converted' },
    });
    expect(await correct(deps, 'nope', asFinance, good)).toMatchObject({ status: 404, json: { error: 'Lead "nope" does not exist' } });
    expect((await correct(deps, 'k-5', asFinance, 'revenue=1', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await correct(deps, 'k-5', asFinance, '{')).json.issues).toEqual([expect.objectContaining({ path: '(body)' })]);
    for (const [body, field] of [
      [{ ...good, revenue: 12.345 }, 'revenue'],
      [{ ...good, revenue: -1 }, 'revenue'],
      [{ ...good, currency: 'dollars' }, 'currency'],
      [{ ...good, wonAt: '2030-01-01T00:00:00Z' }, 'wonAt'],
      [{ ...good, dealId: '' }, 'dealId'],
      [{ revenue: 1, currency: 'USD' }, 'reason'],
      [{ ...good, reason: ' ' }, 'reason'],
      [{ ...good, extra: true }, 'extra'],
    ] as const) {
      expect(await correct(deps, 'k-5', asFinance, body), field).toMatchObject({ status: 400, json: { issues: [expect.objectContaining({ path: field })] } });
    }
    expect(writes(deps)).toBe(before);
  });

  it('is a 409 lead_changed when another correction is written between its read and its write, writing nothing of its own', async () => {
    const deps = fakeDependencies();
    await convertedLead(deps, 'k-6');
    const apply = deps.store.applyTransition.bind(deps.store);
    let raced = false;
    deps.store.applyTransition = async (transition) => {
      if (!raced) {
        raced = true;
        await correct(deps, 'k-6', asManager, { revenue: 4000, currency: 'USD', reason: 'discount agreed' });
      }
      return apply(transition);
    };
    expect(await correct(deps, 'k-6', asFinance, { revenue: 4300, currency: 'USD', reason: 'partial refund' })).toMatchObject({
      status: 409,
      // Finance does not see who works a lead, here either.
      json: { rule: 'lead_changed', error: 'lead k-6 changed while it was being corrected: it is now converted; read it and try again' },
    });
    expect(deps.store.leads.get('k-6')?.conversion).toMatchObject({ revenue: 4000, correctedBy: 'mgr-maya' });
    expect(events(deps, 'lead.conversion_corrected')).toHaveLength(1);
  });
});

describe('track-channel-roi on a corrected conversion', () => {
  it("rewrites the lead's facts with the corrected revenue and marks its capture day for restatement", async () => {
    const deps = fakeDependencies();
    await convertedLead(deps, 'k-7');
    const track = (type: string) => createTrack(() => deps)(busEvent(type, events(deps, type)[0]), lambdaContext);
    await track('lead.converted');
    expect(deps.roi.facts.get('k-7')).toMatchObject({ day: '2026-03-02', converted: true, revenueCents: 480_000 });
    deps.roi.changed.clear();
    expect((await correct(deps, 'k-7', asFinance, { revenue: 4300.5, currency: 'USD', reason: 'partial refund' })).status).toBe(200);
    await track('lead.conversion_corrected');
    expect(deps.roi.facts.get('k-7')).toMatchObject({ day: '2026-03-02', converted: true, revenueCents: 430_050 });
    expect(deps.roi.changed.get('2026-03-02')).toBe(deps.now().toISOString());
  });
});

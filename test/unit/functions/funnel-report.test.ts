import { describe, expect, it } from 'vitest';
import { parseCsvRecords, rollUpDay, roiFactsOfLead } from '@leadflow/domain';
import { createHandler as createFunnel } from '../../../functions/get-funnel-report/handler';
import { createHandler as createPage } from '../../../functions/get-channel-roi-page/handler';
import { fakeDependencies } from '../../support/fakes';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { fixtureDay, fixtureExchangeRates, fixtureLeadRecords } from '../../fixtures/channel-roi/hand-computed';

type Deps = ReturnType<typeof fakeDependencies>;
const as = (role: string) => ({ sub: `${role}-1`, 'cognito:groups': `[${role}]` });

/** The channel-ROI fixture's day rolled up as version 1 (no spend: the funnel does not read it). */
async function rolledUpFixture(): Promise<Deps> {
  const deps = fakeDependencies(new Date('2026-03-11T04:30:00.000Z'));
  const reporting = { timeZone: 'America/New_York', currency: 'USD', channelRoi: { exchangeRates: fixtureExchangeRates } };
  const facts = fixtureLeadRecords.map(({ lead, slaBreached }) => ({ ...roiFactsOfLead(lead, reporting), slaBreached }));
  await deps.roi.addVersion({
    day: fixtureDay,
    version: 1,
    rolledUpAt: '2026-03-11T04:30:00.000Z',
    rows: rollUpDay(
      facts.filter((fact) => fact.day === fixtureDay),
      [],
    ),
  });
  return deps;
}

function getFunnel(deps: Deps, query: Record<string, string>, options: { claims?: Record<string, string>; headers?: Record<string, string> } = {}) {
  const event = httpEvent({ path: '/reports/funnel', claims: options.claims ?? as('finance'), headers: options.headers });
  event.queryStringParameters = query;
  return createFunnel(() => deps)(event, lambdaContext) as Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;
}

describe('GET /reports/funnel', () => {
  it('serves JSON by default and CSV with format=csv or Accept: text/csv, the same figures in each', async () => {
    const deps = await rolledUpFixture();
    const query = { from: fixtureDay, to: fixtureDay };
    const json = await getFunnel(deps, query, { claims: as('manager') });
    expect(json.statusCode).toBe(200);
    const report = JSON.parse(json.body) as { groupBy: string; rows: Array<Record<string, unknown>>; total: Record<string, unknown> };
    expect(report.groupBy).toBe('channel');
    // google-ads (first touch): l5 and l8 (l6 is quarantined) — captured 2, valid 2, contacted 2, qualified 1 (l5), converted 1.
    // l5: captured 03:30Z, first contact 04:00Z (1800 s), its `qualified` entry at capture (before the contact: 0 s), won
    // 03-20 18:00Z, 9 d 14.5 h after qualifying = 9.604 d. l8: first contact 600 s after capture.
    // Medians: valid 0, 0 → 0.00; contact 600 s, 1800 s → 1200 s = 0.0139 d → 0.01; qualify 0 → 0.00; convert 9.60.
    expect(report.rows.find((row) => row.channel === 'google-ads')).toEqual({
      date: fixtureDay,
      attribution: 'first',
      channel: 'google-ads',
      version: 1,
      captured: 2,
      valid: 2,
      contacted: 2,
      qualified: 1,
      converted: 1,
      captured_to_valid_rate: 1,
      valid_to_contacted_rate: 1,
      contacted_to_qualified_rate: 0.5,
      qualified_to_converted_rate: 1,
      median_days_captured_to_valid: 0,
      median_days_valid_to_contacted: 0.01,
      median_days_contacted_to_qualified: 0,
      median_days_qualified_to_converted: 9.6,
    });
    // All channels: captured 2 + 3 + 1 = 6 (meta-ads l1–l3, website l7), valid 5 (l3 invalid).
    expect(report.total).toMatchObject({ captured: 6, valid: 5, contacted: 4, qualified: 3, converted: 2 });

    const byFormat = await getFunnel(deps, { ...query, format: 'csv' });
    const byAccept = await getFunnel(deps, query, { headers: { accept: 'text/csv' } });
    expect(byFormat.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(byAccept.body).toBe(byFormat.body);
    // A range with q=0 refuses its type (RFC 9110): CSV refused, or merely preferred less than JSON, is answered as JSON.
    for (const accept of ['text/csv;q=0, application/json', 'text/csv;q=0', 'text/csv;q=0.5, application/json', 'text/csv, application/json']) {
      expect((await getFunnel(deps, query, { headers: { accept } })).headers['content-type'], accept).toBe('application/json; charset=utf-8');
    }
    expect((await getFunnel(deps, query, { headers: { Accept: 'application/json;q=0.5, text/csv' } })).body).toBe(byFormat.body);
    const [header, ...rows] = parseCsvRecords(byFormat.body)
      .records.map((record) => record.values)
      .filter((values) => values.length > 1);
    const textColumns = new Set(['date', 'attribution', 'channel', 'campaign']);
    const csvRows = rows.map((values) => Object.fromEntries(values.map((value, index) => [header[index], textColumns.has(header[index]) ? value : value === '' ? null : Number(value)])));
    expect(csvRows).toEqual(report.rows);
  });

  it('answers 403 to reps and 400 naming a bad parameter', async () => {
    const deps = await rolledUpFixture();
    expect((await getFunnel(deps, { from: fixtureDay, to: fixtureDay }, { claims: as('rep') })).statusCode).toBe(403);
    const bad = await getFunnel(deps, { from: fixtureDay, to: '2026-3-11', groupBy: 'week' });
    expect(bad.statusCode).toBe(400);
    expect((JSON.parse(bad.body) as { issues: Array<{ path: string }> }).issues.map((issue) => issue.path).sort()).toEqual(['groupBy', 'to']);
    const unknown = await getFunnel(deps, { from: fixtureDay, to: fixtureDay, sinceVersion: '1' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('sinceVersion');
    // A `from` that is no day is its one issue: no range is checked against it.
    const digits = await getFunnel(deps, { from: '20261120', to: fixtureDay });
    expect(JSON.parse(digits.body).issues).toEqual([{ path: 'from', message: 'must be a date written YYYY-MM-DD' }]);
  });
});

describe('the report page’s funnel chart', () => {
  it('draws a bar per stage with the range’s counts, rates and medians, and none on a “since version” page', async () => {
    const deps = await rolledUpFixture();
    const page = async (query: Record<string, string>) => {
      const event = httpEvent({ path: '/reports/channel-roi.html', claims: as('finance') });
      event.queryStringParameters = query;
      return ((await createPage(() => deps)(event, lambdaContext)) as { body: string }).body;
    };
    const html = await page({ from: fixtureDay, to: fixtureDay });
    expect([...html.matchAll(/data-stage="(\w+)" data-count="(\d+)"/g)].map((match) => [match[1], Number(match[2])])).toEqual([
      ['captured', 6],
      ['valid', 5],
      ['contacted', 4],
      ['qualified', 3],
      ['converted', 2],
    ]);
    // Valid → contacted 4/5 = 0.8000, shown as 80.0%.
    expect(html).toContain('data-stage="contacted" data-count="4" data-rate="0.8000"');
    expect(html).toContain('80.0% of valid');
    expect(await page({ from: fixtureDay, to: fixtureDay, sinceVersion: '1' })).not.toContain('data-stage=');
  });
});

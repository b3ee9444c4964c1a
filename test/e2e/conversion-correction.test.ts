import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '@leadflow/local-runtime';
import { localDay } from '@leadflow/domain';
import { demoConfiguration } from '../support/demo-configuration';
import { callWithToken, eventually, startTestRuntime, tokenFor } from '../support/local-runtime';

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startTestRuntime();
}, 180_000);
afterAll(() => runtime?.stop());

const call = (method: 'GET' | 'POST', path: string, token: string, body?: unknown) => callWithToken(runtime, method, path, token, body);

describe('a converted lead whose revenue finance corrects, through the local runtime', () => {
  it('restates the channel ROI of its capture day with the corrected revenue', { timeout: 180_000 }, async () => {
    // A demo request from a free-mail address scores cold, and the demo routing leaves cold leads in the nurture pool.
    const submitted = await fetch(`${runtime.url}/forms/demo/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Rita Refund', email: 'rita.refund@gmail.com' }),
    });
    expect(submitted.status).toBe(202);
    const { leadId } = (await submitted.json()) as { leadId: string };
    await eventually(async () => ((await (await fetch(`${runtime.url}/_local/events`)).json()) as any[]).find((event) => event.detailType === 'lead.pooled' && event.detail.leadId === leadId));

    const ava = await tokenFor('rep-ava', 'rep');
    const finance = await tokenFor('fin-fiona', 'finance');
    expect((await call('POST', `/leads/${leadId}/claim`, ava)).status).toBe(200);
    expect((await call('POST', `/leads/${leadId}/status`, ava, { status: 'contacted' })).status).toBe(200);
    expect((await call('POST', `/leads/${leadId}/status`, ava, { status: 'qualified', qualification: 'sql' })).status).toBe(200);
    const wonAt = new Date().toISOString();
    expect((await call('POST', `/leads/${leadId}/convert`, ava, { revenue: 5000, currency: 'USD', wonAt, dealId: 'CRM-7' })).status).toBe(200);
    await runtime.settle();

    // The nightly run a day from now closes today on the organisation's clock; run again, it restates what changed since.
    const day = localDay(new Date(), demoConfiguration().organisation.timeZone);
    const rollUp = async () =>
      expect((await fetch(`${runtime.url}/_local/schedules/roll-up-channel-roi/run`, { method: 'POST', body: JSON.stringify({ now: new Date(Date.now() + 24 * 3600_000).toISOString() }) })).status).toBe(200);
    const report = async () =>
      (await call('GET', `/reports/channel-roi?from=${day}&to=${day}&groupBy=channel&format=json`, finance)).json.rows.map((row: Record<string, unknown>) => [row.channel, row.version, row.converted, row.revenue]);
    await rollUp();
    expect(await report()).toEqual([['website', 1, 1, 5000]]);

    const corrected = await call('POST', `/leads/${leadId}/conversion/corrections`, finance, { revenue: 4200.5, currency: 'USD', reason: 'partial refund: two seats returned' });
    expect(corrected).toEqual({
      status: 200,
      json: {
        leadId,
        status: 'converted',
        channel: 'website',
        capturedAt: expect.any(String),
        conversion: { revenue: 4200.5, currency: 'USD', wonAt, dealId: 'CRM-7', by: 'rep-ava', correctedBy: 'fin-fiona', correctedAt: expect.any(String) },
      },
    });
    // A client's retry after a timeout: answered, and written once.
    expect((await call('POST', `/leads/${leadId}/conversion/corrections`, finance, { revenue: 4200.5, currency: 'USD', reason: 'partial refund: two seats returned' })).status).toBe(200);
    expect(await call('POST', `/leads/${leadId}/conversion/corrections`, await tokenFor('rep-ben', 'rep'), { revenue: 1, currency: 'USD', reason: 'mine now' })).toMatchObject({ status: 403 });
    await runtime.settle();

    const manager = await tokenFor('mgr-maya', 'manager');
    const timeline = (await call('GET', `/leads/${leadId}`, manager)).json.history.map((entry: { action: string; by: string; detail?: string }) => [entry.action, entry.by, entry.detail]);
    expect(timeline.slice(-2)).toEqual([
      ['converted', 'rep-ava', `won 5000 USD on ${wonAt} (deal CRM-7)`],
      ['conversion_corrected', 'fin-fiona', `corrected from 5000 USD won on ${wonAt} to 4200.5 USD won on ${wonAt} (deal CRM-7): partial refund: two seats returned`],
    ]);
    const onBus = ((await (await fetch(`${runtime.url}/_local/events`)).json()) as any[]).filter((event) => event.detailType === 'lead.conversion_corrected' && event.detail.leadId === leadId);
    expect(onBus.map((event) => event.detail)).toEqual([
      expect.objectContaining({ previous: { revenue: 5000, currency: 'USD', wonAt, dealId: 'CRM-7' }, conversion: { revenue: 4200.5, currency: 'USD', wonAt, dealId: 'CRM-7' }, by: 'fin-fiona', channel: 'website' }),
    ]);

    await rollUp();
    expect(await report()).toEqual([['website', 2, 1, 4200.5]]);
  });
});

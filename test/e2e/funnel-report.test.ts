import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { LocalRuntime } from '@leadflow/local-runtime';
import { addDays, localDay, parseCsvRecords } from '@leadflow/domain';
import { demoConfiguration } from '../support/demo-configuration';
import { launchChromium } from '../support/chromium';
import { callWithToken, eventually, startTestRuntime, tokenFor } from '../support/local-runtime';

let runtime: LocalRuntime;
let browser: Browser;

beforeAll(async () => {
  [runtime, browser] = await Promise.all([startTestRuntime(), launchChromium()]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

async function call(method: 'GET' | 'POST', path: string, token: string, body?: unknown) {
  const { status, json } = await callWithToken(runtime, method, path, token, body);
  expect(status).toBe(200);
  return json as Record<string, unknown>;
}

/** A cold demo request (free mail), waiting in the nurture pool. */
async function capture(name: string): Promise<string> {
  const email = `${name.toLowerCase()}.funnel@gmail.com`;
  const submitted = await fetch(`${runtime.url}/forms/demo/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, email }) });
  expect(submitted.status).toBe(202);
  const { leadId } = (await submitted.json()) as { leadId: string };
  await eventually(async () => ((await (await fetch(`${runtime.url}/_local/events`)).json()) as any[]).find((event) => event.detailType === 'lead.pooled' && event.detail.leadId === leadId));
  return leadId;
}

describe('the funnel through the local runtime', () => {
  it('counts leads worked through the real endpoints, and the JSON, CSV, filed CSV and chart agree with the rollup', { timeout: 180_000 }, async () => {
    const ava = await tokenFor('rep-ava', 'rep');
    const won = await capture('Wendy');
    const called = await capture('Carl');
    await capture('Pia');
    for (const leadId of [won, called]) {
      await call('POST', `/leads/${leadId}/claim`, ava);
      await call('POST', `/leads/${leadId}/activities`, ava, { kind: 'call', outcome: 'reached' });
      await call('POST', `/leads/${leadId}/status`, ava, { status: 'contacted' });
    }
    await call('POST', `/leads/${won}/status`, ava, { status: 'qualified', qualification: 'sql' });
    await call('POST', `/leads/${won}/convert`, ava, { revenue: 800, currency: 'USD', wonAt: new Date().toISOString() });
    await runtime.settle();

    // The nightly run on the next day closes today on the organisation's clock (New York): noon UTC of the next day is its morning there, whatever today's length.
    const day = localDay(new Date(), demoConfiguration().organisation.timeZone);
    const run = await fetch(`${runtime.url}/_local/schedules/roll-up-channel-roi/run`, { method: 'POST', body: JSON.stringify({ now: `${addDays(day, 1)}T12:00:00.000Z` }) });
    expect(run.status).toBe(200);

    const finance = await tokenFor('fin-fiona', 'finance');
    const query = `from=${day}&to=${day}&groupBy=channel`;
    const roi = (await call('GET', `/reports/channel-roi?${query}&format=json`, finance)) as { rows: Array<Record<string, number | string>> };
    const funnel = (await call('GET', `/reports/funnel?${query}`, finance)) as { rows: Array<Record<string, number | string | null>>; total: Record<string, number | null> };
    // Three website leads: all valid, two contacted, one qualified and converted.
    expect(funnel.rows).toEqual([
      expect.objectContaining({ date: day, channel: 'website', version: 1, captured: 3, valid: 3, contacted: 2, qualified: 1, converted: 1, valid_to_contacted_rate: 0.6667, contacted_to_qualified_rate: 0.5 }),
    ]);
    expect(funnel.rows.map((row) => [row.channel, row.captured, row.valid, row.contacted, row.qualified, row.converted])).toEqual(
      roi.rows.map((row) => [row.channel, row.leads, row.valid, row.contacted, row.qualified, row.converted]),
    );
    expect(funnel.rows[0].median_days_valid_to_contacted).toEqual(expect.any(Number));

    const csvResponse = await fetch(`${runtime.url}/reports/funnel?${query}`, { headers: { authorization: `Bearer ${finance}`, accept: 'text/csv' } });
    expect(csvResponse.headers.get('content-type')).toContain('text/csv');
    const [header, ...rows] = parseCsvRecords(await csvResponse.text())
      .records.map((record) => record.values)
      .filter((values) => values.length > 1);
    const textColumns = new Set(['date', 'attribution', 'channel', 'campaign']);
    expect(rows.map((values) => Object.fromEntries(values.map((value, index) => [header[index], textColumns.has(header[index]) ? value : value === '' ? null : Number(value)])))).toEqual(funnel.rows);
    // The rollup filed the day's funnel beside its version: the same counts on its (campaign) rows.
    expect(readFileSync(join(runtime.reportsDir, `funnel/date=${day}/v1.csv`), 'utf8')).toContain(`${day},first,website,,1,3,3,2,1,1,`);

    const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${finance}` } });
    try {
      const page = await context.newPage();
      expect((await page.goto(`${runtime.url}/reports/channel-roi.html?${query}`))?.status()).toBe(200);
      const bars = await page.$$eval('svg g[data-stage]', (groups) =>
        groups.map((group) => [group.getAttribute('data-stage'), Number(group.querySelector('text.count')?.textContent), Number(group.querySelector('rect')?.getBoundingClientRect().width)]),
      );
      expect(bars.map(([stage, count]) => [stage, count])).toEqual(['captured', 'valid', 'contacted', 'qualified', 'converted'].map((stage) => [stage, funnel.total[stage]]));
      // Each bar is drawn in proportion to its count: contacted is two thirds of captured.
      const width = new Map(bars.map(([stage, , drawn]) => [stage, drawn as number]));
      expect((width.get('contacted') ?? 0) / (width.get('captured') ?? 1)).toBeCloseTo(2 / 3, 2);
    } finally {
      await context.close();
    }
  });
});

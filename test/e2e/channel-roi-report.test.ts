import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { localClientSettings, type LocalRuntime } from '@leadflow/local-runtime';
import { createDynamoDbClient, createEventBridgeClient, documentClientOf, leadsTableKeys } from '@leadflow/platform';
import { tables } from '@leadflow/manifest';
import { parseCsvRecords } from '@leadflow/domain';
import { launchChromium } from '../support/chromium';
import { startTestRuntime, tokenFor } from '../support/local-runtime';
import { expectedFirstTouchCampaignCsv, fixtureLeadRecords, fixtureSpendCsv, formulaCampaign } from '../fixtures/channel-roi/hand-computed';

const rootDir = new URL('../..', import.meta.url).pathname;

let runtime: LocalRuntime;
let browser: Browser;
let financeToken: string;

beforeAll(async () => {
  [runtime, browser] = await Promise.all([startTestRuntime(), launchChromium()]);
  financeToken = await tokenFor('fin-fiona', 'finance');
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

/** The fixture's leads as the lifecycle endpoints would leave them, announced on the local bus as captured (and breached). */
async function storeFixtureLeads(): Promise<void> {
  const raw = createDynamoDbClient(localClientSettings({ dynamodb: runtime.endpoints.dynamodb }));
  const bus = createEventBridgeClient(localClientSettings({ eventbridge: runtime.endpoints.eventbridge }));
  try {
    const documents = documentClientOf(raw);
    for (const { lead, slaBreached } of fixtureLeadRecords) {
      await documents.send(new PutCommand({ TableName: tables.leads.name, Item: { ...leadsTableKeys.lead(lead.leadId), entity: 'lead', ...lead } }));
      const facts = { eventId: `${lead.leadId}-x`, leadId: lead.leadId, poolId: lead.poolId, channel: lead.channel, capturedAt: lead.capturedAt };
      const entries = [{ DetailType: 'lead.captured', Detail: { ...facts, status: 'new', isTest: lead.isTest, sourceKind: lead.source.kind } }];
      if (slaBreached) entries.push({ DetailType: 'lead.sla_breached', Detail: { ...facts, by: 'system', sla: 'first_contact', dueAt: lead.capturedAt, breach: 1, breachedAt: lead.capturedAt } as never });
      for (const entry of entries) {
        const put = await bus.send(new PutEventsCommand({ Entries: [{ Source: 'leadflow.leads', EventBusName: 'leadflow', DetailType: entry.DetailType, Detail: JSON.stringify(entry.Detail) }] }));
        expect(put.FailedEntryCount).toBe(0);
        // One at a time, so the breach is recorded after the lead's facts exist.
        await runtime.settle();
      }
    }
  } finally {
    raw.destroy();
    bus.destroy();
  }
}

describe('channel ROI through the local runtime', { timeout: 120_000 }, () => {
  it('imports spend, rolls up on the schedule, and serves a CSV and a page whose figures agree, read in Chromium', async () => {
    const spend = await fetch(`${runtime.url}/spend`, { method: 'POST', headers: { authorization: `Bearer ${financeToken}`, 'content-type': 'text/csv' }, body: fixtureSpendCsv });
    expect(spend.status).toBe(200);
    await storeFixtureLeads();
    const run = await fetch(`${runtime.url}/_local/schedules/roll-up-channel-roi/run`, { method: 'POST', body: JSON.stringify({ now: '2026-03-11T04:30:00.000Z' }) });
    expect(run.status).toBe(200);
    expect(readFileSync(join(runtime.reportsDir, 'channel-roi/date=2026-03-10/v1.csv'), 'utf8')).toContain('2026-03-10,last,meta-ads,spring,1,2,1,1,1,0');

    const query = 'from=2026-03-10&to=2026-03-10&groupBy=campaign&attribution=first';
    const csv = await fetch(`${runtime.url}/reports/channel-roi?${query}&format=csv`, { headers: { authorization: `Bearer ${financeToken}` } });
    expect(csv.status).toBe(200);
    const csvText = await csv.text();
    expect(csvText).toBe(expectedFirstTouchCampaignCsv);

    const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${financeToken}` } });
    try {
      const page = await context.newPage();
      const response = await page.goto(`${runtime.url}/reports/channel-roi.html?${query}`);
      expect(response?.status()).toBe(200);
      const table = await page.$$eval('table tr', (rows) => rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => cell.textContent ?? '')));
      const csvRows = parseCsvRecords(csvText)
        .records.map((record) => record.values)
        .filter((values) => values.length > 1);
      // The page shows text as it is; only the CSV guards formula-like cells with a leading "'".
      expect(table).toEqual(csvRows.map((values) => values.map((value) => value.replace(/^'(?=[=+\-@\t\r])/, ''))));
      expect(table.at(-1)?.[3]).toBe(formulaCampaign);

      const bars = await page.$$eval('svg g[data-channel]', (groups) =>
        groups.map((group) => ({ channel: group.getAttribute('data-channel'), spend: group.querySelector('text.spend')?.textContent, revenue: group.querySelector('text.revenue')?.textContent })),
      );
      const [header, ...rows] = csvRows;
      const column = (name: string) => header.indexOf(name);
      const totals = new Map<string, { spend: number; revenue: number }>();
      for (const row of rows) {
        const total = totals.get(row[column('channel')]) ?? { spend: 0, revenue: 0 };
        total.spend += Math.round(Number(row[column('spend')]) * 100);
        total.revenue += Math.round(Number(row[column('revenue')]) * 100);
        totals.set(row[column('channel')], total);
      }
      expect(bars).toEqual([...totals.entries()].map(([channel, total]) => ({ channel, spend: `spend ${(total.spend / 100).toFixed(2)}`, revenue: `revenue ${(total.revenue / 100).toFixed(2)}` })));
      // By hand: google-ads 220.00 + 50.00 spend, 550.00 revenue; meta-ads 500.00 and 1200.00; website nothing.
      expect(bars.map((bar) => [bar.channel, bar.spend, bar.revenue])).toEqual([
        ['google-ads', 'spend 270.00', 'revenue 550.00'],
        ['meta-ads', 'spend 500.00', 'revenue 1200.00'],
        ['website', 'spend 0.00', 'revenue 0.00'],
      ]);
    } finally {
      await context.close();
    }

    const asRep = await fetch(`${runtime.url}/reports/channel-roi.html?${query}`, { headers: { authorization: `Bearer ${await tokenFor('rep-ava', 'rep')}` } });
    expect(asRep.status).toBe(403);
  });
  it('imports the example spend file with npm run import-spend, and refuses a bad file whole with a row-error report', async () => {
    // Asynchronous, so the runtime in this process keeps serving the CLI.
    const cli = (file: string) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', 'packages/local-runtime/src/import-spend-cli.ts', file, '--url', runtime.url],
          { cwd: rootDir, env: { ...process.env, LEADS_LOG_LEVEL: 'SILENT' } },
          (error, stdout, stderr) => done({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
        );
      });
    const rolledUpSpend = async (day: string) => {
      const run = await fetch(`${runtime.url}/rollups/channel-roi`, {
        method: 'POST',
        headers: { authorization: `Bearer ${financeToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ from: day, to: day }),
      });
      expect(run.status).toBe(200);
      const report = await fetch(`${runtime.url}/reports/channel-roi?from=${day}&to=${day}&groupBy=channel&format=json`, { headers: { authorization: `Bearer ${financeToken}` } });
      return ((await report.json()) as { rows: Array<{ channel: string; spend: number }> }).rows.map((row) => [row.channel, row.spend]);
    };

    const good = await cli('examples/ad-spend.csv');
    expect(good.status).toBe(0);
    // 400 + 100 + 220 + 50 + 380.50 + 231 + 120 = 1501.50.
    expect(good.stdout).toContain('total spend      1501.50   USD');
    // 2026-11-27: google-ads 200 EUR × 1.10 + 50 = 270.00; meta-ads 400 + 100 = 500.00.
    expect(await rolledUpSpend('2026-11-27')).toEqual([
      ['google-ads', 270],
      ['meta-ads', 500],
    ]);

    const directory = mkdtempSync(join(tmpdir(), 'leadflow-spend-'));
    try {
      const bad = join(directory, 'spend.csv');
      writeFileSync(bad, 'date,channel,campaign,amount,currency\n2026-11-26,meta-ads,a,10.00,USD\n2026-11-26,meta-ads,b,-3,USD\n2026-11-26,myspace,c,1,USD\n');
      const refused = await cli(bad);
      expect(refused.status).toBe(1);
      expect(readFileSync(`${bad}.errors.csv`, 'utf8')).toBe('row,field,message\r\nline 3,amount,must not be negative\r\nline 4,channel,"unknown channel ""myspace"""\r\n');
      expect(await rolledUpSpend('2026-11-26')).toEqual([]);
      writeFileSync(bad, 'date,channel,campaign,amount,currency\n2026-11-26,meta-ads,a,10.00,USD\n');
      expect((await cli(bad)).status).toBe(0);
      expect(existsSync(`${bad}.errors.csv`)).toBe(false);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
  it('reports one conversion each to the Meta and Google stand-ins (Meta its first stage before), retrying through an outage, and never twice', async () => {
    const raw = createDynamoDbClient(localClientSettings({ dynamodb: runtime.endpoints.dynamodb }));
    const bus = createEventBridgeClient(localClientSettings({ eventbridge: runtime.endpoints.eventbridge }));
    // Years ahead of the real clock, so the every-minute schedule firing on it never finds them due before this test's runs do.
    const year = new Date().getUTCFullYear() + 4;
    const at = (time: string) => `${year}-01-01T${time}.000Z`;
    const wonAt = at('15:00:00');
    const base = fixtureLeadRecords[0].lead;
    // Captured in the future too: the conversion brings Meta's first stage along, due at the capture.
    const metaCapturedAt = at('09:00:00');
    const metaLead = {
      ...base,
      leadId: 'feedback-meta',
      channel: 'meta-ads',
      source: { kind: 'meta' as const, platformLeadId: '9007199254740993' },
      capturedAt: metaCapturedAt,
      conversion: { revenue: 1200, currency: 'USD', wonAt, by: 'rep-ava' },
    };
    const googleLead = {
      ...base,
      leadId: 'feedback-google',
      channel: 'google-ads',
      source: { kind: 'google' as const },
      attribution: { firstTouch: { gclid: 'EAIaIQob-e2e' } },
      conversion: { revenue: 500, currency: 'EUR', wonAt, by: 'rep-ava' },
    };
    const run = (now: string) => fetch(`${runtime.url}/_local/schedules/send-conversion-feedback/run`, { method: 'POST', body: JSON.stringify({ now }) });
    const received = async () => (await (await fetch(`${runtime.url}/_local/stand-ins/conversions`)).json()) as { meta: Array<Record<string, any>>; google: Array<Record<string, any>> };
    try {
      const documents = documentClientOf(raw);
      for (const lead of [metaLead, googleLead]) {
        await documents.send(new PutCommand({ TableName: tables.leads.name, Item: { ...leadsTableKeys.lead(lead.leadId), entity: 'lead', ...lead } }));
        const detail = {
          eventId: `${lead.leadId}-won`,
          leadId: lead.leadId,
          poolId: lead.poolId,
          channel: lead.channel,
          capturedAt: lead.capturedAt,
          by: 'rep-ava',
          revenue: lead.conversion.revenue,
          currency: lead.conversion.currency,
          wonAt,
          convertedAt: wonAt,
        };
        // Delivered twice, as at-least-once delivery may.
        for (let copy = 0; copy < 2; copy += 1) await bus.send(new PutEventsCommand({ Entries: [{ Source: 'leadflow.leads', EventBusName: 'leadflow', DetailType: 'lead.converted', Detail: JSON.stringify(detail) }] }));
      }
      await runtime.settle();
    } finally {
      raw.destroy();
      bus.destroy();
    }

    expect((await fetch(`${runtime.url}/_local/stand-ins/outage`, { method: 'POST', body: JSON.stringify({ platform: 'google', down: true }) })).status).toBe(200);
    expect(await (await run(at('15:01:00'))).json()).toMatchObject({ result: { sent: 2, retrying: 1, deadLettered: 0 } });
    await fetch(`${runtime.url}/_local/stand-ins/outage`, { method: 'POST', body: JSON.stringify({ platform: 'google', down: false }) });
    expect(await (await run(at('15:03:00'))).json()).toMatchObject({ result: { sent: 1, retrying: 0, deadLettered: 0 } });
    expect(await (await run(at('16:00:00'))).json()).toMatchObject({ result: { sent: 0, retrying: 0, deadLettered: 0 } });

    const { meta, google } = await received();
    expect(meta).toEqual([
      {
        event_name: 'Lead',
        event_time: Date.parse(metaCapturedAt) / 1000,
        action_source: 'system_generated',
        event_id: 'feedback-meta:lead',
        user_data: { lead_id: '9007199254740993' },
        custom_data: { event_source: 'crm', lead_event_source: 'Northwind Leadflow' },
      },
      {
        event_name: 'Converted',
        event_time: Date.parse(wonAt) / 1000,
        action_source: 'system_generated',
        event_id: 'feedback-meta:converted',
        user_data: { lead_id: '9007199254740993' },
        custom_data: { event_source: 'crm', lead_event_source: 'Northwind Leadflow', value: 1200, currency: 'USD' },
      },
    ]);
    expect(google).toEqual([
      { eventTimestamp: wonAt, transactionId: 'feedback-google:converted', adIdentifiers: { gclid: 'EAIaIQob-e2e' }, conversionValue: 500, currency: 'EUR', eventSource: 'OTHER', productDestinationId: '6002' },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { createHandler as createCapture } from '../../../functions/capture-form-submission/handler';
import { createHandler as createRecordSpend } from '../../../functions/record-spend/handler';
import { createHandler as createReport } from '../../../functions/get-channel-roi-report/handler';
import { createHandler as createPage } from '../../../functions/get-channel-roi-page/handler';
import { createHandler as createTrack } from '../../../functions/track-channel-roi/handler';
import { createHandler as createNightly } from '../../../functions/roll-up-channel-roi/handler';
import { createHandler as createOnDemand } from '../../../functions/request-channel-roi-rollup/handler';
import { createHandler as createRates } from '../../../functions/get-channel-rates/handler';
import { createHandler as createFunnel } from '../../../functions/get-funnel-report/handler';
import { addDays, daysBetween, localDay, rollUpDay, type RollupVersion } from '@leadflow/domain';
import { manifestFunctions } from '@leadflow/manifest';
import { fireTimesBetween } from '@leadflow/schedule-expression';
import { ingestSubmission, rollupVersionCsv, rollupVersionFunnelCsv, versionReadsAtOnce } from '@leadflow/platform';
import { MemoryChannelRoiStore } from '../../support/channel-roi-fakes';
import { fakeDependencies } from '../../support/fakes';
import { busEvent, httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { fixtureExchangeRates, fixtureLeadRecords, fixtureSpendCsv } from '../../fixtures/channel-roi/hand-computed';

type Deps = ReturnType<typeof fakeDependencies>;
const as = (role: string) => ({ sub: `${role}-1`, 'cognito:groups': `[${role}]` });
/** The nightly function's 300 s, all left when it starts. */
const nightContext = { ...lambdaContext, getRemainingTimeInMillis: () => 300_000 };

function roiDependencies(now = new Date('2026-03-11T04:30:00.000Z')): Deps {
  const deps = fakeDependencies(now);
  deps.config.channelRoi.exchangeRates = fixtureExchangeRates;
  return deps;
}

function postSpend(deps: Deps, body: string, contentType: string, claims: Record<string, string> | null = as('finance')) {
  const event = httpEvent({ method: 'POST', path: '/spend', headers: { 'content-type': contentType }, body, claims: claims ?? undefined });
  return createRecordSpend(() => deps)(event, lambdaContext) as Promise<any>;
}

function getReport(deps: Deps, query: Record<string, string>, claims: Record<string, string> = as('manager'), page = false) {
  const event = httpEvent({ path: page ? '/reports/channel-roi.html' : '/reports/channel-roi', claims });
  event.queryStringParameters = query;
  return (page ? createPage : createReport)(() => deps)(event, lambdaContext) as Promise<any>;
}

const track = (deps: Deps, detailType: string, detail: unknown) => createTrack(() => deps)(busEvent(detailType, detail), lambdaContext) as Promise<unknown>;

const lifecycle = (leadId: string) => ({ eventId: `${leadId}-e`, leadId, poolId: 'americas-inbound', channel: 'meta-ads', capturedAt: '2026-03-10T14:00:00.000Z', by: 'rep-ava' });

describe('POST /spend', () => {
  it('is for finance and admins only, and writes nothing for anyone else', async () => {
    const deps = roiDependencies();
    expect((await postSpend(deps, fixtureSpendCsv, 'text/csv', as('rep'))).statusCode).toBe(403);
    expect((await postSpend(deps, fixtureSpendCsv, 'text/csv', as('manager'))).statusCode).toBe(403);
    expect((await postSpend(deps, fixtureSpendCsv, 'text/csv', null)).statusCode).toBe(401);
    expect(deps.roi.spend.size).toBe(0);
    expect((await postSpend(deps, fixtureSpendCsv, 'text/csv', as('admin'))).statusCode).toBe(200);
  });

  it('records a CSV file and replaces a day and channel given again', async () => {
    const deps = roiDependencies();
    const first = await postSpend(deps, fixtureSpendCsv, 'text/csv');
    expect(first.statusCode).toBe(200);
    expect(JSON.parse(first.body)).toMatchObject({
      rows: 5,
      replaced: [
        { date: '2026-03-09', channel: 'google-ads', campaigns: 1 },
        { date: '2026-03-10', channel: 'google-ads', campaigns: 2 },
        { date: '2026-03-10', channel: 'meta-ads', campaigns: 2 },
      ],
    });
    const again = await postSpend(deps, JSON.stringify({ rows: [{ date: '2026-03-10', channel: 'meta-ads', campaign: 'spring', amount: '450.00', currency: 'USD' }] }), 'application/json');
    expect(again.statusCode).toBe(200);
    expect(await deps.roi.spendOn('2026-03-10')).toEqual([
      {
        day: '2026-03-10',
        channel: 'google-ads',
        campaigns: [
          { campaign: 'brand', cents: 22_000, original: { amount: '200.00', currency: 'EUR' } },
          { campaign: 'generic, broad', cents: 5000 },
        ],
      },
      { day: '2026-03-10', channel: 'meta-ads', campaigns: [{ campaign: 'spring', cents: 45_000 }] },
    ]);
  });

  it('names the days too old for the nightly rollup to restate, which an on-demand rollup then restates', async () => {
    // 00:30 EDT on 03-11, lookbackDays 90: from tonight on the nightly run looks back to 2025-12-11 at the furthest.
    const deps = roiDependencies();
    const row = (date: string) => ({ date, channel: 'meta-ads', campaign: 'spring', amount: '100.00', currency: 'USD' });
    const answer = await postSpend(deps, JSON.stringify({ rows: [row('2025-12-11'), row('2025-12-10'), row('2025-11-30')] }), 'application/json');
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      rollupNeeded: ['2025-11-30', '2025-12-10'],
      note: 'The nightly rollup restates changes within 90 days before yesterday (channelRoi.lookbackDays), so it will not restate 2 days from 2025-11-30 to 2025-12-10: request POST /rollups/channel-roi {"from": "2025-11-30", "to": "2025-12-10"} (at most 366 days a request) to restate them.',
    });
    const nightly = (await createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time: '2026-03-12T04:30:00.000Z' }, nightContext)) as { days: Array<{ day: string }> };
    expect(nightly.days.map(({ day }) => day)).toEqual(['2026-03-11', '2025-12-11']);
    expect([...deps.roi.versions.keys()].sort()).toEqual(['2025-12-11 1', '2026-03-11 1']);
    const onDemand = (await createOnDemand(() => deps)(
      httpEvent({ method: 'POST', path: '/rollups/channel-roi', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: '2025-11-30', to: '2025-12-10' }), claims: as('finance') }),
      lambdaContext,
    )) as any;
    expect(onDemand.statusCode).toBe(200);
    expect(deps.roi.versions.get('2025-12-10 1')?.rows.find((row) => row.attribution === 'first')).toMatchObject({ campaign: 'spring', spendCents: 10_000 });
    const recent = await postSpend(deps, JSON.stringify({ rows: [row('2026-03-10')] }), 'application/json');
    expect(JSON.parse(recent.body)).toMatchObject({ rollupNeeded: [] });
    expect(JSON.parse(recent.body).note).toBeUndefined();
  });

  it('answers 400 naming the row and field, and writes nothing, when one row is wrong', async () => {
    const deps = roiDependencies();
    const csv = `${fixtureSpendCsv}2026-03-10,tiktok-ads,x,-1,USD\r\n2026-03-10,website,y,3,JPY\r\n`;
    const answer = await postSpend(deps, csv, 'text/csv');
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body).issues).toEqual([
      { path: 'line 7.amount', message: 'must not be negative' },
      { path: 'line 8.currency', message: 'JPY is not the reporting currency USD and no exchange rate for it is configured on 2026-03-10 (channelRoi.exchangeRates)' },
    ]);
    const json = await postSpend(deps, JSON.stringify({ rows: [{ date: '2026-03-10', channel: 'nowhere', amount: '1', currency: 'USD' }], extra: 1 }), 'application/json');
    expect(json.statusCode).toBe(400);
    expect(JSON.parse(json.body).issues).toEqual([{ path: 'extra', message: 'is not a field (send {"rows": [...]})' }]);
    const malformed = await postSpend(deps, 'date,channel,campaign,amount,currency\n2026-03-10,meta-ads,"open,1,USD\n', 'text/csv');
    expect(malformed.statusCode).toBe(400);
    expect((await postSpend(deps, 'x', 'text/plain')).statusCode).toBe(415);
    expect(deps.roi.spend.size).toBe(0);
  });
});

describe('first-touch credit of a plain HTML form', () => {
  /** Posts a plain HTML form on the 10th, tracks its capture, and records the day's spend of `channel`'s `campaign`: what a night rolls up. */
  async function postedWithSpend(body: string, spendOf: { channel: string; campaign: string }) {
    const deps = roiDependencies(new Date('2026-03-10T15:00:00.000Z'));
    const posted = (await createCapture(() => deps)(
      httpEvent({ method: 'POST', path: '/forms/demo/submissions', pathParameters: { formId: 'demo' }, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }),
      lambdaContext,
    )) as any;
    expect(posted.statusCode).toBe(202);
    const lead = deps.store.leads.get(JSON.parse(posted.body).leadId)!;
    await track(deps, 'lead.captured', { eventId: 'c-1', leadId: lead.leadId, status: lead.status, isTest: false, sourceKind: 'web_form', poolId: lead.poolId, channel: lead.channel, capturedAt: lead.capturedAt });
    const spend = JSON.stringify({ rows: [{ date: '2026-03-10', ...spendOf, amount: '100.00', currency: 'USD' }] });
    expect((await postSpend(deps, spend, 'application/json')).statusCode).toBe(200);
    await createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time: '2026-03-11T04:30:00.000Z' }, nightContext);
    return { deps, lead };
  }

  it('credits a post that names only its current touch to that campaign under first touch, against the campaign’s spend', async () => {
    const { deps } = await postedWithSpend('name=Ada&email=ada%40example.com&utm_campaign=spring', { channel: 'website', campaign: 'spring' });
    // The default export: first-touch credit, by campaign.
    const report = await getReport(deps, { from: '2026-03-10', to: '2026-03-10', format: 'json' }, as('finance'));
    expect(JSON.parse(report.body).rows.map(({ attribution, channel, campaign, leads, spend }: Record<string, unknown>) => ({ attribution, channel, campaign, leads, spend }))).toEqual([
      { attribution: 'first', channel: 'website', campaign: 'spring', leads: 1, spend: 100 },
    ]);
  });

  it('credits a post with a Google click id and no utm_source to the Google Ads channel, under first and last touch, against its spend', async () => {
    const { deps, lead } = await postedWithSpend('name=Ada&email=ada%40example.com&utm_campaign=brand&gclid=Cj0KCQ', { channel: 'google-ads', campaign: 'brand' });
    expect(lead.channel).toBe('website');
    for (const attribution of ['first', 'last']) {
      const report = await getReport(deps, { from: '2026-03-10', to: '2026-03-10', attribution, format: 'json' }, as('finance'));
      expect(JSON.parse(report.body).rows.map(({ channel, campaign, leads, spend, cpl }: Record<string, unknown>) => ({ channel, campaign, leads, spend, cpl }))).toEqual([
        { channel: 'google-ads', campaign: 'brand', leads: 1, spend: 100, cpl: 100 },
      ]);
    }
  });
});

describe('track-channel-roi', () => {
  it('rewrites the lead’s facts from the stored lead on each event, and counts an SLA breach once seen', async () => {
    const deps = roiDependencies();
    const { lead } = fixtureLeadRecords[1];
    deps.store.leads.set(lead.leadId, { ...lead, status: 'contacted', history: lead.history.slice(0, 2) });
    await track(deps, 'lead.activity_logged', { ...lifecycle(lead.leadId), activityId: 'a1', kind: 'call', firstContact: true, loggedAt: '2026-03-10T15:15:00.000Z' });
    expect(deps.roi.facts.get(lead.leadId)).toMatchObject({ day: '2026-03-10', contacted: true, qualified: false, firstContactSeconds: 900, slaBreached: false });
    await track(deps, 'lead.sla_breached', { ...lifecycle(lead.leadId), sla: 'next_step', dueAt: '2026-03-11T15:00:00.000Z', breach: 1, breachedAt: '2026-03-11T15:00:00.000Z' });
    deps.store.leads.set(lead.leadId, { ...lead, updatedAt: '2026-03-12T00:00:00.000Z' });
    await track(deps, 'lead.status_changed', { ...lifecycle(lead.leadId), from: 'contacted', to: 'qualified', changedAt: '2026-03-12T00:00:00.000Z' });
    expect(deps.roi.facts.get(lead.leadId)).toMatchObject({ qualified: true, slaBreached: true, lastCampaign: 'retarget' });
    expect(deps.roi.changed.get('2026-03-10')).toBe('2026-03-11T04:30:00.000Z');
  });

  it('moves a lead’s facts to the day a new organisation time zone files it under, SLA breach and all, and restates the day it left', async () => {
    const deps = roiDependencies();
    // 22:30 on the 10th in New York, 02:30 on the 11th in London.
    const lead = { ...fixtureLeadRecords[1].lead, capturedAt: '2026-03-11T02:30:00.000Z', updatedAt: '2026-03-11T02:30:00.000Z' };
    deps.store.leads.set(lead.leadId, lead);
    await track(deps, 'lead.sla_breached', { ...lifecycle(lead.leadId), sla: 'first_contact', dueAt: lead.capturedAt, breach: 1, breachedAt: lead.capturedAt });
    const nightly = (time: string) => createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time }, nightContext) as Promise<{ days: Array<{ day: string }> }>;
    const leadsOn = async (day: string) => ((await deps.roi.latestVersion(day))?.rows ?? []).filter((row) => row.attribution === 'first').reduce((sum, row) => sum + row.leads, 0);
    await nightly('2026-03-11T04:30:00.000Z');
    expect(await leadsOn('2026-03-10')).toBe(1);

    deps.config.organisation.timeZone = 'Europe/London';
    deps.store.leads.set(lead.leadId, { ...lead, updatedAt: '2026-03-12T10:00:00.000Z' });
    await track(deps, 'lead.status_changed', { ...lifecycle(lead.leadId), from: 'contacted', to: 'qualified', changedAt: '2026-03-12T10:00:00.000Z' });
    expect(deps.roi.facts.get(lead.leadId)).toMatchObject({ day: '2026-03-11', slaBreached: true });
    expect(await deps.roi.factsOn('2026-03-10')).toEqual([]);
    expect([...deps.roi.changed.keys()].sort()).toEqual(['2026-03-10', '2026-03-11']);
    // 04:30 on the 13th in London: yesterday, then both changed days within the lookback, newest first.
    expect((await nightly('2026-03-13T04:30:00.000Z')).days.map(({ day }) => day)).toEqual(['2026-03-12', '2026-03-11', '2026-03-10']);
    expect([await leadsOn('2026-03-10'), await leadsOn('2026-03-11')]).toEqual([0, 1]);
  });

  it('converts a sale in another currency at the rate configured when its day is rolled up, so a corrected rate restates the day', async () => {
    const deps = roiDependencies(new Date('2026-03-12T04:30:00.000Z'));
    const { lead } = fixtureLeadRecords[4];
    const conversion = { revenue: 500, currency: 'EUR', wonAt: '2026-03-10T18:00:00.000Z', by: 'rep-ava' };
    deps.store.leads.set(lead.leadId, { ...lead, status: 'converted', conversion });
    await track(deps, 'lead.converted', { ...lifecycle(lead.leadId), revenue: 500, currency: 'EUR', wonAt: conversion.wonAt, convertedAt: conversion.wonAt });
    expect(deps.roi.facts.get(lead.leadId)).toMatchObject({ revenueCents: 55_000, sale: { cents: 50_000, currency: 'EUR', wonDay: '2026-03-10' } });
    const day = deps.roi.facts.get(lead.leadId)!.day;
    const requestRollup = async (from: string) =>
      (await createOnDemand(() => deps)(
        httpEvent({ method: 'POST', path: '/rollups/channel-roi', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from, to: day }), claims: as('finance') }),
        lambdaContext,
      )) as { statusCode: number; body: string };
    const rollUp = async () => JSON.parse((await requestRollup(day)).body) as { days: Array<{ version: number; restated: boolean }> };
    const revenueOf = async () => ((await deps.roi.latestVersion(day))?.rows ?? []).filter((row) => row.attribution === 'first').reduce((sum, row) => sum + row.revenueCents, 0);
    expect((await rollUp()).days).toMatchObject([{ version: 1 }]);
    expect(await revenueOf()).toBe(55_000);
    // Finance corrects the rate in force since January: the next rollup of the day restates it, with no event about the lead.
    deps.config.channelRoi.exchangeRates = [{ currency: 'EUR', from: '2026-01-01', rate: 1.08 }];
    expect((await rollUp()).days).toMatchObject([{ version: 2, restated: true }]);
    expect(await revenueOf()).toBe(54_000);
    // A rate taken away leaves the day as it was rolled up: the request says so, naming the day and the lead, with the days before it rolled up.
    deps.config.channelRoi.exchangeRates = [];
    const refused = await requestRollup('2026-03-09');
    expect(refused.statusCode).toBe(409);
    expect(JSON.parse(refused.body)).toEqual({
      error: `${day}: lead ${lead.leadId}: revenue in EUR has no exchange rate to USD on 2026-03-10 (channelRoi.exchangeRates); configure the rate and request the rollup again from ${day}`,
      rule: 'missing_exchange_rate',
      days: [expect.objectContaining({ day: '2026-03-09' })],
    });
    expect((await deps.roi.latestVersion(day))?.version).toBe(2);
  });

  it('fails an event that breaks its contract, so it reaches the dead-letter queue', async () => {
    await expect(track(roiDependencies(), 'lead.converted', { leadId: 'x' })).rejects.toThrow();
  });

  it('files a sale in a currency with no rate as it is: its day is not rolled up until a rate is configured, and then counts it, with no event redriven', async () => {
    const deps = roiDependencies(new Date('2026-03-12T04:30:00.000Z'));
    deps.config.channelRoi.exchangeRates = [];
    const { lead } = fixtureLeadRecords[4];
    const conversion = { revenue: 500, currency: 'EUR', wonAt: '2026-03-10T18:00:00.000Z', by: 'rep-ava' };
    deps.store.leads.set(lead.leadId, { ...lead, status: 'converted', conversion });
    await track(deps, 'lead.converted', { ...lifecycle(lead.leadId), revenue: 500, currency: 'EUR', wonAt: conversion.wonAt, convertedAt: conversion.wonAt });
    expect(deps.roi.facts.get(lead.leadId)).toMatchObject({ converted: true, revenueCents: 0, sale: { cents: 50_000, currency: 'EUR', wonDay: '2026-03-10' } });
    const day = deps.roi.facts.get(lead.leadId)!.day;
    const nightly = () => createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time: '2026-03-12T04:30:00.000Z' }, nightContext);
    await expect(nightly()).rejects.toThrow(`lead ${lead.leadId}: revenue in EUR has no exchange rate to USD on 2026-03-10`);
    expect(await deps.roi.latestVersion(day)).toBeUndefined();
    expect(deps.roi.changed.has(day)).toBe(true);

    deps.config.channelRoi.exchangeRates = [{ currency: 'EUR', from: '2026-01-01', rate: 1.1 }];
    await nightly();
    const revenue = ((await deps.roi.latestVersion(day))?.rows ?? []).filter((row) => row.attribution === 'first').reduce((sum, row) => sum + row.revenueCents, 0);
    expect(revenue).toBe(55_000);
  });
});

/** Counts the version reads running at once, each answered on a later turn of the event loop as a DynamoDB call is, so reads started together overlap. */
class ReadCountingRoiStore extends MemoryChannelRoiStore {
  readonly reads = { running: 0, most: 0, total: 0 };
  private async counted<T>(read: () => Promise<T>): Promise<T> {
    this.reads.running += 1;
    this.reads.total += 1;
    this.reads.most = Math.max(this.reads.most, this.reads.running);
    await new Promise((answered) => setImmediate(answered));
    this.reads.running -= 1;
    return read();
  }
  override latestVersion(day: string) {
    return this.counted(() => super.latestVersion(day));
  }
  override version(day: string, version: number) {
    return this.counted(() => super.version(day, version));
  }
  override versionAsOf(day: string, at: string) {
    return this.counted(() => super.versionAsOf(day, at));
  }
}

describe('rollups and the report', () => {
  async function rolledUpFixture() {
    const deps = roiDependencies();
    expect((await postSpend(deps, fixtureSpendCsv, 'text/csv')).statusCode).toBe(200);
    for (const { lead, slaBreached } of fixtureLeadRecords) {
      deps.store.leads.set(lead.leadId, lead);
      await track(deps, 'lead.captured', {
        eventId: `${lead.leadId}-c`,
        leadId: lead.leadId,
        status: 'new',
        isTest: lead.isTest,
        sourceKind: lead.source.kind,
        poolId: lead.poolId,
        channel: lead.channel,
        capturedAt: lead.capturedAt,
      });
      if (slaBreached) await track(deps, 'lead.sla_breached', { ...lifecycle(lead.leadId), sla: 'first_contact', dueAt: lead.capturedAt, breach: 1, breachedAt: lead.capturedAt });
    }
    const nightly = (await createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time: '2026-03-11T04:30:00.000Z' }, nightContext)) as { days: Array<{ day: string; version: number }> };
    return { deps, nightly };
  }

  it('rolls up the organisation’s yesterday at night and files its CSV as version 1', async () => {
    const { deps, nightly } = await rolledUpFixture();
    // 00:30 EDT on the 11th: yesterday is the 10th; the 9th (l9's day) is restated too, being marked changed, after it.
    expect(nightly.days.map(({ day, version }) => [day, version])).toEqual([
      ['2026-03-10', 1],
      ['2026-03-09', 1],
    ]);
    expect([...deps.reports.files.keys()].sort()).toEqual(['channel-roi/date=2026-03-09/v1.csv', 'channel-roi/date=2026-03-10/v1.csv', 'funnel/date=2026-03-09/v1.csv', 'funnel/date=2026-03-10/v1.csv']);
    // The funnel filed beside it, every campaign row under both attributions: last-touch meta-ads/retarget is l2 alone (captured, valid, contacted, qualified).
    expect(deps.reports.files.get('funnel/date=2026-03-10/v1.csv')).toContain('\r\n2026-03-10,last,meta-ads,retarget,1,1,1,1,1,0,');
    expect(deps.reports.files.get('channel-roi/date=2026-03-10/v1.csv')).toContain('2026-03-10,last,meta-ads,retarget,1,1,1,0,0,0,1,1,0,0.00,100.00,100.00,100.00,,0.0000,-1.0000,15.0,1.0000\r\n');
    expect(deps.roi.changed.size).toBe(0);
  });

  it('restates a day already rolled up when its spend is corrected', async () => {
    const { deps } = await rolledUpFixture();
    const corrected = await postSpend(deps, JSON.stringify({ rows: [{ date: '2026-03-10', channel: 'meta-ads', campaign: 'spring', amount: '450', currency: 'USD' }] }), 'application/json');
    expect(corrected.statusCode).toBe(200);
    const nightly = (await createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time: '2026-03-12T04:30:00.000Z' }, nightContext)) as { days: Array<{ day: string; version: number }> };
    expect(nightly.days.map(({ day, version }) => [day, version])).toEqual([
      ['2026-03-11', 1],
      ['2026-03-10', 2],
    ]);
    const since = await getReport(deps, { from: '2026-03-10', to: '2026-03-10', sinceVersion: '1', groupBy: 'channel' });
    // meta-ads: spend 450.00 (retarget's 100 was replaced away with the day and channel: only spring was sent); CPL 450/3 leads = 150.00.
    expect(since.body.split('\r\n').slice(1)).toEqual(['2026-03-10,first,meta-ads,2,3,2,1,1,0,2,2,1,1200.00,450.00,150.00,225.00,450.00,2.6667,1.6667,10.0,0.5000,changed', '']);
  });

  it('shows, with changedSince, what changed since an export at that time in every day: a restated day and one first rolled up since, which sinceVersion misses', async () => {
    const { deps } = await rolledUpFixture();
    // Finance exported after the first night (versions 1 of the 9th and 10th), and keeps the answer's asOf; then spend came for the 10th and the 11th.
    deps.now = () => new Date('2026-03-11T12:00:00.000Z');
    const exported = await getReport(deps, { from: '2026-03-09', to: '2026-03-11', format: 'json' });
    const exportedAt = JSON.parse(exported.body).asOf;
    expect(exportedAt).toBe('2026-03-11T11:59:00.000Z');
    expect(exported.headers['x-report-as-of']).toBe(exportedAt);
    deps.now = () => new Date('2026-03-12T04:30:00.000Z');
    const spend = JSON.stringify({
      rows: [
        { date: '2026-03-10', channel: 'meta-ads', campaign: 'spring', amount: '450', currency: 'USD' },
        { date: '2026-03-11', channel: 'google-ads', campaign: 'brand', amount: '80', currency: 'USD' },
      ],
    });
    expect((await postSpend(deps, spend, 'application/json')).statusCode).toBe(200);
    await createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time: '2026-03-12T04:30:00.000Z' }, nightContext);
    const changes = (body: string) =>
      body
        .split('\r\n')
        .slice(1, -1)
        .map((line) => `${line.split(',')[0]} ${line.split(',')[2]} ${line.split(',').at(-1)}`);
    const byTime = await getReport(deps, { from: '2026-03-09', to: '2026-03-11', changedSince: exportedAt, groupBy: 'channel' });
    expect(byTime.statusCode).toBe(200);
    expect(changes(byTime.body)).toEqual(['2026-03-10 meta-ads changed', '2026-03-11 google-ads added']);
    expect(byTime.headers['content-disposition']).toContain('-changed-since-20260311T115900Z.csv');
    expect(byTime.headers['x-report-as-of']).toBe('2026-03-12T04:29:00.000Z');
    // A version number is each day's own: the 11th's first version is version 1, so sinceVersion=1 leaves it out.
    expect(changes((await getReport(deps, { from: '2026-03-09', to: '2026-03-11', sinceVersion: '1', groupBy: 'channel' })).body)).toEqual(['2026-03-10 meta-ads changed']);
    // Asked before anything was rolled up, every row is added; asked after the last night, nothing changed.
    expect(changes((await getReport(deps, { from: '2026-03-11', to: '2026-03-11', changedSince: '2026-03-01T00:00:00Z', groupBy: 'channel' })).body)).toEqual(['2026-03-11 google-ads added']);
    expect(changes((await getReport(deps, { from: '2026-03-09', to: '2026-03-11', changedSince: '2026-03-12T06:00:00+01:00' })).body)).toEqual([]);
    expect(changes((await getReport(deps, { from: '2026-03-09', to: '2026-03-11', changedSince: '2026-03-12T05:00:00+01:00', groupBy: 'channel' })).body)).toEqual([
      '2026-03-10 meta-ads changed',
      '2026-03-11 google-ads added',
    ]);
  });

  it('refuses changedSince that is not a time, or given with sinceVersion, naming it', async () => {
    const deps = roiDependencies();
    for (const query of [{ changedSince: 'yesterday' }, { changedSince: '2026-03-11T12:00:00Z', sinceVersion: '1' }] as Array<Record<string, string>>) {
      const refused = await getReport(deps, { from: '2026-03-09', to: '2026-03-11', ...query });
      expect(refused.statusCode).toBe(400);
      expect(JSON.parse(refused.body).issues.map((issue: { path: string }) => issue.path)).toEqual(['changedSince']);
    }
  });

  it('rolls up the other days and yesterday when one changed day cannot be stored, keeps that day marked, and fails the run naming it', async () => {
    const { deps } = await rolledUpFixture();
    const spend = (date: string) => JSON.stringify({ rows: [{ date, channel: 'google-ads', campaign: 'brand', amount: '1.00', currency: 'USD' }] });
    expect((await postSpend(deps, spend('2026-03-09'), 'application/json')).statusCode).toBe(200);
    expect((await postSpend(deps, spend('2026-03-10'), 'application/json')).statusCode).toBe(200);
    // The 10th, rolled up after yesterday and before the 9th, is refused as DynamoDB refuses an item over 400 KB.
    const addVersion = deps.roi.addVersion.bind(deps.roi);
    deps.roi.addVersion = async (version) => {
      if (version.day === '2026-03-10') throw Object.assign(new Error('Item size has exceeded the maximum allowed size'), { name: 'ValidationException' });
      return addVersion(version);
    };
    await expect(createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time: '2026-03-12T04:30:00.000Z' }, nightContext)).rejects.toThrow(
      'Rolling up 2026-03-10 failed: Item size has exceeded the maximum allowed size',
    );
    expect([...deps.roi.versions.keys()].sort()).toEqual(['2026-03-09 1', '2026-03-09 2', '2026-03-10 1', '2026-03-11 1']);
    expect([...deps.roi.changed.keys()]).toEqual(['2026-03-10']);
  });

  it('files the stored version’s figures again when a concurrent rollup stored that version first, then stores the change that rollup did not see', async () => {
    const { deps } = await rolledUpFixture();
    const corrected = JSON.stringify({ rows: [{ date: '2026-03-10', channel: 'meta-ads', campaign: 'spring', amount: '450', currency: 'USD' }] });
    expect((await postSpend(deps, corrected, 'application/json')).statusCode).toBe(200);
    // Another rollup, which read the day before the correction, stores version 2 after this one filed its figures as v2.
    const winner = { ...(await deps.roi.latestVersion('2026-03-10'))!, version: 2, rolledUpAt: '2026-03-12T04:30:01.000Z' };
    const addVersion = deps.roi.addVersion.bind(deps.roi);
    deps.roi.addVersion = async (version) => {
      if (version.day !== '2026-03-10' || version.version !== 2) return addVersion(version);
      expect(deps.reports.files.get('channel-roi/date=2026-03-10/v2.csv')).toBe(rollupVersionCsv(version));
      await addVersion(winner);
      return addVersion(version);
    };
    const nightly = (await createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time: '2026-03-12T04:30:00.000Z' }, nightContext)) as { days: Array<{ day: string; unchanged: boolean }> };
    expect(deps.reports.files.get('channel-roi/date=2026-03-10/v2.csv')).toBe(rollupVersionCsv(winner));
    expect(deps.reports.files.get('funnel/date=2026-03-10/v2.csv')).toBe(rollupVersionFunnelCsv(winner));
    // The winner read the day before the correction; the run whose mark it clears stores the correction as version 3.
    expect(nightly.days.find(({ day }) => day === '2026-03-10')).toMatchObject({ version: 3, restated: true, unchanged: false });
    const latest = (await deps.roi.latestVersion('2026-03-10'))!;
    expect(latest.rows.filter((row) => row.channel === 'meta-ads' && row.campaign === 'spring').map((row) => row.spendCents)).toEqual([45000, 45000]);
    expect(deps.reports.files.get('channel-roi/date=2026-03-10/v3.csv')).toBe(rollupVersionCsv(latest));
    expect([...deps.roi.changed.keys()]).toEqual([]);
  });

  it('serves the report as CSV and JSON to finance, managers and admins, never to reps', async () => {
    const { deps } = await rolledUpFixture();
    const csv = await getReport(deps, { from: '2026-03-10', to: '2026-03-10', groupBy: 'channel' }, as('finance'));
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    const json = await getReport(deps, { from: '2026-03-10', to: '2026-03-10', groupBy: 'channel', format: 'json' });
    expect(JSON.parse(json.body).rows[1]).toEqual({
      date: '2026-03-10',
      attribution: 'first',
      channel: 'meta-ads',
      version: 1,
      leads: 3,
      valid: 2,
      invalid: 1,
      test: 1,
      quarantined: 0,
      contacted: 2,
      qualified: 2,
      converted: 1,
      revenue: 1200,
      spend: 500,
      cpl: 166.67,
      cost_per_qualified_lead: 250,
      cac: 500,
      roas: 2.4,
      roi: 1.4,
      median_minutes_to_first_contact: 10,
      sla_breach_rate: 0.5,
    });
    expect((await getReport(deps, { from: '2026-03-10', to: '2026-03-10' }, as('rep'))).statusCode).toBe(403);
    expect((await getReport(deps, { from: '2026-03-10', to: '2026-03-10' }, as('rep'), true)).statusCode).toBe(403);
    const bad = await getReport(deps, { from: '2026-03-10', to: '2026-3-11', attribution: 'linear' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).issues.map((issue: { path: string }) => issue.path)).toEqual(['to', 'attribution']);
  });

  it('names only `from` when it is not a day (digits only, or given twice), on the report, its page and the on-demand rollup', async () => {
    const deps = roiDependencies();
    const fromOnly = [{ path: 'from', message: 'must be a date written YYYY-MM-DD' }];
    // A repeated parameter reaches the handler joined with a comma, as API Gateway joins it.
    for (const from of ['20261120', '2026-03-01,2026-03-02']) {
      for (const page of [false, true]) {
        const answer = await getReport(deps, { from, to: '2026-03-10' }, as('finance'), page);
        expect({ from, page, status: answer.statusCode, issues: JSON.parse(answer.body).issues }).toEqual({ from, page, status: 400, issues: fromOnly });
      }
      const rollup = (await createOnDemand(() => deps)(
        httpEvent({ method: 'POST', path: '/rollups/channel-roi', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from, to: '2026-03-09' }), claims: as('finance') }),
        lambdaContext,
      )) as { statusCode: number; body: string };
      expect({ from, status: rollup.statusCode, issues: JSON.parse(rollup.body).issues }).toEqual({ from, status: 400, issues: fromOnly });
    }
    // Both ends days: the range is still checked.
    const yearAndTwo = await getReport(deps, { from: '2025-01-01', to: '2026-01-02' }, as('finance'));
    expect(JSON.parse(yearAndTwo.body).issues).toEqual([{ path: 'to', message: 'the range may cover at most 366 days' }]);
  });

  it('tells a parameter the export or the funnel does not take which ones it does', async () => {
    const deps = roiDependencies();
    const misspelt = await getReport(deps, { from: '2026-03-10', to: '2026-03-10', sinceVersoin: '2' });
    expect(JSON.parse(misspelt.body).issues).toEqual([{ path: 'sinceVersoin', message: 'is not a parameter of this request; it takes from, to, groupBy, attribution, format, sinceVersion, changedSince' }]);
    const event = httpEvent({ path: '/reports/funnel', claims: as('finance') });
    event.queryStringParameters = { from: '2026-03-10', to: '2026-03-10', group: 'day' };
    const funnel = (await createFunnel(() => deps)(event, lambdaContext)) as { body: string };
    expect(JSON.parse(funnel.body).issues).toEqual([{ path: 'group', message: 'is not a parameter of this request; it takes from, to, groupBy, attribution, format' }]);
  });

  it('answers 400 naming `from` rather than a response over Lambda’s limit, and 200 to a range that fits', async () => {
    const deps = roiDependencies();
    // 60 campaigns with spend a day: a year of them is some 9 MB as JSON rows, and a third of one some 8 MB as a page.
    const campaigns = Array.from({ length: 60 }, (_, index) => ({ campaign: `campaign-${index}`, cents: 10_000 }));
    deps.roi.latestVersion = async (day): Promise<RollupVersion> => ({ day, version: 1, rolledUpAt: `${day}T23:00:00.000Z`, rows: rollUpDay([], [{ day, channel: 'meta-ads', campaigns }]) });
    const getFunnel = (query: Record<string, string>) => {
      const event = httpEvent({ path: '/reports/funnel', claims: as('finance') });
      event.queryStringParameters = query;
      return createFunnel(() => deps)(event, lambdaContext) as Promise<any>;
    };
    const year = { from: '2025-01-01', to: '2025-12-31' };
    const tooLong = (answer: { statusCode: number; body: string }, days: number) => {
      expect(answer.statusCode).toBe(400);
      const issues = JSON.parse(answer.body).issues as Array<{ path: string; message: string }>;
      expect(issues).toEqual([{ path: 'from', message: expect.stringContaining(`is too long for one response: ask for about `) }]);
      expect(issues[0].message).toContain(`of its ${days} days at a time`);
      return issues[0].message;
    };
    expect(tooLong(await getReport(deps, { ...year, format: 'json' }), 365)).toMatch(/^2025-01-01 to 2025-12-31 .*, or use format=csv or groupBy=channel$/);
    expect(tooLong(await getFunnel({ ...year, groupBy: 'campaign' }), 365)).toMatch(/, or use format=csv or groupBy=channel$/);
    expect(tooLong(await getReport(deps, { from: '2025-01-01', to: '2025-04-30' }, as('manager'), true), 120)).toMatch(/, or use groupBy=channel$/);
    const month = { from: '2025-01-01', to: '2025-01-31' };
    expect((await getReport(deps, { ...month, format: 'json' })).statusCode).toBe(200);
    expect((await getReport(deps, month, as('manager'), true)).statusCode).toBe(200);
    expect((await getFunnel({ ...month, groupBy: 'campaign' })).statusCode).toBe(200);
  });

  it('runs a rollup on demand for finance, up to yesterday only', async () => {
    const { deps } = await rolledUpFixture();
    const run = (body: unknown, claims = as('finance')) =>
      createOnDemand(() => deps)(httpEvent({ method: 'POST', path: '/rollups/channel-roi', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), claims }), lambdaContext) as Promise<any>;
    const again = await run({ from: '2026-03-09', to: '2026-03-10' });
    expect(JSON.parse(again.body).days.map((day: { unchanged: boolean }) => day.unchanged)).toEqual([true, true]);
    const today = await run({ from: '2026-03-10', to: '2026-03-11' });
    expect(today.statusCode).toBe(400);
    expect(JSON.parse(today.body).issues[0].path).toBe('to');
    expect((await run({ from: '2026-03-09', to: '2026-03-10' }, as('manager'))).statusCode).toBe(403);
  });

  it('answers 503 with Retry-After, not 500, when a day keeps losing the race to store its version', async () => {
    const { deps } = await rolledUpFixture();
    const latest = (await deps.roi.latestVersion('2026-03-10'))!;
    // Every try finds another rollup stored first, with figures other than those this one read.
    deps.roi.latestVersion = async () => ({ ...latest, rows: [] });
    deps.roi.addVersion = async () => false;
    deps.roi.version = async (day, version) => ({ ...latest, day, version });
    const answer = (await createOnDemand(() => deps)(
      httpEvent({ method: 'POST', path: '/rollups/channel-roi', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from: '2026-03-10', to: '2026-03-10' }), claims: as('finance') }),
      lambdaContext,
    )) as { statusCode: number; headers: Record<string, string> };
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBeDefined();
  });

  it('rolls up as many days as its time allows, always at least one, and says where to request the rest from', async () => {
    const { deps } = await rolledUpFixture();
    const rolledUp: string[] = [];
    const roll = deps.roi.factsOn.bind(deps.roi);
    deps.roi.factsOn = async (day) => (rolledUp.push(day), roll(day));
    // Each day rolled up takes 10 s of the 29 an HTTP invocation has.
    const context = { ...lambdaContext, getRemainingTimeInMillis: () => 29_000 - 10_000 * rolledUp.length };
    const request = async (from: string, remaining = context) =>
      JSON.parse(
        (
          (await createOnDemand(() => deps)(
            httpEvent({ method: 'POST', path: '/rollups/channel-roi', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ from, to: '2026-03-10' }), claims: as('finance') }),
            remaining,
          )) as { body: string }
        ).body,
      );
    const first = await request('2026-03-01');
    expect(first).toMatchObject({ nextFrom: '2026-03-03', note: expect.stringContaining('"from": "2026-03-03"') });
    expect(first.days.map((day: { day: string }) => day.day)).toEqual(['2026-03-01', '2026-03-02']);
    const almostOut = { ...lambdaContext, getRemainingTimeInMillis: () => 1_000 };
    expect((await request('2026-03-09', almostOut)).days.map((day: { day: string }) => day.day)).toEqual(['2026-03-09']);
    const rest = await request('2026-03-03', lambdaContext);
    expect(rest.nextFrom).toBeUndefined();
    expect(rest.days.map((day: { day: string }) => day.day)).toEqual(['2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09', '2026-03-10']);
  });

  it('reads a year of versions a few days at a time, as the SDK has few sockets and a call waiting for one times out', async () => {
    const deps = roiDependencies();
    const roi = new ReadCountingRoiStore();
    deps.roi = roi;
    const year = daysBetween(addDays('2026-03-10', -365), '2026-03-10');
    for (const day of year) for (const version of [1, 2]) await roi.addVersion({ day, version, rolledUpAt: '2026-03-11T04:30:00.000Z', rows: [] });
    const { reads } = roi;
    const answered = async (request: () => Promise<{ statusCode: number }>, readsExpected: number) => {
      Object.assign(reads, { most: 0, total: 0 });
      expect((await request()).statusCode).toBe(200);
      expect(reads).toEqual({ running: 0, most: versionReadsAtOnce, total: readsExpected });
    };
    const range = { from: year[0], to: year.at(-1)! };
    await answered(() => getReport(deps, { ...range, sinceVersion: '1' }), 2 * year.length);
    await answered(() => getReport(deps, { ...range, changedSince: '2026-03-11T00:00:00Z' }), 2 * year.length);
    await answered(() => createFunnel(() => deps)({ ...httpEvent({ path: '/reports/funnel', claims: as('finance') }), queryStringParameters: range }, lambdaContext) as Promise<{ statusCode: number }>, year.length);
    deps.config.channelRoi.measuredChannelPriors = { mode: 'suggest', windowDays: 366, minimumLeads: 2 };
    await answered(() => createRates(() => deps)(httpEvent({ path: '/reports/channel-rates', claims: as('finance') }), lambdaContext) as Promise<{ statusCode: number }>, year.length);
  });

  it('publishes measured channel rates with suggested priors when the mode is suggest, and nothing when off', async () => {
    const { deps } = await rolledUpFixture();
    const rates = (claims: Record<string, string>) => createRates(() => deps)(httpEvent({ path: '/reports/channel-rates', claims }), lambdaContext) as Promise<any>;
    deps.config.channelRoi.measuredChannelPriors.mode = 'off';
    expect((await rates(as('finance'))).statusCode).toBe(404);
    deps.config.channelRoi.measuredChannelPriors = { mode: 'suggest', windowDays: 7, minimumLeads: 2 };
    deps.config.scoring.channelPriors = { 'meta-ads': 10, 'google-ads': 5 };
    const answer = await rates(as('manager'));
    expect(answer.statusCode).toBe(200);
    // As of 2026-03-11 04:30Z (00:30 EDT): the window is 03-04 … 03-10; 03-09 holds l9 (google-ads, converted).
    expect(JSON.parse(answer.body)).toMatchObject({
      from: '2026-03-04',
      to: '2026-03-10',
      channels: [{ channel: 'google-ads', validLeads: 3, qualified: 2 }, { channel: 'meta-ads', validLeads: 2, qualified: 2 }, { channel: 'website' }],
    });
    expect((await rates(as('rep'))).statusCode).toBe(403);
    // It takes no parameters: one sent is named, as the report routes name an unknown one, not answered as if read.
    const withQuery = await createRates(() => deps)({ ...httpEvent({ path: '/reports/channel-rates', claims: as('finance') }), queryStringParameters: { windowDays: '30' } }, lambdaContext);
    expect(withQuery).toMatchObject({ statusCode: 400 });
    expect(JSON.parse((withQuery as { body: string }).body).issues).toEqual([{ path: 'windowDays', message: 'is not a parameter of this request; it takes none' }]);
  });
  it('in apply mode, the nightly rollup stores the measured priors and captures score with them, read at most every five minutes', async () => {
    const { deps } = await rolledUpFixture();
    deps.config.channelRoi.measuredChannelPriors = { mode: 'apply', windowDays: 7, minimumLeads: 2 };
    deps.config.scoring.channelPriors = { 'meta-ads': 10, 'google-ads': 5, website: 8 };
    await createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time: '2026-03-11T04:30:00.000Z' }, nightContext);
    // meta-ads qualifies better than average and google-ads worse (see the suggest case); website is under the minimum: no suggestion, it keeps its configured prior.
    const measured = deps.roi.measuredPriors!;
    expect(measured).toMatchObject({ from: '2026-03-04', to: '2026-03-10', measuredAt: '2026-03-11T04:30:00.000Z' });
    expect(measured.suggestedPriors.website).toBeUndefined();
    expect(measured.suggestedPriors['meta-ads']).toBeGreaterThan(10);

    const capture = async (leadId: string, at: Date) => {
      await ingestSubmission(
        { ...deps, newId: () => leadId },
        { sourceKind: 'meta', channel: 'meta-ads', poolId: 'americas-inbound', defaultCountry: 'US', contact: { email: `${leadId}@example.com` }, answers: {}, attribution: {}, isTest: false },
        at,
      );
      return deps.store.leads.get(leadId)!.score!.contributions.find((contribution) => contribution.ruleId === 'channel-prior')?.points;
    };
    const t0 = new Date('2026-03-11T09:00:00.000Z');
    expect(await capture('apply-1', t0)).toBe(measured.suggestedPriors['meta-ads']);
    // A newer measurement is picked up only once the container's copy is five minutes old.
    deps.roi.measuredPriors = { ...measured, suggestedPriors: { ...measured.suggestedPriors, 'meta-ads': 33 } };
    expect(await capture('apply-2', new Date(t0.getTime() + 4 * 60_000))).toBe(measured.suggestedPriors['meta-ads']);
    expect(await capture('apply-3', new Date(t0.getTime() + 5 * 60_000))).toBe(33);
    deps.config.channelRoi.measuredChannelPriors.mode = 'suggest';
    expect(await capture('apply-4', new Date(t0.getTime() + 6 * 60_000))).toBe(10);
  });
  it('in apply mode, a prior configured after the nightly rollup counts at once on every channel without a suggestion', async () => {
    const { deps } = await rolledUpFixture();
    deps.config.channelRoi.measuredChannelPriors = { mode: 'apply', windowDays: 7, minimumLeads: 2 };
    deps.config.scoring.channelPriors = { 'meta-ads': 10, 'google-ads': 5, website: 8 };
    await createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time: '2026-03-11T04:30:00.000Z' }, nightContext);
    const suggested = deps.roi.measuredPriors!.suggestedPriors;
    // This morning: website (under the minimum, no suggestion) is raised to 20 and tiktok-ads (no leads measured) gets 30.
    deps.config.scoring.channelPriors = { ...deps.config.scoring.channelPriors, website: 20, 'tiktok-ads': 30 };
    const capture = async (leadId: string, channel: string) => {
      await ingestSubmission(
        { ...deps, newId: () => leadId },
        { sourceKind: 'webhook', channel, poolId: 'americas-inbound', defaultCountry: 'US', contact: { email: `${leadId}@example.com` }, answers: {}, attribution: {}, isTest: false },
        new Date('2026-03-11T13:00:00.000Z'),
      );
      return deps.store.leads.get(leadId)!.score!.contributions.find((contribution) => contribution.ruleId === 'channel-prior')?.points;
    };
    expect(await capture('morning-web', 'website')).toBe(20);
    expect(await capture('morning-tiktok', 'tiktok-ads')).toBe(30);
    // A measured channel still scores with its suggestion.
    expect(await capture('morning-meta', 'meta-ads')).toBe(suggested['meta-ads']);
  });
});

describe('the nightly rollup with more changed days than one invocation has time for', () => {
  it('rolls up yesterday first, then the changed days newest first while its time lasts, writes the measured priors, and leaves the oldest marked for the next night', async () => {
    const deps = roiDependencies();
    deps.config.channelRoi.measuredChannelPriors = { mode: 'apply', windowDays: 7, minimumLeads: 2 };
    // Every rep activity marks its lead's capture day changed: yesterday (the 10th) and the 90 days before it are all marked.
    const yesterday = '2026-03-10';
    const marked = Array.from({ length: 91 }, (_, back) => addDays(yesterday, -back));
    for (const day of marked) await deps.roi.replaceSpend([{ day, channel: 'meta-ads', campaigns: [{ campaign: 'spring', cents: 10_000 }] }], { markedAt: `${day}T20:00:00.000Z`, expiresAt: () => 0 });
    const rolledUp: string[] = [];
    const factsOn = deps.roi.factsOn.bind(deps.roi);
    deps.roi.factsOn = async (day) => (rolledUp.push(day), factsOn(day));
    // Each day takes 9 s of the function's 300 (a busy day's facts read, rolled up, filed and stored).
    const backlogged = { ...lambdaContext, getRemainingTimeInMillis: () => 300_000 - 9_000 * rolledUp.length };

    const first = (await createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time: '2026-03-11T04:30:00.000Z' }, backlogged)) as { days: Array<{ day: string }>; left: string[] };
    // A day starts while 60 s are left, a day's rollup and what follows the days: 27 days, then it stops before its timeout.
    expect(first.days.map(({ day }) => day)).toEqual(marked.slice(0, 27));
    expect(first.left).toEqual(marked.slice(27));
    expect(backlogged.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(deps.roi.versions.has(`${yesterday} 1`)).toBe(true);
    expect(deps.roi.measuredPriors).toMatchObject({ from: '2026-03-04', to: yesterday, measuredAt: '2026-03-11T04:30:00.000Z' });
    expect([...deps.roi.changed.keys()].sort().reverse()).toEqual(first.left);

    // The next night, with time enough: its own yesterday, then what was left, newest first, but for the day that has left the lookback window.
    const second = (await createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time: '2026-03-12T04:30:00.000Z' }, nightContext)) as { days: Array<{ day: string }>; left?: string[] };
    expect(second.days.map(({ day }) => day)).toEqual(['2026-03-11', ...first.left.slice(0, -1)]);
    expect(second.left).toBeUndefined();
    expect([...deps.roi.changed.keys()]).toEqual(['2025-12-10']);
  });
});

describe('the nightly rollup after nights without a run', () => {
  type NightlyAnswer = { days: Array<{ day: string }>; left?: string[] };
  const spendOn = (deps: Deps, day: string) => deps.roi.replaceSpend([{ day, channel: 'meta-ads', campaigns: [{ campaign: 'spring', cents: 10_000 }] }], { markedAt: `${day}T20:00:00.000Z`, expiresAt: () => 0 });

  it('rolls up the day before a night the clocks jumped over 00:30, when the manifest’s schedule did not run', async () => {
    const deps = roiDependencies();
    deps.config.organisation.timeZone = 'America/Santiago';
    const { trigger } = manifestFunctions(deps.config).find(({ name }) => name === 'roll-up-channel-roi')!;
    if (trigger.kind !== 'schedule') throw new Error('roll-up-channel-roi runs on a schedule');
    // Santiago goes from 00:00 to 01:00 on 2026-09-06: the schedule fires at 00:30 on the 5th and the 7th, not on the 6th.
    const fires = fireTimesBetween(trigger.expression, new Date('2026-09-04T12:00:00Z'), new Date('2026-09-07T12:00:00Z'), { timeZone: trigger.timeZone });
    expect(fires.map((at) => localDay(at, trigger.timeZone))).toEqual(['2026-09-05', '2026-09-07']);
    // Spend on the 4th and the 6th; nothing marks the 5th changed.
    await spendOn(deps, '2026-09-04');
    await spendOn(deps, '2026-09-06');
    const runs: NightlyAnswer[] = [];
    for (const at of fires) runs.push(await createNightly(() => deps)({ scheduleName: trigger.scheduleName, time: at.toISOString() }, nightContext));
    expect(runs.map(({ days }) => days.map(({ day }) => day))).toEqual([['2026-09-04'], ['2026-09-06', '2026-09-05']]);
    expect([...deps.roi.versions.keys()].sort()).toEqual(['2026-09-04 1', '2026-09-05 1', '2026-09-06 1']);
    expect(deps.roi.closedDay).toBe('2026-09-06');
  });

  it('marks each day since the last closed night that it leaves or cannot roll up, so the next night rolls it up; a night replayed does not reopen any', async () => {
    const deps = roiDependencies();
    const nightly = (time: string, context: Pick<typeof lambdaContext, 'getRemainingTimeInMillis'> = nightContext) =>
      createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time }, context) as Promise<NightlyAnswer>;
    await nightly('2026-03-01T05:30:00.000Z');
    expect(deps.roi.closedDay).toBe('2026-02-28');
    // The machine was off from the 1st to the 11th: the run at 00:30 on the 12th has the 1st to the 11th to close, time for four days
    // (a minute each), and cannot store the 9th.
    const rolledUp: string[] = [];
    const factsOn = deps.roi.factsOn.bind(deps.roi);
    deps.roi.factsOn = async (day) => (rolledUp.push(day), factsOn(day));
    const addVersion = deps.roi.addVersion.bind(deps.roi);
    deps.roi.addVersion = async (version) => {
      if (version.day === '2026-03-09' && version.version === 1) throw new Error('Service unavailable');
      return addVersion(version);
    };
    await expect(nightly('2026-03-12T04:30:00.000Z', { getRemainingTimeInMillis: () => 300_000 - 60_000 * rolledUp.length })).rejects.toThrow('Rolling up 2026-03-09 failed: Service unavailable');
    expect(rolledUp).toEqual(['2026-03-11', '2026-03-10', '2026-03-09', '2026-03-08']);
    expect([...deps.roi.changed.keys()].sort()).toEqual([...daysBetween('2026-03-01', '2026-03-07'), '2026-03-09']);
    expect(deps.roi.closedDay).toBe('2026-03-11');

    deps.roi.addVersion = addVersion;
    const next = await nightly('2026-03-13T04:30:00.000Z');
    expect(next.days.map(({ day }) => day)).toEqual(['2026-03-12', '2026-03-09', ...daysBetween('2026-03-01', '2026-03-07').reverse()]);
    expect(daysBetween('2026-02-28', '2026-03-12').filter((day) => !deps.roi.versions.has(`${day} 1`))).toEqual([]);
    expect(deps.roi.changed.size).toBe(0);
    // Replayed as of the 5th (POST /_local/schedules/roll-up-channel-roi/run): the 4th is rolled up again, and the 12th stays the last day closed.
    expect((await nightly('2026-03-05T05:30:00.000Z')).days.map(({ day }) => day)).toEqual(['2026-03-04']);
    expect(deps.roi.closedDay).toBe('2026-03-12');
  });
});

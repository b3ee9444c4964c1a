import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { daysBetween, rollUpDay, roiFactsOfLead, type Configuration, type Lead, type LeadRoiFacts, type RollupVersion } from '@leadflow/domain';
import {
  DirectoryReportArchive,
  DynamoDbChannelRoiStore,
  DynamoDbLeadStore,
  lastClosedRollupDayKey,
  leadsTableKeys,
  partitionsOf,
  roiChangedPartition,
  rollUpChannelRoiDays,
  shardedPartition,
  sparseIndexShardCount,
} from '@leadflow/platform';
import { createHandler as createRecordSpend } from '../../functions/record-spend/handler';
import { createHandler as createTrack } from '../../functions/track-channel-roi/handler';
import { createHandler as createNightly } from '../../functions/roll-up-channel-roi/handler';
import { createHandler as createReport } from '../../functions/get-channel-roi-report/handler';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { busEvent, httpEvent, lambdaContext } from '../support/api-gateway-events';
import { expectedFirstTouchCampaignCsv, fixtureExchangeRates, fixtureLeadRecords, fixtureSpendCsv } from '../fixtures/channel-roi/hand-computed';

/** The nightly function's 300 s, all left when it starts. */
const nightContext = { ...lambdaContext, getRemainingTimeInMillis: () => 300_000 };
let database: TestDatabase;
let reportsDir: string;
/** Items DynamoDB handed back to reads since the last reset: what a rollup's cost is measured in. */
let itemsRead = 0;

beforeAll(async () => {
  database = await startTestDatabase();
  reportsDir = mkdtempSync(join(tmpdir(), 'leadflow-roi-'));
  database.client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = (result.output ?? {}) as { Items?: unknown[]; Item?: unknown };
      itemsRead += (output.Items?.length ?? 0) + (output.Item ? 1 : 0);
      return result;
    },
    { step: 'initialize', name: 'countItemsRead' },
  );
}, 120_000);
// The tests share the table: each starts before any nightly run has closed a day, so its first run closes its yesterday alone.
beforeEach(async () => {
  await database.client.send(new DeleteCommand({ TableName: database.tableName, Key: lastClosedRollupDayKey() }));
});
afterAll(async () => {
  await database?.stop();
  if (reportsDir) rmSync(reportsDir, { recursive: true, force: true });
});

function world() {
  const config: Configuration = demoConfiguration();
  config.channelRoi.exchangeRates = fixtureExchangeRates;
  let now = new Date('2026-03-11T04:30:00.000Z');
  const deps = {
    config,
    leads: new DynamoDbLeadStore(database.client, database.tableName),
    roi: new DynamoDbChannelRoiStore(database.client, database.tableName),
    reports: new DirectoryReportArchive(reportsDir),
    now: () => now,
  };
  return { deps, setNow: (at: string) => (now = new Date(at)) };
}

/** The DynamoDB requests `act` sends, in order. */
async function requestsOf(act: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const record = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
    sent.push(context.commandName ?? '?');
    return next(args);
  };
  database.client.middlewareStack.add(record as never, { step: 'initialize', name: 'recordRequests' });
  try {
    await act();
  } finally {
    database.client.middlewareStack.remove('recordRequests');
  }
  return sent;
}

async function putLead(client: DynamoDBDocumentClient, lead: Lead): Promise<void> {
  await client.send(new PutCommand({ TableName: database.tableName, Item: { ...leadsTableKeys.lead(lead.leadId), entity: 'lead', ...lead } }));
}

const track = (deps: ReturnType<typeof world>['deps'], detailType: string, detail: unknown) => createTrack(() => deps)(busEvent(detailType, detail), lambdaContext);
const lifecycle = (lead: Lead) => ({ eventId: `${lead.leadId}-${Math.random()}`, leadId: lead.leadId, poolId: lead.poolId, channel: lead.channel, capturedAt: lead.capturedAt, by: 'rep-ava' });
const captured = (lead: Lead) => ({
  eventId: `${lead.leadId}-captured`,
  leadId: lead.leadId,
  status: 'new',
  isTest: lead.isTest,
  sourceKind: lead.source.kind,
  poolId: lead.poolId,
  channel: lead.channel,
  capturedAt: lead.capturedAt,
});

/** A day of `count` leads over `campaigns` campaigns, captured, contacted, qualified and won at scattered times (the same each run). */
function busyDay(day: string, count: number, campaigns: number): RollupVersion {
  let seed = 1;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const at = (ms: number) => new Date(ms).toISOString();
  const facts = Array.from({ length: count }, (_, index): LeadRoiFacts => {
    const captured = Date.parse(`${day}T00:00:00.000Z`) + Math.floor(random() * 86_400_000);
    const contacted = captured + Math.floor(random() * 3 * 86_400_000);
    const qualified = contacted + Math.floor(random() * 10 * 86_400_000);
    const converted = qualified + Math.floor(random() * 30 * 86_400_000);
    const reached = random();
    return {
      leadId: `busy-${index}`,
      day,
      channel: ['meta-ads', 'google-ads', 'tiktok-ads', 'website'][index % 4],
      firstCampaign: `c${index % campaigns}`,
      lastCampaign: `c${(index * 7) % campaigns}`,
      kind: 'lead',
      invalid: random() < 0.1,
      contacted: reached < 0.8,
      qualified: reached < 0.3,
      converted: reached < 0.1,
      revenueCents: reached < 0.1 ? 100_000 : 0,
      ...(reached < 0.8 ? { firstContactSeconds: Math.round((contacted - captured) / 1000) } : {}),
      slaBreached: false,
      reachedAt: {
        captured: at(captured),
        valid: at(captured),
        ...(reached < 0.8 ? { contacted: at(contacted) } : {}),
        ...(reached < 0.3 ? { qualified: at(qualified) } : {}),
        ...(reached < 0.1 ? { converted: at(converted) } : {}),
      },
      leadUpdatedAt: at(captured),
    };
  });
  return { day, version: 1, rolledUpAt: `${day}T23:00:00.000Z`, rows: rollUpDay(facts, []) };
}

async function report(deps: ReturnType<typeof world>['deps'], query: Record<string, string>) {
  const event = httpEvent({ path: '/reports/channel-roi', claims: { sub: 'fin', 'cognito:groups': '[finance]' } });
  event.queryStringParameters = query;
  return (await createReport(() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
}

describe('channel ROI against DynamoDB Local', () => {
  it('rolls up the fixture to the hand-computed CSV; a conversion 40 days late restates the day as version 2, and sinceVersion=1 shows just that row', { timeout: 120_000 }, async () => {
    const { deps, setNow } = world();
    const spend = (await createRecordSpend(() => deps)(
      httpEvent({ method: 'POST', path: '/spend', headers: { 'content-type': 'text/csv' }, body: fixtureSpendCsv, claims: { sub: 'fin', 'cognito:groups': '[finance]' } }),
      lambdaContext,
    )) as { statusCode: number };
    expect(spend.statusCode).toBe(200);
    for (const { lead, slaBreached } of fixtureLeadRecords) {
      await putLead(database.client, lead);
      await track(deps, 'lead.captured', captured(lead));
      if (slaBreached) await track(deps, 'lead.sla_breached', { ...lifecycle(lead), sla: 'first_contact', dueAt: lead.capturedAt, breach: 1, breachedAt: lead.capturedAt });
    }
    await createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time: '2026-03-11T04:30:00.000Z' }, nightContext);
    const v1 = await report(deps, { from: '2026-03-10', to: '2026-03-10' });
    expect(v1.body).toBe(expectedFirstTouchCampaignCsv);
    expect(readFileSync(join(reportsDir, 'channel-roi/date=2026-03-10/v1.csv'), 'utf8')).toContain(expectedFirstTouchCampaignCsv.split('\r\n')[4]);

    // Forty days later l2 (meta-ads, first touch spring, last touch retarget) converts for 300.00 USD.
    const l2 = fixtureLeadRecords[1].lead;
    const convertedAt = '2026-04-19T16:00:00.000Z';
    setNow(convertedAt);
    await putLead(database.client, {
      ...l2,
      status: 'converted',
      conversion: { revenue: 300, currency: 'USD', wonAt: convertedAt, by: 'rep-ava' },
      updatedAt: convertedAt,
      history: [...l2.history, { at: convertedAt, action: 'converted', by: 'rep-ava' }],
    });
    await track(deps, 'lead.converted', { ...lifecycle(l2), revenue: 300, currency: 'USD', wonAt: convertedAt, convertedAt });
    const nightly = (await createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time: '2026-04-20T04:30:00.000Z' }, nightContext)) as { days: Array<{ day: string; version: number; restated: boolean }> };
    expect(nightly.days.find((day) => day.day === '2026-03-10')).toMatchObject({ version: 2, restated: true });

    const since = await report(deps, { from: '2026-03-01', to: '2026-04-19', sinceVersion: '1' });
    expect(since.body).toBe(
      [
        'date,attribution,channel,campaign,version,leads,valid,invalid,test,quarantined,contacted,qualified,converted,revenue,spend,cpl,cost_per_qualified_lead,cac,roas,roi,median_minutes_to_first_contact,sla_breach_rate,change',
        // spring, first touch: converted 1 → 2, revenue 1200 → 1500, CAC 400/2 = 200.00, ROAS 1500/400 = 3.7500, ROI 1100/400 = 2.7500.
        '2026-03-10,first,meta-ads,spring,2,3,2,1,1,0,2,2,2,1500.00,400.00,133.33,200.00,200.00,3.7500,2.7500,10.0,0.5000,changed',
        '',
      ].join('\r\n'),
    );
    // The same change asked by the time of an export after the first night: each day against its latest version then.
    expect((await report(deps, { from: '2026-03-10', to: '2026-03-10', changedSince: '2026-03-12T00:00:00Z' })).body).toBe(since.body);
    expect((await deps.roi.versionAsOf('2026-03-10', '2026-03-12T00:00:00Z'))?.version).toBe(1);
    expect((await deps.roi.versionAsOf('2026-03-10', '2026-04-20T04:30:00.000Z'))?.version).toBe(2);
    expect(await deps.roi.versionAsOf('2026-03-10', '2026-03-11T04:29:59Z')).toBeUndefined();
    const lastTouch = await report(deps, { from: '2026-03-10', to: '2026-03-10', sinceVersion: '1', attribution: 'last', groupBy: 'channel' });
    // meta-ads, last touch: converted 1 → 2, revenue 1500.00; spend 500.00; CAC 250.00; ROAS 3.0000; ROI 2.0000.
    expect(lastTouch.body.split('\r\n')[1]).toBe('2026-03-10,last,meta-ads,2,3,2,1,1,0,2,2,2,1500.00,500.00,166.67,250.00,250.00,3.0000,2.0000,10.0,0.5000,changed');
    expect(readFileSync(join(reportsDir, 'channel-roi/date=2026-03-10/v2.csv'), 'utf8')).toContain('2026-03-10,first,meta-ads,spring,2,3,2,1,1,0,2,2,2,1500.00');
    // The next night nothing changed: no version 3.
    const quiet = (await createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time: '2026-04-21T04:30:00.000Z' }, nightContext)) as { days: Array<{ day: string }> };
    expect(quiet.days.map((day) => day.day)).toEqual(['2026-04-20']);
  });

  it('moves a lead’s facts to the day a new organisation time zone files it under: the old day keeps none, both are restated, the lead counts once', { timeout: 120_000 }, async () => {
    const { deps } = world();
    // 21:30 on 2027-02-10 in New York, 02:30 on 2027-02-11 in London; no other test's days are within these runs' lookback.
    const lead: Lead = { ...fixtureLeadRecords[1].lead, leadId: 'tz-moved', capturedAt: '2027-02-11T02:30:00.000Z', updatedAt: '2027-02-11T02:30:00.000Z' };
    await putLead(database.client, lead);
    const nightly = (time: string) => createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time }, nightContext) as Promise<{ days: Array<{ day: string }> }>;
    const leadsOn = async (day: string) => ((await deps.roi.latestVersion(day))?.rows ?? []).filter((row) => row.attribution === 'first').reduce((sum, row) => sum + row.leads, 0);
    const factsOfLead = async (day: string) => (await deps.roi.factsOn(day)).filter((facts) => facts.leadId === lead.leadId);

    // The lead's first event looks for its facts under the other day it may have been filed under; later ones send what they sent before.
    expect(await requestsOf(() => track(deps, 'lead.captured', captured(lead)))).toEqual(['GetItemCommand', 'UpdateItemCommand', 'GetItemCommand', 'PutItemCommand']);
    const breached = { ...lifecycle(lead), sla: 'first_contact', dueAt: lead.capturedAt, breach: 1, breachedAt: lead.capturedAt };
    expect(await requestsOf(() => track(deps, 'lead.sla_breached', breached))).toEqual(['GetItemCommand', 'UpdateItemCommand', 'PutItemCommand']);
    expect((await factsOfLead('2027-02-10')).map((facts) => facts.slaBreached)).toEqual([true]);
    await nightly('2027-02-11T05:30:00.000Z');
    expect(await leadsOn('2027-02-10')).toBe(1);

    deps.config.organisation.timeZone = 'Europe/London';
    await putLead(database.client, { ...lead, updatedAt: '2027-02-12T10:00:00.000Z' });
    const changedAt = '2027-02-12T10:00:00.000Z';
    expect(await requestsOf(() => track(deps, 'lead.status_changed', { ...lifecycle(lead), from: 'contacted', to: 'qualified', changedAt }))).toEqual([
      'GetItemCommand',
      'UpdateItemCommand',
      // The facts found under the 10th: their breach carried over, then deleted with the 10th's changed mark in one transaction.
      'GetItemCommand',
      'UpdateItemCommand',
      'TransactWriteItemsCommand',
      // The 11th marked once its facts are whole.
      'PutItemCommand',
    ]);
    expect(await factsOfLead('2027-02-10')).toEqual([]);
    expect((await factsOfLead('2027-02-11')).map(({ day, slaBreached, leadUpdatedAt }) => ({ day, slaBreached, leadUpdatedAt }))).toEqual([{ day: '2027-02-11', slaBreached: true, leadUpdatedAt: changedAt }]);
    expect((await deps.roi.changedDays('2027-02-10', '2027-02-11')).map((mark) => mark.day)).toEqual(['2027-02-10', '2027-02-11']);
    expect(await requestsOf(() => track(deps, 'lead.touched', { eventId: 'tz-moved-touched', leadId: lead.leadId, channel: lead.channel, sourceKind: lead.source.kind, touchedAt: changedAt }))).toEqual([
      'GetItemCommand',
      'UpdateItemCommand',
      'PutItemCommand',
    ]);

    // 04:30 on the 13th in London: yesterday, then both changed days within the lookback, newest first.
    expect((await nightly('2027-02-13T04:30:00.000Z')).days.map(({ day }) => day)).toEqual(['2027-02-12', '2027-02-11', '2027-02-10']);
    expect([await leadsOn('2027-02-10'), await leadsOn('2027-02-11')]).toEqual([0, 1]);
  });

  it('moves the facts when an event that failed after filing them under the new day is retried', { timeout: 120_000 }, async () => {
    const { deps } = world();
    const lead: Lead = { ...fixtureLeadRecords[0].lead, leadId: 'tz-retried', capturedAt: '2027-03-21T01:00:00.000Z', updatedAt: '2027-03-21T01:00:00.000Z' };
    await putLead(database.client, lead);
    await track(deps, 'lead.captured', captured(lead));
    expect((await deps.roi.factsOn('2027-03-20')).map((facts) => facts.leadId)).toEqual([lead.leadId]);

    deps.config.organisation.timeZone = 'Europe/London';
    await putLead(database.client, { ...lead, updatedAt: '2027-03-22T09:00:00.000Z' });
    const event = { ...lifecycle(lead), from: 'contacted', to: 'qualified', changedAt: '2027-03-22T09:00:00.000Z' };
    const failDelete = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      if (context.commandName === 'TransactWriteItemsCommand') throw new Error('DynamoDB unavailable');
      return next(args);
    };
    database.client.middlewareStack.add(failDelete as never, { step: 'initialize', name: 'failDelete' });
    try {
      await expect(track(deps, 'lead.status_changed', event)).rejects.toThrow('DynamoDB unavailable');
    } finally {
      database.client.middlewareStack.remove('failDelete');
    }
    // Filed under both days until the retry: the facts under the 21st say which event filed them.
    expect((await deps.roi.factsOn('2027-03-20')).map((facts) => facts.leadId)).toEqual([lead.leadId]);
    await track(deps, 'lead.status_changed', event);
    expect(await deps.roi.factsOn('2027-03-20')).toEqual([]);
    expect((await deps.roi.factsOn('2027-03-21')).map((facts) => facts.leadId)).toEqual([lead.leadId]);
    expect((await deps.roi.changedDays('2027-03-20', '2027-03-21')).map((mark) => mark.day)).toEqual(['2027-03-20', '2027-03-21']);
  });

  it('never recreates facts that a time-zone move took off a day while a late SLA breach was counted there', { timeout: 60_000 }, async () => {
    const { deps } = world();
    const lead: Lead = { ...fixtureLeadRecords[0].lead, leadId: 'tz-breach-race', capturedAt: '2027-04-21T01:00:00.000Z', updatedAt: '2027-04-21T09:00:00.000Z' };
    const reporting = { timeZone: deps.config.organisation.timeZone, currency: deps.config.organisation.currency, channelRoi: deps.config.channelRoi };
    const newer = roiFactsOfLead(lead, reporting);
    const older = roiFactsOfLead({ ...lead, updatedAt: '2027-04-21T08:00:00.000Z' }, reporting);
    const options = { otherCaptureDays: [], markedAt: '2027-04-22T00:00:00.000Z', markExpiresAt: () => 1_900_000_000 };
    await deps.roi.recordFacts(newer, { ...options, eventId: 'newer', slaBreached: false });
    // The older read's breach finds newer facts; before it is counted on them, an event under the new time zone moves them to another day.
    const moveFirst = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: { UpdateExpression?: string } }) => {
      if (context.commandName === 'UpdateItemCommand' && args.input.UpdateExpression === 'SET slaBreached = :true')
        await database.client.send(new DeleteCommand({ TableName: database.tableName, Key: leadsTableKeys.roiFacts(newer.day, lead.leadId) }));
      return next(args);
    };
    database.client.middlewareStack.add(moveFirst as never, { step: 'initialize', name: 'moveFirst' });
    try {
      await expect(deps.roi.recordFacts(older, { ...options, eventId: 'older-breach', slaBreached: true })).rejects.toThrow('retried to read the lead again');
    } finally {
      database.client.middlewareStack.remove('moveFirst');
    }
    expect(await deps.roi.factsOn(newer.day)).toEqual([]);
  });

  it('spreads many leads’ changed marks over the shards; the nightly run restates every changed day, one marked before sharding too, and clears every mark', { timeout: 120_000 }, async () => {
    const { deps, setNow } = world();
    // No other test's days are within these runs' lookback.
    const days = ['2027-09-08', '2027-09-09', '2027-09-10'];
    const leadsOfDay = (day: string) =>
      Array.from({ length: 12 }, (_, index): Lead => ({ ...fixtureLeadRecords[1].lead, leadId: `sharded-${day}-${index}`, capturedAt: `${day}T15:00:00.000Z`, updatedAt: `${day}T15:00:00.000Z` }));
    setNow('2027-09-11T02:00:00.000Z');
    for (const lead of days.flatMap(leadsOfDay)) {
      await putLead(database.client, lead);
      await track(deps, 'lead.captured', captured(lead));
    }
    const marksOn = async (from: string, to: string) =>
      (
        await Promise.all(
          partitionsOf(roiChangedPartition).map(
            async (partition) =>
              (
                await database.client.send(
                  new QueryCommand({ TableName: database.tableName, KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to', ExpressionAttributeValues: { ':pk': partition, ':from': from, ':to': to } }),
                )
              ).Items ?? [],
          ),
        )
      ).flat();
    const shards = new Set((await marksOn(days[0], days[2])).map((mark) => mark.pk as string));
    expect(shards).toEqual(new Set(days.flatMap(leadsOfDay).map((lead) => shardedPartition(roiChangedPartition, lead.leadId))));
    // 36 leads reach every shard.
    expect(shards.size).toBe(sparseIndexShardCount);
    expect(shards.has(roiChangedPartition)).toBe(false);

    // A day a deployment from before the marks were sharded marked under the bare partition: its lead's facts, and only that mark.
    const legacyDay = '2027-09-07';
    const [legacyLead] = leadsOfDay(legacyDay);
    await putLead(database.client, legacyLead);
    await track(deps, 'lead.captured', captured(legacyLead));
    await database.client.send(new DeleteCommand({ TableName: database.tableName, Key: leadsTableKeys.roiChangedDay(shardedPartition(roiChangedPartition, legacyLead.leadId), legacyDay) }));
    await database.client.send(
      new PutCommand({ TableName: database.tableName, Item: { pk: roiChangedPartition, sk: legacyDay, entity: 'roi-changed', day: legacyDay, markedAt: '2027-09-07T16:00:00.000Z', expiresAt: 1_900_000_000 } }),
    );
    const changed = await deps.roi.changedDays(legacyDay, days[2]);
    expect(changed.map(({ day }) => day)).toEqual([legacyDay, ...days]);
    expect(changed[0].marks).toEqual([{ shard: roiChangedPartition, markedAt: '2027-09-07T16:00:00.000Z' }]);
    expect(changed[1].marks.every((mark) => typeof mark.markId === 'string')).toBe(true);
    expect(changed.slice(1).map(({ marks }) => marks.length)).toEqual(days.map((day) => new Set(leadsOfDay(day).map((lead) => shardedPartition(roiChangedPartition, lead.leadId))).size));

    // 00:30 on the 12th in New York: yesterday, then each changed day once, newest first, whatever number of shards marked it.
    const nightly = (await createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time: '2027-09-12T04:30:00.000Z' }, nightContext)) as { days: Array<{ day: string }> };
    expect(nightly.days.map(({ day }) => day)).toEqual(['2027-09-11', ...[...days].reverse(), legacyDay]);
    const leadsOn = async (day: string) => ((await deps.roi.latestVersion(day))?.rows ?? []).filter((row) => row.attribution === 'first').reduce((sum, row) => sum + row.leads, 0);
    expect(await Promise.all([legacyDay, ...days].map(leadsOn))).toEqual([1, 12, 12, 12]);
    expect(await marksOn(legacyDay, days[2])).toEqual([]);
  });

  it('keeps a mark made again in the very millisecond of the marking the rollup read, and clears one made before marks had ids', { timeout: 60_000 }, async () => {
    const { deps } = world();
    const day = '2027-12-01';
    const lead: Lead = { ...fixtureLeadRecords[1].lead, leadId: 'same-millisecond', capturedAt: `${day}T15:00:00.000Z`, updatedAt: `${day}T15:00:00.000Z` };
    const reporting = { timeZone: deps.config.organisation.timeZone, currency: deps.config.organisation.currency, channelRoi: deps.config.channelRoi };
    const options = { otherCaptureDays: [], markedAt: `${day}T16:00:00.000Z`, markExpiresAt: () => 1_900_000_000, slaBreached: false };
    await deps.roi.recordFacts(roiFactsOfLead(lead, reporting), { ...options, eventId: 'first' });
    const [read] = await deps.roi.changedDays(day, day);
    await deps.roi.recordFacts(roiFactsOfLead({ ...lead, status: 'qualified' }, reporting), { ...options, eventId: 'second' });
    await deps.roi.clearChanged(read);
    expect((await deps.roi.changedDays(day, day)).flatMap((changed) => changed.marks)).toEqual([expect.objectContaining({ markedAt: options.markedAt, markId: expect.any(String) })]);
    // A mark written before marks had ids is still cleared by its time.
    const legacy = { pk: roiChangedPartition, sk: day, entity: 'roi-changed', day, markedAt: options.markedAt, expiresAt: 1_900_000_000 };
    await database.client.send(new PutCommand({ TableName: database.tableName, Item: legacy }));
    await deps.roi.clearChanged({ day, marks: [{ shard: roiChangedPartition, markedAt: options.markedAt }] });
    expect((await deps.roi.changedDays(day, day)).flatMap((changed) => changed.marks.map((mark) => mark.shard))).toEqual([shardedPartition(roiChangedPartition, lead.leadId)]);
  });

  it('keeps a day marked on each shard a lead event marks while the nightly run rolls the day up, so the next run counts the change', { timeout: 120_000 }, async () => {
    const { deps, setNow } = world();
    const day = '2027-11-10';
    const lead = (id: string): Lead => ({ ...fixtureLeadRecords[1].lead, leadId: `raced-${id}`, capturedAt: `${day}T15:00:00.000Z`, updatedAt: `${day}T15:00:00.000Z` });
    setNow(`${day}T16:00:00.000Z`);
    for (const id of ['a', 'b']) {
      await putLead(database.client, lead(id));
      await track(deps, 'lead.captured', captured(lead(id)));
    }
    // Once the run has read the day's facts: lead a (a shard whose mark the run read) converts, and lead c (any shard) is captured.
    let raced = false;
    const raceTheRollup = (next: (args: unknown) => Promise<unknown>) => async (args: { input: { ExpressionAttributeValues?: Record<string, unknown> } }) => {
      const result = await next(args);
      if (!raced && args.input.ExpressionAttributeValues?.[':pk'] === leadsTableKeys.roiFacts(day, '').pk) {
        raced = true;
        setNow('2027-11-12T04:30:01.000Z');
        const convertedAt = '2027-11-12T04:30:00.000Z';
        const converted: Lead = {
          ...lead('a'),
          status: 'converted',
          conversion: { revenue: 300, currency: 'USD', wonAt: convertedAt, by: 'rep-ava' },
          updatedAt: convertedAt,
          history: [...lead('a').history, { at: convertedAt, action: 'converted', by: 'rep-ava' }],
        };
        await putLead(database.client, converted);
        await track(deps, 'lead.converted', { ...lifecycle(converted), revenue: 300, currency: 'USD', wonAt: convertedAt, convertedAt });
        await putLead(database.client, lead('c'));
        await track(deps, 'lead.captured', captured(lead('c')));
      }
      return result;
    };
    const nightly = (time: string) => createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time }, nightContext) as Promise<{ days: Array<{ day: string; version: number }> }>;
    const firstTouch = async () => ((await deps.roi.latestVersion(day))?.rows ?? []).filter((row) => row.attribution === 'first');
    database.client.middlewareStack.add(raceTheRollup as never, { step: 'initialize', name: 'raceTheRollup' });
    try {
      // 00:30 on the 12th in New York: the day is a changed day before yesterday.
      expect((await nightly('2027-11-12T05:30:00.000Z')).days.find((rolled) => rolled.day === day)).toMatchObject({ version: 1 });
    } finally {
      database.client.middlewareStack.remove('raceTheRollup');
    }
    expect(raced).toBe(true);
    expect((await firstTouch()).reduce((sum, row) => sum + row.leads, 0)).toBe(2);
    const marks = (await deps.roi.changedDays(day, day)).flatMap((changed) => changed.marks);
    expect(new Set(marks.map((mark) => mark.shard))).toEqual(new Set(['a', 'c'].map((id) => shardedPartition(roiChangedPartition, lead(id).leadId))));

    expect((await nightly('2027-11-13T05:30:00.000Z')).days.find((rolled) => rolled.day === day)).toMatchObject({ version: 2 });
    const rows = await firstTouch();
    expect([rows.reduce((sum, row) => sum + row.leads, 0), rows.reduce((sum, row) => sum + row.converted, 0)]).toEqual([3, 1]);
    expect(await deps.roi.changedDays(day, day)).toEqual([]);
  });

  it('keeps the last day a nightly run closed: the next run rolls up the days since, marks on the table those it leaves, and a run replayed does not move it back', { timeout: 120_000 }, async () => {
    const { deps } = world();
    // No other test's days are within these runs' lookback.
    const nightly = (time: string, context: Pick<typeof lambdaContext, 'getRemainingTimeInMillis'> = nightContext) =>
      createNightly(() => deps)({ scheduleName: 'roll-up-channel-roi', time }, context) as Promise<{ days: Array<{ day: string }>; left?: string[] }>;
    expect((await nightly('2028-06-02T04:30:00.000Z')).days.map(({ day }) => day)).toEqual(['2028-06-01']);
    expect(await deps.roi.lastClosedDay()).toBe('2028-06-01');

    // No run for five nights, then one with time for two days (two minutes each).
    const rolledUp: string[] = [];
    const factsOn = deps.roi.factsOn.bind(deps.roi);
    deps.roi.factsOn = async (day) => (rolledUp.push(day), factsOn(day));
    const late = await nightly('2028-06-07T04:30:00.000Z', { getRemainingTimeInMillis: () => 300_000 - 120_000 * rolledUp.length });
    expect(late.days.map(({ day }) => day)).toEqual(['2028-06-06', '2028-06-05']);
    expect(late.left).toEqual(['2028-06-04', '2028-06-03', '2028-06-02']);
    const marked = await deps.roi.changedDays('2028-06-01', '2028-06-06');
    expect(marked.map(({ day, marks }) => [day, marks.map((mark) => mark.shard)])).toEqual(['2028-06-02', '2028-06-03', '2028-06-04'].map((day) => [day, [shardedPartition(roiChangedPartition, day)]]));
    expect(await deps.roi.lastClosedDay()).toBe('2028-06-06');

    // The first night run again (a retry, a replay) closes nothing new and leaves the 6th the last day closed.
    expect((await nightly('2028-06-02T04:30:00.000Z')).days.map(({ day }) => day)).toEqual(['2028-06-01']);
    expect(await deps.roi.lastClosedDay()).toBe('2028-06-06');

    expect((await nightly('2028-06-08T04:30:00.000Z')).days.map(({ day }) => day)).toEqual(['2028-06-07', '2028-06-04', '2028-06-03', '2028-06-02']);
    expect(await deps.roi.changedDays('2028-06-01', '2028-06-07')).toEqual([]);
    expect(await Promise.all(daysBetween('2028-06-01', '2028-06-07').map(async (day) => (await deps.roi.latestVersion(day))?.version))).toEqual([1, 1, 1, 1, 1, 1, 1]);
  });

  it('reads the same number of items for a day with ten times more history', { timeout: 180_000 }, async () => {
    const { deps } = world();
    const day = '2026-05-20';
    const template = fixtureLeadRecords[0].lead;
    const leadsOn = async (date: string, count: number, prefix: string) => {
      for (let index = 0; index < count; index += 1) {
        const lead: Lead = { ...template, leadId: `${prefix}-${date}-${index}`, capturedAt: `${date}T15:00:00.000Z`, updatedAt: `${date}T15:00:00.000Z` };
        await putLead(database.client, lead);
        await track(deps, 'lead.captured', captured(lead));
      }
    };
    const readsToRollUp = async () => {
      itemsRead = 0;
      const [result] = await rollUpChannelRoiDays([day], deps);
      return { itemsRead, reported: result.itemsRead };
    };

    await leadsOn(day, 5, 'hist');
    await leadsOn('2026-05-19', 3, 'hist');
    await rollUpChannelRoiDays([day], deps);
    const withShortHistory = await readsToRollUp();
    // Ten times the other days' leads: 30 more on the day before, 27 spread over the month before.
    await leadsOn('2026-05-19', 27, 'more');
    for (const date of ['2026-04-20', '2026-05-01', '2026-05-10']) await leadsOn(date, 9, 'more');
    const withLongHistory = await readsToRollUp();

    // The day's 5 leads' facts, no spend, and its latest version, however long the history.
    expect(withShortHistory).toEqual({ itemsRead: 6, reported: 6 });
    expect(withLongHistory).toEqual(withShortHistory);
  });

  it('stores a busy day’s version, gzipped and in parts when even that is over an item’s 400 KB, and reads versions stored as JSON text', { timeout: 120_000 }, async () => {
    const { deps } = world();
    // 20,000 leads: some 640 KB of JSON, which DynamoDB refuses as one item; about 155 KB gzipped.
    const busy = busyDay('2026-08-03', 20_000, 15);
    expect(Buffer.byteLength(JSON.stringify(busy.rows))).toBeGreaterThan(400 * 1024);
    expect(await deps.roi.addVersion(busy)).toBe(true);
    expect(await deps.roi.latestVersion(busy.day)).toEqual(busy);
    expect(await deps.roi.addVersion({ ...busy, rolledUpAt: '2026-08-04T00:00:00.000Z' })).toBe(false);

    // 115,000 leads over 1,000 campaigns, each with won leads, so none is folded (the invalid tenth add no steps to the medians):
    // about 815 KB even gzipped, so the rows take the version's item and two parts.
    const busier = busyDay('2026-08-04', 115_000, 1000);
    expect(await deps.roi.addVersion(busier)).toBe(true);
    const parts = await database.client.send(
      new QueryCommand({ TableName: database.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :part)', ExpressionAttributeValues: { ':pk': 'ROLLUP#2026-08-04', ':part': 'P#' } }),
    );
    expect(parts.Items?.map((item) => item.sk)).toEqual(['P#000001#001', 'P#000001#002']);
    expect(await deps.roi.version(busier.day, 1)).toEqual(busier);

    const stored = busyDay('2026-08-05', 10, 2);
    await database.client.send(
      new PutCommand({
        TableName: database.tableName,
        Item: { ...leadsTableKeys.rollupVersion(stored.day, 'V#000001'), entity: 'roi-rollup', day: stored.day, version: 1, rolledUpAt: stored.rolledUpAt, rows: JSON.stringify(stored.rows) },
      }),
    );
    expect(await deps.roi.latestVersion(stored.day)).toEqual(stored);
  });

  it('replaces spend of more days and channels than one transaction holds, marking each day changed', { timeout: 60_000 }, async () => {
    const { deps, setNow } = world();
    // Spend is recorded for days that have passed: these are in the second half of 2026.
    setNow('2027-01-05T12:00:00.000Z');
    const days = Array.from({ length: 60 }, (_, index) => new Date(Date.UTC(2026, 6, 1 + index)).toISOString().slice(0, 10));
    const rows = days.flatMap((date) => ['meta-ads', 'google-ads'].map((channel) => ({ date, channel, campaign: 'summer', amount: '10.00', currency: 'USD' })));
    const answer = (await createRecordSpend(() => deps)(
      httpEvent({ method: 'POST', path: '/spend', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows }), claims: { sub: 'fin', 'cognito:groups': '[finance]' } }),
      lambdaContext,
    )) as { statusCode: number };
    expect(answer.statusCode).toBe(200);
    expect((await deps.roi.spendOn(days[59])).map((group) => group.channel).sort()).toEqual(['google-ads', 'meta-ads']);
    expect((await deps.roi.changedDays(days[0], days[59])).map((mark) => mark.day)).toEqual(days);
  });

  it('writes spend of more bytes than one transaction may carry in several, and refuses a day and channel too large for one item, naming the row', { timeout: 120_000 }, async () => {
    const { deps, setNow } = world();
    // Spend is recorded for days that have passed: these are in the second half of 2026.
    setNow('2027-01-05T12:00:00.000Z');
    const campaigns = (count: number) => Array.from({ length: count }, (_, index) => ({ campaign: `${String(index).padStart(5, '0')} ${'x'.repeat(190)}`, cents: 1000 }));
    // Fifteen days of about 270 KB each: 4 MB together, over DynamoDB's limit for one transaction.
    const days = Array.from({ length: 15 }, (_, index) => `2026-09-${String(index + 1).padStart(2, '0')}`);
    const transactionBytes: number[] = [];
    const measure = (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { input?: unknown }) => {
      if (context.commandName === 'TransactWriteItemsCommand') transactionBytes.push(Buffer.byteLength(JSON.stringify(args.input)));
      return next(args);
    };
    database.client.middlewareStack.add(measure as never, { step: 'initialize', name: 'measureTransactions' });
    try {
      await deps.roi.replaceSpend(
        days.map((day) => ({ day, channel: 'meta-ads', campaigns: campaigns(1200) })),
        { markedAt: '2026-10-01T00:00:00.000Z', expiresAt: () => 2_000_000_000 },
      );
    } finally {
      database.client.middlewareStack.remove('measureTransactions');
    }
    expect(transactionBytes.length).toBeGreaterThan(1);
    expect(Math.max(...transactionBytes)).toBeLessThan(4 * 1024 * 1024);
    expect((await deps.roi.spendOn(days[14]))[0].campaigns).toHaveLength(1200);

    const before = (await database.items()).length;
    const rows = Array.from({ length: 2100 }, (_, index) => ({ date: '2026-09-20', channel: 'meta-ads', campaign: `${String(index).padStart(5, '0')} ${'x'.repeat(190)}`, amount: '1.00', currency: 'USD' }));
    const answer = (await createRecordSpend(() => deps)(
      httpEvent({ method: 'POST', path: '/spend', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows }), claims: { sub: 'fin', 'cognito:groups': '[finance]' } }),
      lambdaContext,
    )) as { statusCode: number; body: string };
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body).issues).toEqual([
      { path: expect.stringMatching(/^rows\[1\d{3}\]\.campaign$/), message: expect.stringMatching(/^meta-ads on 2026-09-20 has more campaigns than one day and channel can keep \(300 KB/) },
    ]);
    expect((await database.items()).length).toBe(before);
  });

  it('rolls up a KWD sale and KWD spend in thousandths, reading KWD spend and versions stored in cents by earlier versions as the same amounts', { timeout: 120_000 }, async () => {
    const { deps } = world();
    deps.config.organisation.currency = 'KWD';
    deps.config.channelRoi.exchangeRates = [{ currency: 'USD', from: '2026-01-01', rate: 0.3075 }];
    const day = '2026-02-10';
    // What an earlier version stored for the day: google-ads spend of KWD 50.00 and a version, both in cents.
    await database.client.send(
      new PutCommand({
        TableName: database.tableName,
        Item: { ...leadsTableKeys.spend(day, 'google-ads'), entity: 'spend', day, channel: 'google-ads', campaigns: [{ campaign: 'brand', cents: 5000 }], importedAt: '2026-02-11T09:00:00.000Z' },
      }),
    );
    const storedRows = rollUpDay([], [{ day, channel: 'google-ads', campaigns: [{ campaign: 'brand', cents: 5000 }] }]);
    expect(await deps.roi.addVersion({ day, version: 1, rolledUpAt: '2026-02-11T09:30:00.000Z', rows: storedRows })).toBe(true);

    const spend = (await createRecordSpend(() => deps)(
      httpEvent({
        method: 'POST',
        path: '/spend',
        headers: { 'content-type': 'text/csv' },
        body: `date,channel,campaign,amount,currency\n${day},meta-ads,spring,12.345,KWD\n${day},meta-ads,summer,10.00,USD\n`,
        claims: { sub: 'fin', 'cognito:groups': '[finance]' },
      }),
      lambdaContext,
    )) as { statusCode: number };
    expect(spend.statusCode).toBe(200);
    const [{ lead }] = fixtureLeadRecords;
    const sale = (leadId: string, revenue: number, currency: string): Lead => ({
      ...lead,
      leadId,
      capturedAt: `${day}T14:00:00.000Z`,
      firstContactAt: `${day}T15:00:00.000Z`,
      updatedAt: `${day}T16:00:00.000Z`,
      history: lead.history.map((entry) => ({ ...entry, at: `${day}T15:00:00.000Z` })),
      conversion: { revenue, currency, wonAt: `${day}T16:00:00.000Z`, by: 'rep-ava' },
    });
    for (const converted of [sale('kwd-l1', 12.345, 'KWD'), sale('kwd-l2', 10, 'USD')]) {
      await putLead(database.client, converted);
      await track(deps, 'lead.converted', {
        ...lifecycle(converted),
        revenue: converted.conversion!.revenue,
        currency: converted.conversion!.currency,
        wonAt: converted.conversion!.wonAt,
        convertedAt: converted.conversion!.wonAt,
      });
    }
    expect(await rollUpChannelRoiDays([day], deps)).toMatchObject([{ day, version: 2, restated: true }]);
    const [versionItem] = (await database.items()).filter((item) => item.entity === 'roi-rollup' && item.day === day && item.version === 2);
    expect(versionItem.decimals).toBe(3);
    // Version 1 reads as it was stored.
    expect((await deps.roi.version(day, 1))?.rows).toEqual(storedRows);

    const channels = await report(deps, { from: day, to: day, groupBy: 'channel' });
    // meta-ads: revenue and spend KWD 12.345 + 3.075 (USD 10.00 at 0.3075); CPL and CAC 15.420 ÷ 2; google-ads: the KWD 50.00 stored in cents.
    expect(channels.body.split('\r\n').slice(1, 3)).toEqual([
      '2026-02-10,first,google-ads,2,0,0,0,0,0,0,0,0,0.000,50.000,,,,0.0000,-1.0000,,',
      '2026-02-10,first,meta-ads,2,2,2,0,0,0,2,2,2,15.420,15.420,7.710,7.710,7.710,1.0000,0.0000,60.0,0.0000',
    ]);
    // Against version 1 (in cents), google-ads has not changed: only meta-ads, new, is shown.
    const since = await report(deps, { from: day, to: day, groupBy: 'channel', sinceVersion: '1', format: 'json' });
    expect((JSON.parse(since.body) as { currency: string; rows: Array<Record<string, unknown>> }).rows.map((row) => [row.channel, row.change, row.spend])).toEqual([['meta-ads', 'added', 15.42]]);
    // Nothing changed since: no version 3, though version 2 is in thousandths and the spend of google-ads in cents.
    expect(await rollUpChannelRoiDays([day], deps)).toMatchObject([{ day, version: 2, unchanged: true }]);
  });

  it('refuses bad spend with a 400 naming the row and writes nothing to the table', { timeout: 60_000 }, async () => {
    const { deps, setNow } = world();
    // Spend is recorded for days that have passed: these are in the second half of 2026.
    setNow('2027-01-05T12:00:00.000Z');
    const before = (await database.items()).length;
    const answer = (await createRecordSpend(() => deps)(
      httpEvent({
        method: 'POST',
        path: '/spend',
        headers: { 'content-type': 'text/csv' },
        body: 'date,channel,campaign,amount,currency\n2026-06-01,meta-ads,a,10,USD\n2026-06-01,unknown,b,10,USD\n',
        claims: { sub: 'fin', 'cognito:groups': '[finance]' },
      }),
      lambdaContext,
    )) as { statusCode: number; body: string };
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body).issues).toEqual([{ path: 'line 3.channel', message: 'unknown channel "unknown"' }]);
    expect((await database.items()).length).toBe(before);
  });
});

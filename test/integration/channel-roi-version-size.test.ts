import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { groupRollupRows, otherCampaignsLabel, type Configuration, type LeadRoiFacts } from '@leadflow/domain';
import { DirectoryReportArchive, DynamoDbChannelRoiStore, DynamoDbLeadStore, leadsTableKeys, rollUpChannelRoiDays } from '@leadflow/platform';
import { createHandler as createReport } from '../../functions/get-channel-roi-report/handler';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { httpEvent, lambdaContext } from '../support/api-gateway-events';

let database: TestDatabase;
let reportsDir: string;
/** The largest `TransactWriteItems` sent, in bytes as DynamoDB sizes items. */
let largestTransaction = 0;

/** About what DynamoDB counts for a value: binary and text by their bytes, numbers by their digits, names of map entries too. */
function itemBytes(value: unknown): number {
  if (value instanceof Uint8Array) return value.byteLength;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return String(value).length;
  if (Array.isArray(value)) return value.reduce((sum: number, element) => sum + 1 + itemBytes(element), 3);
  if (value && typeof value === 'object') return Object.entries(value).reduce((sum, [name, element]) => sum + 1 + Buffer.byteLength(name) + itemBytes(element), 3);
  return 1;
}

beforeAll(async () => {
  database = await startTestDatabase();
  reportsDir = mkdtempSync(join(tmpdir(), 'leadflow-roi-size-'));
  // DynamoDB Local refuses a transaction over 4 MB as DynamoDB does ("Transaction payload size cannot exceed 4MB"); this measures how far under it is.
  database.client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { TransactItems?: Array<{ Put?: { Item: unknown } }> };
      if (input.TransactItems)
        largestTransaction = Math.max(
          largestTransaction,
          input.TransactItems.reduce((sum, item) => sum + itemBytes(item.Put?.Item), 0),
        );
      return next(args);
    },
    { step: 'initialize', name: 'measureTransactions' },
  );
}, 120_000);
afterAll(async () => {
  await database?.stop();
  if (reportsDir) rmSync(reportsDir, { recursive: true, force: true });
});

/** 2,048 characters (the most `utm_campaign` keeps) of base64 drawn from SHA-256, the same each run, which gzip shrinks by a quarter only. */
function randomCampaigns(count: number): string[] {
  const block = (index: number, part: number) => createHash('sha256').update(`${index}/${part}`).digest('base64').slice(0, 43);
  return Array.from({ length: count }, (_, index) =>
    Array.from({ length: 48 }, (_, part) => block(index, part))
      .join('')
      .slice(0, 2048),
  );
}

const day = '2026-09-14';
const facts = (leadId: string, channel: string, campaign: string, kind: LeadRoiFacts['kind'], revenueCents = 0): LeadRoiFacts => ({
  leadId,
  day,
  channel,
  firstCampaign: campaign,
  lastCampaign: campaign,
  kind,
  invalid: false,
  contacted: revenueCents > 0,
  qualified: revenueCents > 0,
  converted: revenueCents > 0,
  revenueCents,
  slaBreached: false,
  leadUpdatedAt: `${day}T12:00:00.000Z`,
});

describe('a day flooded with distinct 2 KB campaigns against DynamoDB Local', () => {
  it('rolls up 1,500 bot posts with random 2,048-character utm_campaign values: the version is stored, reads back, and keeps the real leads and spend', { timeout: 180_000 }, async () => {
    const config: Configuration = demoConfiguration();
    const deps = {
      config,
      leads: new DynamoDbLeadStore(database.client, database.tableName),
      roi: new DynamoDbChannelRoiStore(database.client, database.tableName),
      reports: new DirectoryReportArchive(reportsDir),
      now: () => new Date(`2026-09-15T04:30:00.000Z`),
    };
    const posts = randomCampaigns(1500).map((campaign, index) => facts(`bot-${index}`, 'website', campaign, 'quarantined'));
    const real = [facts('real-1', 'meta-ads', 'spring', 'lead', 250_000), facts('real-2', 'meta-ads', 'spring', 'lead'), facts('real-3', 'website', 'newsletter', 'lead')];
    const all = [...posts, ...real];
    for (let start = 0; start < all.length; start += 25) {
      const batch = all.slice(start, start + 25).map((lead) => ({ PutRequest: { Item: { ...leadsTableKeys.roiFacts(day, lead.leadId), entity: 'roi-facts', filedBy: `event-${lead.leadId}`, ...lead } } }));
      await database.client.send(new BatchWriteCommand({ RequestItems: { [database.tableName]: batch } }));
    }
    await database.client.send(
      new PutCommand({
        TableName: database.tableName,
        Item: { ...leadsTableKeys.spend(day, 'meta-ads'), entity: 'spend', day, channel: 'meta-ads', campaigns: [{ campaign: 'spring', cents: 80_000 }], importedAt: `${day}T20:00:00.000Z` },
      }),
    );

    // Before campaigns were capped and folded: 3,000 rows of 2 KB names, some 4.4 MB gzipped, which DynamoDB refuses in one transaction.
    const [rolledUp] = await rollUpChannelRoiDays([day], deps);
    expect(rolledUp).toMatchObject({ day, version: 1, unchanged: false });
    // Some 10 KB: the 1,500 campaigns come to the 50 with the most leads and one folded row, per attribution.
    expect(largestTransaction).toBeLessThan(100 * 1024);

    const stored = await deps.roi.latestVersion(day);
    expect(stored?.version).toBe(1);
    const rows = stored?.rows ?? [];
    expect(rows.every((row) => row.campaign.length <= 200)).toBe(true);
    for (const attribution of ['first', 'last'] as const) {
      const channels = groupRollupRows(rows, attribution, 'channel');
      expect(channels.find((row) => row.channel === 'website')).toMatchObject({ leads: 1, quarantined: 1500 });
      expect(channels.find((row) => row.channel === 'meta-ads')).toMatchObject({ leads: 2, converted: 1, revenueCents: 250_000, spendCents: 80_000 });
      expect(rows.find((row) => row.attribution === attribution && row.campaign === 'spring')).toMatchObject({ leads: 2, revenueCents: 250_000, spendCents: 80_000 });
      expect(rows.find((row) => row.attribution === attribution && row.campaign === 'newsletter')).toMatchObject({ leads: 1 });
      expect(rows.find((row) => row.attribution === attribution && row.campaign === otherCampaignsLabel)?.quarantined).toBeGreaterThan(1400);
    }
    expect(readFileSync(join(reportsDir, `channel-roi/date=${day}/v1.csv`), 'utf8')).toContain(otherCampaignsLabel);

    // The day reports, per campaign, as JSON too.
    const event = httpEvent({ path: '/reports/channel-roi', claims: { sub: 'fin', 'cognito:groups': '[finance]' } });
    event.queryStringParameters = { from: day, to: day, format: 'json' };
    const answer = (await createReport(() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('"spring"');

    // Rolled up again, nothing changed: no new version.
    const [again] = await rollUpChannelRoiDays([day], deps);
    expect(again).toMatchObject({ version: 1, unchanged: true });
  });
});

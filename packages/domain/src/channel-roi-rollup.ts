import './zod-locale';
import * as z from 'zod/mini';
import type { ChannelDaySpend } from './ad-spend';
import { otherCampaignsLabel, rowCampaign } from './channel-roi-campaigns';
import type { LeadRoiFacts } from './channel-roi-facts';
import { reportFigures } from './channel-roi-report';
import { decimalsMark, rescaled, storedDecimals, type AmountDecimals } from './money';
import { laterFunnelStages, noStageSeconds, secondsBetweenStages, stageSecondsSchema } from './funnel';

export const attributionModels = ['first', 'last'] as const;
export type AttributionModel = (typeof attributionModels)[number];

const count = z.number().check(z.int(), z.nonnegative());

/**
 * One day's counts for one channel and campaign under one attribution model: what a rollup version
 * stores. Figures (CPL, ROI …) are derived from these when reported, so channel totals stay exact.
 */
const storedRollupRowSchema = z.strictObject({
  attribution: z.enum(attributionModels),
  channel: z.string(),
  campaign: z.string(),
  leads: count,
  invalid: count,
  test: count,
  quarantined: count,
  contacted: count,
  qualified: count,
  converted: count,
  /** The funnel's stages after `valid`, over valid leads only (a lead judged invalid after its contact is in `contacted`, not here). */
  validContacted: z.optional(count),
  validQualified: z.optional(count),
  validConverted: z.optional(count),
  /** Minor units of the reporting currency: hundredths, or thousandths in a version whose `decimals` is 3 (the stored names are kept). */
  revenueCents: count,
  spendCents: count,
  /** Seconds from capture to first contact of each contacted lead, ascending (medians of any grouping stay exact). */
  firstContactSeconds: z.array(count),
  slaBreached: count,
  /** The funnel's time between stages (versions rolled up before the funnel was measured have none). */
  stageSeconds: z._default(stageSecondsSchema, noStageSeconds),
});

/**
 * A stored row, read. Versions rolled up before the valid-only stage counts were kept have none: theirs
 * are taken as the stage's count capped at the valid leads, so no stage of their funnel exceeds the one before.
 */
export const rollupRowSchema = z.pipe(
  storedRollupRowSchema,
  z.transform((row) => {
    const valid = row.leads - row.invalid;
    return {
      ...row,
      validContacted: row.validContacted ?? Math.min(row.contacted, valid),
      validQualified: row.validQualified ?? Math.min(row.qualified, valid),
      validConverted: row.validConverted ?? Math.min(row.converted, valid),
    };
  }),
);
export type RollupRow = z.infer<typeof rollupRowSchema>;

/** One restatement of a day: version 1 is the first rollup, each later one differs from the one before. */
export const rollupVersionSchema = z.strictObject({
  day: z.iso.date(),
  version: z.number().check(z.int(), z.positive()),
  rolledUpAt: z.iso.datetime(),
  /** 3 when the rows' money is in thousandths (a reporting currency such as KWD); absent for hundredths, as in every version stored before. */
  decimals: z.optional(z.literal(3)),
  rows: z.array(rollupRowSchema),
});
export type RollupVersion = z.infer<typeof rollupVersionSchema>;

/**
 * A version with its money in `decimals`, those of the reporting currency now: a version stored in cents
 * of a currency kept in thousandths since (KWD) reads ×10, so it compares and adds up with new ones.
 */
export function versionInDecimals<T extends Pick<RollupVersion, 'decimals' | 'rows'>>(version: T, decimals: AmountDecimals): T {
  const from = storedDecimals(version);
  if (from === decimals) return version;
  const { decimals: _stored, ...rest } = version;
  return { ...rest, ...decimalsMark(decimals), rows: version.rows.map((row) => ({ ...row, revenueCents: rescaled(row.revenueCents, from, decimals), spendCents: rescaled(row.spendCents, from, decimals) })) } as T;
}

function emptyRow(attribution: AttributionModel, channel: string, campaign: string): RollupRow {
  return {
    attribution,
    channel,
    campaign,
    leads: 0,
    invalid: 0,
    test: 0,
    quarantined: 0,
    contacted: 0,
    qualified: 0,
    converted: 0,
    validContacted: 0,
    validQualified: 0,
    validConverted: 0,
    revenueCents: 0,
    spendCents: 0,
    firstContactSeconds: [],
    slaBreached: 0,
    stageSeconds: noStageSeconds(),
  };
}

export const rowKey = (row: Pick<RollupRow, 'attribution' | 'channel' | 'campaign'>) => `${row.attribution}\u0000${row.channel}\u0000${row.campaign}`;

/** The order rows are filed and reported in: by attribution, channel and campaign, each compared on its own (a joined key would let `meta-ads` fall between `meta` rows). */
export function compareRows(a: Pick<RollupRow, 'attribution' | 'channel' | 'campaign'>, b: Pick<RollupRow, 'attribution' | 'channel' | 'campaign'>): number {
  return a.attribution.localeCompare(b.attribution) || a.channel.localeCompare(b.channel) || a.campaign.localeCompare(b.campaign);
}

/**
 * The most rows of campaigns without spend a day keeps per attribution model and channel; the rest are
 * folded into one `otherCampaignsLabel` row. The public form decides a lead's campaign, so without a bound
 * a day's rows (and its version, written in one DynamoDB transaction of at most 4 MB) would grow with every
 * distinct `utm_campaign` posted. Worst case, every name 200 characters that JSON writes as 6 bytes each
 * (`\u0001`): 1,200 bytes of name plus about 450 of counts make a row at most some 1.7 KB of JSON (gzip never
 * makes it larger by more than a few bytes), so a channel's unfunded rows, 2 models × (50 + 1), come to at
 * most 102 × 1.7 KB ≈ 170 KB of JSON, 1.7 MB for ten channels taking leads: well under the 4 MB a version's
 * transaction takes, gzipped or not, and the 5 MB one response may hold. Random names gzip to 15–45 KB a channel
 * (1,500 posts with distinct 2 KB campaigns: 3,000 rows and 4.4 MB gzipped as they were; 460 KB with names capped; folded, 10 KB).
 */
export const unfundedCampaignRowsPerChannel = 50;

/**
 * Rolls up one day: the ROI facts of the leads captured that day and that day's spend, per channel and
 * campaign, once under first-touch and once under last-touch credit. Spend is the same under both; a
 * campaign with spend and no leads still gets its row; a lead counts under the channel and campaign of the
 * credited touch (`firstChannel`, `lastChannel`). Test and quarantined leads are counted apart;
 * invalid ones are among `leads` and counted in `invalid`. Pure: what it reads is what it is given.
 *
 * Campaigns are kept under `rowCampaign` (at most 200 characters). Every campaign the day's spend names,
 * and every one with a converted lead, keeps its row; of the others, each attribution model and channel keeps the `campaignsPerChannel` with the
 * most leads (ties: the first by name) and folds the rest, fewest leads first, into one `otherCampaignsLabel`
 * row, so the channel's totals are the same and a day's rows stay bounded however many campaigns are posted.
 *
 * @example
 * rollUpDay([facts], [{ day, channel: 'meta-ads', campaigns: [{ campaign: 'spring', cents: 10000 }] }])
 * // → rows for ('first', 'meta-ads', 'spring') and ('last', 'meta-ads', 'spring')
 */
export function rollUpDay(facts: readonly LeadRoiFacts[], spend: readonly ChannelDaySpend[], { campaignsPerChannel = unfundedCampaignRowsPerChannel } = {}): RollupRow[] {
  const rows = new Map<string, RollupRow>();
  const shortened = new Map<string, string>();
  const campaignOf = (campaign: string) => {
    let kept = shortened.get(campaign);
    if (kept === undefined) shortened.set(campaign, (kept = rowCampaign(campaign)));
    return kept;
  };
  const rowFor = (attribution: AttributionModel, channel: string, campaign: string) => {
    const key = rowKey({ attribution, channel, campaign: campaignOf(campaign) });
    let row = rows.get(key);
    if (!row) rows.set(key, (row = emptyRow(attribution, channel, campaignOf(campaign))));
    return row;
  };
  const funded = new Set<string>();
  for (const attribution of attributionModels) {
    for (const channelSpend of spend) {
      for (const { campaign, cents } of channelSpend.campaigns) {
        const row = rowFor(attribution, channelSpend.channel, campaign);
        row.spendCents += cents;
        funded.add(rowKey(row));
      }
    }
    for (const lead of facts) {
      const row = attribution === 'first' ? rowFor(attribution, lead.firstChannel ?? lead.channel, lead.firstCampaign) : rowFor(attribution, lead.lastChannel ?? lead.channel, lead.lastCampaign);
      if (lead.kind !== 'lead') {
        row[lead.kind] += 1;
        continue;
      }
      row.leads += 1;
      if (lead.invalid) row.invalid += 1;
      if (lead.contacted) row.contacted += 1;
      if (lead.qualified) row.qualified += 1;
      if (lead.converted) row.converted += 1;
      if (!lead.invalid) {
        if (lead.contacted) row.validContacted += 1;
        if (lead.qualified) row.validQualified += 1;
        if (lead.converted) row.validConverted += 1;
      }
      row.revenueCents += lead.revenueCents;
      if (lead.firstContactSeconds !== undefined) row.firstContactSeconds.push(lead.firstContactSeconds);
      // The breach rate is over valid leads: a lead breached and then judged invalid is in neither side.
      if (lead.slaBreached && !lead.invalid) row.slaBreached += 1;
      // Its steps count as its stages do: the funnel's stages after `valid` hold valid leads only.
      if (lead.reachedAt && !lead.invalid) for (const [stage, seconds] of Object.entries(secondsBetweenStages(lead.reachedAt))) row.stageSeconds[stage as keyof typeof row.stageSeconds].push(seconds);
    }
  }
  const result = foldUnfundedCampaigns([...rows.values()], funded, campaignsPerChannel).sort(compareRows);
  for (const row of result) {
    row.firstContactSeconds.sort(ascending);
    for (const stage of laterFunnelStages) row.stageSeconds[stage].sort(ascending);
  }
  return result;
}

/** Campaigns by name, as code units compare them: unlike `localeCompare`, never equal for two different names. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The rows with, per attribution model and channel, the rows not in `funded` and with no converted lead beyond the `limit` with the
 * most leads (ties: the first by name) folded into one `otherCampaignsLabel` row. The folded row's times
 * are left unsorted, as `rollUpDay` sorts every row's.
 */
function foldUnfundedCampaigns(rows: readonly RollupRow[], funded: ReadonlySet<string>, limit: number): RollupRow[] {
  const unfunded = new Map<string, RollupRow[]>();
  const kept: RollupRow[] = [];
  for (const row of rows) {
    // What finance counts money by keeps its own row: a campaign with spend, and one whose leads were won.
    if (funded.has(rowKey(row)) || row.converted > 0 || row.revenueCents > 0) kept.push(row);
    else {
      const key = `${row.attribution}\u0000${row.channel}`;
      const group = unfunded.get(key) ?? [];
      unfunded.set(key, group);
      group.push(row);
    }
  }
  for (const group of unfunded.values()) {
    group.sort((a, b) => b.leads - a.leads || byName(a.campaign, b.campaign));
    kept.push(...group.slice(0, limit));
    if (group.length <= limit) continue;
    const other = emptyRow(group[0].attribution, group[0].channel, otherCampaignsLabel);
    for (const row of group.slice(limit)) addInto(other, row);
    kept.push(other);
  }
  return kept;
}

/** The fields of a row that are counts or money, summed when rows are folded together. */
const summedFields = ['leads', 'invalid', 'test', 'quarantined', 'contacted', 'qualified', 'converted', 'validContacted', 'validQualified', 'validConverted', 'revenueCents', 'spendCents', 'slaBreached'] as const;
// Every number of a row is summed: a count added to the row later fails to compile until it is listed above.
type NumberFields = { [K in keyof RollupRow]: RollupRow[K] extends number ? K : never }[keyof RollupRow];
const everyNumberSummed: Exclude<NumberFields, (typeof summedFields)[number]> extends never ? true : false = true;
void everyNumberSummed;

/** Adds `row` into `total` in place: counts and money summed, times appended (sorted afterwards), so folding many rows stays linear. */
function addInto(total: RollupRow, row: RollupRow): void {
  for (const field of summedFields) total[field] += row[field];
  for (const seconds of row.firstContactSeconds) total.firstContactSeconds.push(seconds);
  for (const stage of laterFunnelStages) for (const seconds of row.stageSeconds[stage]) total.stageSeconds[stage].push(seconds);
}

const ascending = (a: number, b: number) => a - b;

const mergedSeconds = (a: readonly number[], b: readonly number[]) => [...a, ...b].sort(ascending);

/** Two rows as one, under `total`'s attribution, channel and campaign: counts and money summed, times kept whole (no median of medians). */
export function mergeRollupRows(total: RollupRow, row: RollupRow): RollupRow {
  const merged: RollupRow = {
    ...total,
    firstContactSeconds: mergedSeconds(total.firstContactSeconds, row.firstContactSeconds),
    stageSeconds: Object.fromEntries(laterFunnelStages.map((stage) => [stage, mergedSeconds(total.stageSeconds[stage], row.stageSeconds[stage])])) as RollupRow['stageSeconds'],
  };
  for (const field of summedFields) merged[field] = total[field] + row[field];
  return merged;
}

/** The rows merged into one under `attribution`, `channel` and `campaign`. */
export function totalOfRollupRows(rows: readonly RollupRow[], attribution: AttributionModel, channel: string, campaign: string): RollupRow {
  return rows.reduce(mergeRollupRows, emptyRow(attribution, channel, campaign));
}

export type ReportGrouping = 'channel' | 'campaign';

/** The rows of one attribution model, merged per channel when grouped by channel (campaign `""`). */
export function groupRollupRows(rows: readonly RollupRow[], attribution: AttributionModel, groupBy: ReportGrouping): RollupRow[] {
  const chosen = rows.filter((row) => row.attribution === attribution);
  if (groupBy === 'campaign') return chosen.map((row) => mergeRollupRows(emptyRow(attribution, row.channel, row.campaign), row));
  const merged = new Map<string, RollupRow>();
  for (const row of chosen) merged.set(row.channel, mergeRollupRows(merged.get(row.channel) ?? emptyRow(attribution, row.channel, ''), row));
  return [...merged.values()].sort(compareRows);
}

/** Whether two rollups of a day say the same: a new version is written only when they do not. */
export function sameRollup(a: readonly RollupRow[], b: readonly RollupRow[]): boolean {
  return JSON.stringify([...a].sort(compareRows)) === JSON.stringify([...b].sort(compareRows));
}

export type RowChange = 'added' | 'changed' | 'removed';

/**
 * The rows of `current` whose channel-ROI figures differ from `earlier` (a day's version as exported
 * before), each with how: `added` (no such row then), `changed`, or `removed` (gone now; reported with zero
 * counts). A row whose only change is one finance does not see (the funnel's stage times, a first contact
 * that leaves the median where it was) is not reported as changed.
 */
export function changedRows(earlier: readonly RollupRow[], current: readonly RollupRow[], decimals: AmountDecimals): Array<{ row: RollupRow; change: RowChange }> {
  const before = new Map(earlier.map((row) => [rowKey(row), row]));
  const changes: Array<{ row: RollupRow; change: RowChange }> = [];
  for (const row of current) {
    const old = before.get(rowKey(row));
    before.delete(rowKey(row));
    if (!old) changes.push({ row, change: 'added' });
    else if (JSON.stringify(reportFigures(old, decimals)) !== JSON.stringify(reportFigures(row, decimals))) changes.push({ row, change: 'changed' });
  }
  for (const old of before.values()) changes.push({ row: emptyRow(old.attribution, old.channel, old.campaign), change: 'removed' });
  return changes.sort((a, b) => compareRows(a.row, b.row));
}

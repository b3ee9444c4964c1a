import {
  addDays,
  amountDecimalsOf,
  decimalsMark,
  spendInDecimals,
  versionInDecimals,
  changedSinceQuery,
  channelRoiCsv,
  showsChanges,
  clickIdChannelsOf,
  daysBetween,
  factsAtConfiguredRates,
  funnelCsv,
  funnelLines,
  groupRollupRows,
  localDay,
  suggestedChannelPriors,
  measureChannelRates,
  planNightlyRollup,
  possibleCaptureDays,
  reportLines,
  rollUpDay,
  roiFactsOfLead,
  wasErased,
  sameRollup,
  yesterdayIn,
  type ChannelRate,
  type ChannelRoiEventType,
  type Configuration,
  type FunnelQuery,
  type ReportLine,
  type ReportQuery,
  type RollupVersion,
} from '@leadflow/domain';
import type { LeadStore } from './ports/lead-store';
import type { ChannelRoiStore, ReportArchive } from './ports/channel-roi-store';
import { WriteContentionError } from './adapters/dynamodb-writes';
import { mapWithConcurrency } from './map-with-concurrency';
import { TimeBudget } from './time-budget';

type RoiDependencies = { config: Configuration; roi: ChannelRoiStore };

/**
 * Rewrites a lead's ROI facts from the lead as it stands now (one read), after any of its lifecycle
 * events, and marks its capture day changed. Facts filed under another capture day before the
 * organisation's time zone changed move to this one (see `ChannelRoiStore.recordFacts`). A lead that is
 * not (or no longer) stored is left out: its facts stay as last written. An erased lead counts as it stood when erased.
 * A sale in a currency without a configured rate is filed as it is: its day's rollup is refused until a rate is configured.
 */
export async function recordLeadRoiEvent(
  event: { type: ChannelRoiEventType; eventId: string; leadId: string; firstContactAt?: string },
  deps: RoiDependencies & { leads: Pick<LeadStore, 'getLead'>; now: () => Date },
): Promise<'recorded' | 'no_lead'> {
  const lead = await deps.leads.getLead(event.leadId);
  // An erased lead keeps what its facts are made of (the status it had, its touches' channels and campaigns, its sale), so an
  // event that happened before the erasure and is handled after it (a capture, a refund) still counts, and a replayed one changes
  // nothing. One erased before erasure kept them reads otherwise: its facts stay as they were.
  if (!lead || (wasErased(lead) && lead.statusBeforeErasure === undefined)) return 'no_lead';
  const { organisation, channelRoi } = deps.config;
  const facts = roiFactsOfLead(lead, { timeZone: organisation.timeZone, currency: organisation.currency, channelRoi, clickIdChannels: clickIdChannelsOf(deps.config) }, event.firstContactAt);
  await deps.roi.recordFacts(facts, {
    eventId: event.eventId,
    slaBreached: event.type === 'lead.sla_breached',
    otherCaptureDays: possibleCaptureDays(lead.capturedAt).filter((day) => day !== facts.day),
    markedAt: deps.now().toISOString(),
    markExpiresAt: (day) => changedMarkExpiry(day, deps.config),
  });
  return 'recorded';
}

/** When a day's changed mark may go: a week after the day left the lookback window (DynamoDB's TTL removes it). */
export function changedMarkExpiry(day: string, config: Pick<Configuration, 'channelRoi'>): number {
  return Math.floor(Date.parse(`${addDays(day, config.channelRoi.lookbackDays + 8)}T00:00:00Z`) / 1000);
}

/** A day holds a sale in a currency the configuration has no rate for on the day it was won (a rate taken away): it keeps its last version. */
export class MissingExchangeRateError extends Error {
  constructor(
    readonly day: string,
    reason: string,
  ) {
    super(`${day}: ${reason}`);
  }
}

/** What one day's rollup did: the version it wrote (or found unchanged) and how many items it read. */
export interface DayRollup {
  day: string;
  version: number;
  restated: boolean;
  unchanged: boolean;
  itemsRead: number;
}

/** The archive key of a day's version: `channel-roi/date=YYYY-MM-DD/v<version>.csv`. */
export const rollupArchiveKey = (day: string, version: number) => `channel-roi/date=${day}/v${version}.csv`;

/** The archive key of a day's funnel, filed beside its version: `funnel/date=YYYY-MM-DD/v<version>.csv`. */
export const funnelArchiveKey = (day: string, version: number) => `funnel/date=${day}/v${version}.csv`;

/** A version's figures, whenever it is stamped. */
type VersionFigures = Omit<RollupVersion, 'rolledUpAt'>;

const campaignLines = (version: VersionFigures): ReportLine[] =>
  (['first', 'last'] as const).flatMap((attribution) => groupRollupRows(version.rows, attribution, 'campaign').map((row) => ({ day: version.day, version: version.version, row })));

/** A version's CSV as filed: every campaign row, first-touch rows then last-touch rows. */
export function rollupVersionCsv(version: VersionFigures): string {
  return channelRoiCsv(campaignLines(version), { groupBy: 'campaign', withChanges: false });
}

/** A version's funnel as filed: every campaign row, first-touch rows then last-touch rows. */
export function rollupVersionFunnelCsv(version: VersionFigures): string {
  return funnelCsv(campaignLines(version), 'campaign');
}

/**
 * Rolls up each day from its own items only (its leads' facts, its spend, its latest version): a new
 * version when the figures differ from the latest, filed as CSV before it is stored, so a stored
 * version always has its files.
 */
export async function rollUpChannelRoiDays(days: readonly string[], deps: RoiDependencies & { reports: ReportArchive; now: () => Date }): Promise<DayRollup[]> {
  const results: DayRollup[] = [];
  for (const day of days) results.push(await rollUpChannelRoiDay(day, deps));
  return results;
}

/** Rollups of one day that lose the race to store a version before this one gives up (the day stays marked changed). */
const rollupAttempts = 3;

async function rollUpChannelRoiDay(day: string, deps: RoiDependencies & { reports: ReportArchive; now: () => Date }): Promise<DayRollup> {
  let itemsRead = 0;
  for (let attempt = 1; attempt <= rollupAttempts; attempt++) {
    const [facts, spend, latest] = await Promise.all([deps.roi.factsOn(day), deps.roi.spendOn(day), deps.roi.latestVersion(day)]);
    itemsRead += facts.length + spend.length + (latest ? 1 : 0);
    // Sales at the rates configured now: a rate corrected since the facts were written restates the day.
    const valued = factsAtConfiguredRates(facts, { currency: deps.config.organisation.currency, channelRoi: deps.config.channelRoi });
    if (!valued.ok) throw new MissingExchangeRateError(day, valued.reason);
    // All money in the reporting currency's decimals, whatever decimals the spend and the latest version were stored in.
    const decimals = amountDecimalsOf(deps.config.organisation.currency);
    const rows = rollUpDay(valued.facts, spendInDecimals(spend, decimals));
    if (latest && sameRollup(versionInDecimals(latest, decimals).rows, rows)) return { day, version: latest.version, restated: false, unchanged: true, itemsRead };
    const figures: VersionFigures = { day, version: (latest?.version ?? 0) + 1, ...decimalsMark(decimals), rows };
    await fileVersion(figures, deps.reports);
    // Stamped just before it is stored, not when the run began: an export that read before this time did not see it (see `reportAsOf`).
    const version: RollupVersion = { ...figures, rolledUpAt: deps.now().toISOString() };
    if (await deps.roi.addVersion(version)) return { day, version: version.version, restated: version.version > 1, unchanged: false, itemsRead };
    // Lost to a concurrent rollup of the same day, which filed its figures under this version before storing
    // it, maybe before this one filed its own over them: file the stored version's again, so its files are its own.
    const stored = await deps.roi.version(day, version.version);
    if (!stored) throw new Error(`Version ${version.version} of ${day} was stored by another rollup but cannot be read`);
    await fileVersion(stored, deps.reports);
    // That rollup may have read the day before a change this one saw (and whose mark the nightly run is
    // about to clear): read the day again, and store what it holds now unless the winner already has it.
  }
  // Busy, not broken: a request is answered 503 and may be sent again; the nightly run keeps the day marked.
  throw new WriteContentionError(`Rolling up ${day} lost the race to store a version ${rollupAttempts} times; it stays marked changed for the next run`);
}

async function fileVersion(version: VersionFigures, reports: ReportArchive): Promise<void> {
  await reports.put(rollupArchiveKey(version.day, version.version), rollupVersionCsv(version), 'text/csv; charset=utf-8');
  await reports.put(funnelArchiveKey(version.day, version.version), rollupVersionFunnelCsv(version), 'text/csv; charset=utf-8');
}

/**
 * What a nightly run did: each day it rolled up; each day it could not, with why; and the days it left for want
 * of time, newest first. The failed and the left stay marked changed.
 */
export interface NightlyRollup {
  days: DayRollup[];
  failed: Array<{ day: string; error: Error }>;
  left: string[];
}

/**
 * Time a day's rollup needs before it starts: a day of some 100,000 leads takes about 9 s to read, roll up, file
 * and store, and one that loses the race to store its version to a concurrent rollup tries up to three times.
 */
const nightlyDayReserveMs = 30_000;

/**
 * Time kept for what follows the days, so a run out of time still does it: a mark (one put) on each day it was
 * to close and did not roll up, the day it closed, and in `apply` mode the measured priors, a window of up to
 * 366 versions read 16 at a time, then one write.
 */
const nightlyClosingReserveMs = 30_000;

/**
 * The nightly run as of `now`: yesterday on the organisation's clock, then the days since the last day a
 * nightly run closed (a night the schedule skipped, say) and every changed day, within the lookback window,
 * newest first (`planNightlyRollup`); the changed marks of each day rolled up are cleared (each unless marked
 * again meanwhile). Each version is stamped with `deps.now`, the time it is stored, whatever night the run is for.
 * Each day is rolled up on its own: one that fails (a version DynamoDB refuses, say) keeps its mark for the
 * next run and holds back neither the days after it nor yesterday. A day after yesterday starts only while
 * `remainingMs()` (the invocation's time left before its timeout) holds a day's rollup and what follows the
 * days: those left keep their marks for the next night's run. Then yesterday is recorded as closed, once every
 * day since the last closed one is rolled up or marked changed, so the next run misses none.
 */
export async function runNightlyChannelRoiRollup(now: Date, deps: RoiDependencies & { reports: ReportArchive; now: () => Date }, remainingMs: () => number): Promise<NightlyRollup> {
  const { timeZone } = deps.config.organisation;
  const { lookbackDays } = deps.config.channelRoi;
  const yesterday = yesterdayIn(now, timeZone);
  const [changed, lastClosedDay] = await Promise.all([deps.roi.changedDays(addDays(yesterday, -lookbackDays), yesterday), deps.roi.lastClosedDay()]);
  const plan = planNightlyRollup(
    now,
    timeZone,
    lookbackDays,
    changed.map((mark) => mark.day),
    lastClosedDay,
  );
  const result: NightlyRollup = { days: [], failed: [], left: [] };
  const budget = new TimeBudget(remainingMs, nightlyDayReserveMs + nightlyClosingReserveMs);
  for (const [index, day] of plan.days.entries()) {
    // Yesterday, first, starts whatever the time: it is the day the run is for.
    if (index > 0 && !budget.hasTime()) {
      result.left = plan.days.slice(index);
      break;
    }
    try {
      result.days.push(await rollUpChannelRoiDay(day, deps));
      const mark = changed.find((candidate) => candidate.day === day);
      if (mark) await deps.roi.clearChanged(mark);
    } catch (error) {
      result.failed.push({ day, error: error as Error });
    }
  }
  // The next run starts after this yesterday: a day it was to close and did not roll up (left, or failed) is found by its mark.
  const rolledUp = new Set(result.days.map(({ day }) => day));
  for (const day of plan.unclosed.filter((unclosed) => !rolledUp.has(unclosed))) await deps.roi.markChanged(day, { markedAt: deps.now().toISOString(), expiresAt: changedMarkExpiry(day, deps.config) });
  await deps.roi.recordClosedDay(yesterday, deps.now().toISOString());
  if (deps.config.channelRoi.measuredChannelPriors.mode === 'apply') {
    const measured = await measuredChannelRates(now, deps);
    // Only the suggestions: captures put them over the priors configured when they score, so a prior configured since tonight counts at once.
    await deps.roi.writeMeasuredPriors({ suggestedPriors: suggestedChannelPriors(measured.channels), from: measured.from, to: measured.to, measuredAt: now.toISOString() });
  }
  return result;
}

/**
 * How many days' versions a report reads at once. A year is 366 days, two reads each when comparing: started
 * together they waited for the SDK's 50 sockets past the 1 s connection timeout (`lambdaRequestTimeouts`) and
 * the report answered 503. Sixteen leave sockets for a few reports sharing a client, as the local runtime's do.
 */
export const versionReadsAtOnce = 16;

/**
 * The lines of an export: one latest-version read per day, plus, for a day changed since the query's
 * `sinceVersion` or `changedSince`, the version to compare with (that number, or the latest at that time).
 */
export async function channelRoiReportLines(
  query: Pick<ReportQuery, 'from' | 'to' | 'groupBy' | 'attribution' | 'sinceVersion' | 'changedSince'>,
  deps: Pick<RoiDependencies, 'roi'> & { config: Pick<Configuration, 'organisation'> },
): Promise<ReportLine[]> {
  // Every day in the reporting currency's decimals, so days stored in cents before KWD was kept in thousandths show and add up with later ones.
  const decimals = amountDecimalsOf(deps.config.organisation.currency);
  const days = await mapWithConcurrency(daysBetween(query.from, query.to), versionReadsAtOnce, async (day) => {
    const stored = await deps.roi.latestVersion(day);
    const latest = stored && versionInDecimals(stored, decimals);
    if (!latest || !showsChanges(query) || !changedSinceQuery(latest, query)) return { latest };
    const { sinceVersion, changedSince } = query;
    return { latest, since: sinceVersion !== undefined ? await deps.roi.version(day, sinceVersion) : changedSince !== undefined ? await deps.roi.versionAsOf(day, changedSince) : undefined };
  });
  return reportLines(days, query);
}

/** The funnel's lines: one latest-version read per day, grouped per channel, campaign or day. */
export async function funnelReportLines(query: Pick<FunnelQuery, 'from' | 'to' | 'groupBy' | 'attribution'>, deps: Pick<RoiDependencies, 'roi'> & { config: Pick<Configuration, 'organisation'> }): Promise<ReportLine[]> {
  const lines = await channelRoiReportLines({ ...query, groupBy: query.groupBy === 'day' ? 'channel' : query.groupBy }, deps);
  return funnelLines(lines, query.groupBy, query.attribution);
}

/** Today on the organisation's clock: an on-demand rollup stops before it, as the day is not over. */
export const todayIn = (now: Date, config: Configuration) => localDay(now, config.organisation.timeZone);

/** Each channel's measured rates over the configured window ending yesterday: one latest-version read per day. */
export async function measuredChannelRates(now: Date, deps: RoiDependencies): Promise<{ from: string; to: string; channels: ChannelRate[] }> {
  const { windowDays, minimumLeads } = deps.config.channelRoi.measuredChannelPriors;
  const to = yesterdayIn(now, deps.config.organisation.timeZone);
  const from = addDays(to, -(windowDays - 1));
  const versions = await mapWithConcurrency(daysBetween(from, to), versionReadsAtOnce, (day) => deps.roi.latestVersion(day));
  return {
    from,
    to,
    channels: measureChannelRates(
      versions.filter((version) => version !== undefined),
      deps.config.scoring.channelPriors,
      minimumLeads,
    ),
  };
}

import './zod-locale';
import * as z from 'zod/mini';
import { earliestSpendDay } from './ad-spend';
import { addDays, dayCount, daysBetween, isCalendarDay } from './calendar-day';
import { changedRows, compareRows, groupRollupRows, versionInDecimals, type RollupVersion } from './channel-roi-rollup';
import { decimalsMark, storedDecimals } from './money';
import type { ReportLine } from './channel-roi-report';
import { localDay } from './pool-claim';

/** The longest range one export or on-demand rollup covers (a year and a day, for leap years). */
export const maxReportDays = 366;

const calendarDaySchema = z.string().check(z.refine(isCalendarDay, { message: 'must be a date written YYYY-MM-DD' }));

/**
 * A `from`–`to` range of days, `to` not before `from` and at most `maxReportDays` long. The range is
 * checked only once both ends are days: a malformed `from` is its own issue, not also a false one on `to`.
 */
function withinDayRange<S extends z.ZodMiniType<{ from: string; to: string }>>(schema: S): S {
  const bothDays = (range: { from: string; to: string }) => typeof range.from === 'string' && typeof range.to === 'string' && isCalendarDay(range.from) && isCalendarDay(range.to);
  return schema.check(
    z.refine((range: { from: string; to: string }) => !bothDays(range) || range.from <= range.to, { path: ['to'], message: 'must not be before from' }),
    z.refine((range: { from: string; to: string }) => !bothDays(range) || dayCount(range.from, range.to) <= maxReportDays, { path: ['to'], message: `the range may cover at most ${maxReportDays} days` }),
  );
}

/** `{from, to}` of an on-demand rollup: from `earliestSpendDay` on, as spend is, so a typo (`0206-…`) does not file rollups of days no lead was in. */
export const rollupRangeSchema = withinDayRange(
  z.strictObject({
    from: calendarDaySchema.check(z.refine((day) => !isCalendarDay(day) || day >= earliestSpendDay, { message: `must not be before ${earliestSpendDay}` })),
    to: calendarDaySchema,
  }),
);

/** What the export and its page are filtered and shaped by. */
const reportFilters = {
  groupBy: z._default(z.enum(['channel', 'campaign']), 'campaign'),
  attribution: z._default(z.enum(['first', 'last']), 'first'),
};
const reportComparisons = {
  sinceVersion: z.optional(z.pipe(z.string().check(z.regex(/^[1-9]\d{0,5}$/, 'must be a version number (1, 2, …)')), z.transform(Number))),
  /** When finance last exported: each day's rows that changed since the version that was then its latest. */
  changedSince: z.optional(z.iso.datetime({ offset: true })),
};
const oneComparison = z.refine<{ sinceVersion?: number; changedSince?: string }>((query) => query.sinceVersion === undefined || query.changedSince === undefined, {
  path: ['changedSince'],
  message: 'cannot be combined with sinceVersion: give one of them',
});

/** The query string of `GET /reports/channel-roi`; unknown parameters are refused by name. */
export const reportQuerySchema = withinDayRange(z.strictObject({ from: calendarDaySchema, to: calendarDaySchema, ...reportFilters, format: z._default(z.enum(['csv', 'json']), 'csv'), ...reportComparisons })).check(
  oneComparison,
);
export type ReportQuery = z.infer<typeof reportQuerySchema>;

/** The query string of `GET /reports/channel-roi.html`: the export's, less `format` (the page is HTML), which it refuses as it does any unknown parameter. */
export const reportPageQuerySchema = withinDayRange(z.strictObject({ from: calendarDaySchema, to: calendarDaySchema, ...reportFilters, ...reportComparisons })).check(oneComparison);

/** The query string of `GET /reports/funnel`; without `format`, the `Accept` header decides. Unknown parameters are refused by name. */
export const funnelQuerySchema = withinDayRange(
  z.strictObject({
    from: calendarDaySchema,
    to: calendarDaySchema,
    groupBy: z._default(z.enum(['channel', 'campaign', 'day']), 'channel'),
    attribution: z._default(z.enum(['first', 'last']), 'first'),
    format: z.optional(z.enum(['csv', 'json'])),
  }),
);
export type FunnelQuery = z.infer<typeof funnelQuerySchema>;

/** Yesterday on the organisation's clock: the day the nightly rollup closes. */
export function yesterdayIn(now: Date, timeZone: string): string {
  return addDays(localDay(now, timeZone), -1);
}

/** What a nightly run rolls up (`days`, newest first), and which of them no nightly run has closed yet (`unclosed`). */
export interface NightlyRollupPlan {
  days: string[];
  unclosed: string[];
}

/**
 * The days a nightly run rolls up, newest first: yesterday, the day the run is for, then every day since
 * `lastClosedDay` (the yesterday of the last run that closed one), which a night without a run left unclosed
 * (where the clocks jump over 00:30 at midnight, or with the machine off), and every day marked changed since
 * its last rollup, all inside the lookback window (yesterday minus `lookbackDays` and later). A run that runs
 * out of time leaves the oldest for the next night, never yesterday. Changes to older days are kept on their
 * leads but no longer restate them. Before any run has closed a day, yesterday alone is unclosed.
 */
export function planNightlyRollup(now: Date, timeZone: string, lookbackDays: number, changedDays: readonly string[], lastClosedDay: string | undefined): NightlyRollupPlan {
  const yesterday = yesterdayIn(now, timeZone);
  const oldest = addDays(yesterday, -lookbackDays);
  const firstUnclosed = lastClosedDay === undefined ? yesterday : addDays(lastClosedDay, 1);
  const unclosed = daysBetween(firstUnclosed > oldest ? firstUnclosed : oldest, yesterday);
  const days = [...new Set([yesterday, ...unclosed, ...changedDays.filter((day) => day >= oldest && day < yesterday)])].sort((a, b) => b.localeCompare(a));
  return { days, unclosed };
}

/**
 * The days among `days` that no nightly run will restate any more: those before the lookback window of
 * the run that closes today (today minus `lookbackDays`; each run looks back from its yesterday). A change
 * to such a day is kept, but its figures change only when the day is rolled up on demand
 * (`POST /rollups/channel-roi`). Before tonight's run this also names the window's oldest day, which that
 * run still restates: at worst one on-demand rollup too many, never one too few.
 */
export function daysPastNightlyRestatement(now: Date, timeZone: string, lookbackDays: number, days: readonly string[]): string[] {
  const oldest = addDays(localDay(now, timeZone), -lookbackDays);
  return [...new Set(days.filter((day) => day < oldest))].sort();
}

/** What to tell whoever changed `days` (ascending, at least one) that the nightly rollup will not restate. */
export function rollupNeededNote(days: readonly string[], lookbackDays: number): string {
  const [from, to] = [days[0], days[days.length - 1]];
  const named = days.length === 1 ? from : `${days.length} days from ${from} to ${to}`;
  return `The nightly rollup restates changes within ${lookbackDays} days before yesterday (channelRoi.lookbackDays), so it will not restate ${named}: request POST /rollups/channel-roi {"from": "${from}", "to": "${to}"} (at most ${maxReportDays} days a request) to restate ${days.length === 1 ? 'it' : 'them'}.`;
}

/**
 * How long before an export began its `asOf` is: longer than a rollup takes from stamping a version to
 * storing it, so a version the export could not see yet is newer than `asOf`, and the next export's
 * `changedSince=<asOf>` shows it (rows changed in that last minute may then be shown twice, never missed).
 */
export const reportAsOfMarginSeconds = 60;

/** The time to give the next export as `changedSince`: a margin before this one began reading (`startedAt`, the server's clock). */
export function reportAsOf(startedAt: Date): string {
  return new Date(startedAt.getTime() - reportAsOfMarginSeconds * 1000).toISOString();
}

/** Whether an export shows only what changed since an earlier one (`sinceVersion` or `changedSince`). */
export function showsChanges(query: Pick<ReportQuery, 'sinceVersion' | 'changedSince'>): boolean {
  return query.sinceVersion !== undefined || query.changedSince !== undefined;
}

/** Whether a day's latest version is newer than what the query compares with (`sinceVersion`, or the time `changedSince`). */
export function changedSinceQuery(latest: RollupVersion, query: Pick<ReportQuery, 'sinceVersion' | 'changedSince'>): boolean {
  if (query.sinceVersion !== undefined) return latest.version > query.sinceVersion;
  return query.changedSince === undefined || Date.parse(latest.rolledUpAt) > Date.parse(query.changedSince);
}

/**
 * The lines of an export from each day's latest version: every row, or, with `sinceVersion` or
 * `changedSince`, only those that changed since the day's `since` version (that version number; or the
 * version that was the day's latest at that time). A day whose latest version is not newer has nothing to
 * show; a day without a `since` version (with `changedSince`: first rolled up after that time) shows all
 * its rows as added.
 */
export function reportLines(days: ReadonlyArray<{ latest?: RollupVersion; since?: RollupVersion }>, query: Pick<ReportQuery, 'groupBy' | 'attribution' | 'sinceVersion' | 'changedSince'>): ReportLine[] {
  const lines: ReportLine[] = [];
  for (const { latest, since } of days) {
    if (!latest) continue;
    const current = groupRollupRows(latest.rows, query.attribution, query.groupBy);
    const decimals = storedDecimals(latest);
    if (!showsChanges(query)) {
      lines.push(...current.map((row) => ({ day: latest.day, version: latest.version, row, ...decimalsMark(decimals) })));
      continue;
    }
    if (!changedSinceQuery(latest, query)) continue;
    // Compared in the latest version's decimals: one stored in cents before KWD was kept in thousandths has changed in no figure for that.
    const earlier = since ? groupRollupRows(versionInDecimals(since, decimals).rows, query.attribution, query.groupBy) : [];
    lines.push(...changedRows(earlier, current, decimals).map(({ row, change }) => ({ day: latest.day, version: latest.version, row, change, ...decimalsMark(decimals) })));
  }
  return lines.sort((a, b) => a.day.localeCompare(b.day) || compareRows(a.row, b.row));
}

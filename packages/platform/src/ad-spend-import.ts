import { daysPastNightlyRestatement, parseSpendCsv, parseSpendRows, type ChannelDaySpend, type Configuration, type SpendParse } from '@leadflow/domain';
import { changedMarkExpiry } from './channel-roi-rollups';
import type { ChannelRoiStore } from './ports/channel-roi-store';

/** What spend rows are checked against: the configured channels, the reporting currency and its rates, and today on the organisation's clock as of `now`. */
export function spendContext(config: Configuration, now: Date) {
  return { currency: config.organisation.currency, channelIds: new Set(config.channels.map((channel) => channel.id)), channelRoi: config.channelRoi, timeZone: config.organisation.timeZone, now };
}

/** Spend from a CSV file's text or from JSON rows, checked whole as of `now` (the request's time). */
export function readSpend(input: { csv: string } | { rows: readonly unknown[] }, config: Configuration, now: Date): SpendParse {
  return 'csv' in input ? parseSpendCsv(input.csv, spendContext(config, now)) : parseSpendRows(input.rows, spendContext(config, now));
}

/**
 * Stores checked spend, replacing each day and channel, and marks the days for the nightly rollup to
 * restate. Answers the days it names that are too old for the nightly rollup (`rollupNeeded`, ascending):
 * they are restated only by an on-demand rollup.
 */
export async function recordSpend(spend: readonly ChannelDaySpend[], deps: { config: Configuration; roi: ChannelRoiStore; now: () => Date }): Promise<{ rollupNeeded: string[] }> {
  const now = deps.now();
  await deps.roi.replaceSpend(spend, { markedAt: now.toISOString(), expiresAt: (day) => changedMarkExpiry(day, deps.config) });
  const days = spend.map((group) => group.day);
  return { rollupNeeded: daysPastNightlyRestatement(now, deps.config.organisation.timeZone, deps.config.channelRoi.lookbackDays, days) };
}

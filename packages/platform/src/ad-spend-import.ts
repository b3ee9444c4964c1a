import { parseSpendCsv, parseSpendRows, type Configuration, type SpendParse } from '@leadflow/domain';

/** What spend rows are checked against: the configured channels, the reporting currency and its rates. */
export function spendContext(config: Configuration) {
  return { currency: config.organisation.currency, channelIds: new Set(config.channels.map((channel) => channel.id)), channelRoi: config.channelRoi };
}

/** Spend from a CSV file's text or from JSON rows, checked whole. */
export function readSpend(input: { csv: string } | { rows: readonly unknown[] }, config: Configuration): SpendParse {
  return 'csv' in input ? parseSpendCsv(input.csv, spendContext(config)) : parseSpendRows(input.rows, spendContext(config));
}

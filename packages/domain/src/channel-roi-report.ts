import { csvCell } from './csv-records';
import { exactRatio, formatAmount, storedDecimals, type AmountDecimals } from './money';
import type { ReportGrouping, RollupRow, RowChange } from './channel-roi-rollup';

/** One reported row: a day, the version of that day it comes from, its counts, and, in a "since" export, how it changed. */
export interface ReportLine {
  day: string;
  version: number;
  row: RollupRow;
  change?: RowChange;
  /** 3 when the row's money is in thousandths, as its version's (`RollupVersion.decimals`). */
  decimals?: 3;
}

/** The figures of a row as reported: counts, money with the reporting currency's decimals (two, three for KWD), ratios with four; `""` where a divisor is zero. */
export interface ReportFigures {
  leads: number;
  valid: number;
  invalid: number;
  test: number;
  quarantined: number;
  contacted: number;
  qualified: number;
  converted: number;
  revenue: string;
  spend: string;
  cpl: string;
  costPerQualifiedLead: string;
  cac: string;
  roas: string;
  roi: string;
  medianMinutesToFirstContact: string;
  slaBreachRate: string;
}

const ratio = (numerator: number, denominator: number) => (denominator > 0 ? exactRatio(numerator, denominator, 4) : '');

/**
 * The median of ascending whole seconds (the mean of the middle two for an even count) in units of `unitSeconds`,
 * to `places` decimals rounded half up exactly (`toFixed` on a binary float shows 0.15 as 0.1 but 0.45 as 0.5);
 * `''` for none.
 */
export function medianIn(sortedSeconds: readonly number[], unitSeconds: number, places: number): string {
  if (!sortedSeconds.length) return '';
  const middle = Math.floor(sortedSeconds.length / 2);
  // Twice the median is whole: the sum of the middle two, or twice the middle one.
  const twiceMedian = sortedSeconds.length % 2 ? 2 * sortedSeconds[middle] : sortedSeconds[middle - 1] + sortedSeconds[middle];
  return exactRatio(twiceMedian, 2 * unitSeconds, places);
}

/**
 * The finance formulas over a row: CPL = spend ÷ leads (invalid ones too: they were paid for), cost per
 * qualified lead = spend ÷ qualified, CAC = spend ÷ converted, ROAS = revenue ÷ spend, ROI = (revenue −
 * spend) ÷ spend; the median time to first contact (minutes, one decimal) and the share of valid leads
 * whose SLA was breached.
 */
export function reportFigures(row: RollupRow, decimals: AmountDecimals): ReportFigures {
  const valid = row.leads - row.invalid;
  const money = (units: number) => formatAmount(units, decimals);
  const perUnit = (units: number, count: number) => (count > 0 ? money(Math.round(units / count)) : '');
  return {
    leads: row.leads,
    valid,
    invalid: row.invalid,
    test: row.test,
    quarantined: row.quarantined,
    contacted: row.contacted,
    qualified: row.qualified,
    converted: row.converted,
    revenue: money(row.revenueCents),
    spend: money(row.spendCents),
    cpl: perUnit(row.spendCents, row.leads),
    costPerQualifiedLead: perUnit(row.spendCents, row.qualified),
    cac: perUnit(row.spendCents, row.converted),
    roas: ratio(row.revenueCents, row.spendCents),
    roi: ratio(row.revenueCents - row.spendCents, row.spendCents),
    medianMinutesToFirstContact: medianIn(row.firstContactSeconds, 60, 1),
    slaBreachRate: ratio(row.slaBreached, valid),
  };
}

const figureColumns: ReadonlyArray<[string, keyof ReportFigures]> = [
  ['leads', 'leads'],
  ['valid', 'valid'],
  ['invalid', 'invalid'],
  ['test', 'test'],
  ['quarantined', 'quarantined'],
  ['contacted', 'contacted'],
  ['qualified', 'qualified'],
  ['converted', 'converted'],
  ['revenue', 'revenue'],
  ['spend', 'spend'],
  ['cpl', 'cpl'],
  ['cost_per_qualified_lead', 'costPerQualifiedLead'],
  ['cac', 'cac'],
  ['roas', 'roas'],
  ['roi', 'roi'],
  ['median_minutes_to_first_contact', 'medianMinutesToFirstContact'],
  ['sla_breach_rate', 'slaBreachRate'],
];

export interface ReportShape {
  groupBy: ReportGrouping;
  /** A "since version" export adds the `change` column. */
  withChanges: boolean;
}

/** The header of a channel-ROI export: the campaign column only when grouped by campaign. */
export function reportColumns(shape: ReportShape): string[] {
  return ['date', 'attribution', 'channel', ...(shape.groupBy === 'campaign' ? ['campaign'] : []), 'version', ...figureColumns.map(([name]) => name), ...(shape.withChanges ? ['change'] : [])];
}

/** A line's cells in column order, each as text and whether it is a number (numbers are never formula-escaped). */
export function reportCells(line: ReportLine, shape: ReportShape): ReportCell[] {
  const figures = reportFigures(line.row, storedDecimals(line));
  const text = (value: string) => ({ text: value, numeric: false });
  return [
    text(line.day),
    text(line.row.attribution),
    text(line.row.channel),
    ...(shape.groupBy === 'campaign' ? [text(line.row.campaign)] : []),
    { text: String(line.version), numeric: true },
    ...figureColumns.map(([, key]) => ({ text: String(figures[key]), numeric: true })),
    ...(shape.withChanges ? [text(line.change ?? '')] : []),
  ];
}

/** One cell of a report table: its text as the CSV shows it, and whether it is a figure. */
export interface ReportCell {
  text: string;
  numeric: boolean;
}

/**
 * A report table as RFC 4180 CSV: a header row, CRLF line ends, quoting where needed, and text cells that
 * a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) prefixed with `'`.
 */
export function reportTableCsv(columns: readonly string[], rows: readonly ReportCell[][]): string {
  const header = columns.map((name) => csvCell(name, false));
  const body = rows.map((cells) => cells.map((cell) => csvCell(cell.text, cell.numeric)));
  return [header, ...body].map((cells) => `${cells.join(',')}\r\n`).join('');
}

/** A report table as JSON objects keyed by the CSV's columns: numbers as numbers, empty figures as `null`. */
export function reportTableJsonRows(columns: readonly string[], rows: readonly ReportCell[][]): Array<Record<string, string | number | null>> {
  return rows.map((cells) => Object.fromEntries(cells.map((cell, index) => [columns[index], cell.numeric ? (cell.text === '' ? null : Number(cell.text)) : cell.text])));
}

/** The channel-ROI export as CSV. */
export function channelRoiCsv(lines: readonly ReportLine[], shape: ReportShape): string {
  return reportTableCsv(
    reportColumns(shape),
    lines.map((line) => reportCells(line, shape)),
  );
}

/** The channel-ROI export as JSON objects keyed by the CSV's columns. */
export function channelRoiJsonRows(lines: readonly ReportLine[], shape: ReportShape): Array<Record<string, string | number | null>> {
  return reportTableJsonRows(
    reportColumns(shape),
    lines.map((line) => reportCells(line, shape)),
  );
}

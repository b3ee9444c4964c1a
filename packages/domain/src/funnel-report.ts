import { totalOfRollupRows, type AttributionModel, type RollupRow } from './channel-roi-rollup';
import { medianIn, reportTableCsv, reportTableJsonRows, type ReportCell, type ReportLine } from './channel-roi-report';
import { funnelStages, laterFunnelStages, previousStage, type FunnelStage, type LaterFunnelStage } from './funnel';
import { exactRatio } from './money';

/** How funnel lines are grouped: per day and campaign, per day and channel, or per day (all channels). */
export type FunnelGrouping = 'campaign' | 'channel' | 'day';

/**
 * The funnel of a row: leads at each stage (captured = leads that are neither test nor quarantined,
 * valid = those not invalid, then the valid ones contacted, qualified, converted, so no stage holds more
 * than the one before), the rate from each stage to the next (four decimals), and the median days each
 * took (two decimals); `""` where there is nothing to divide or no time.
 */
export interface FunnelFigures {
  stages: Record<FunnelStage, number>;
  rates: Record<LaterFunnelStage, string>;
  medianDays: Record<LaterFunnelStage, string>;
}

const secondsPerDay = 86_400;

export function funnelFigures(row: RollupRow): FunnelFigures {
  const stages: Record<FunnelStage, number> = { captured: row.leads, valid: row.leads - row.invalid, contacted: row.validContacted, qualified: row.validQualified, converted: row.validConverted };
  const rates = {} as Record<LaterFunnelStage, string>;
  const medianDays = {} as Record<LaterFunnelStage, string>;
  for (const stage of laterFunnelStages) {
    const reachedFrom = stages[previousStage(stage)];
    rates[stage] = reachedFrom > 0 ? exactRatio(stages[stage], reachedFrom, 4) : '';
    medianDays[stage] = medianIn(row.stageSeconds[stage], secondsPerDay, 2);
  }
  return { stages, rates, medianDays };
}

/** The figure columns of a funnel export, in order: stage counts, then rates, then median days. */
const figureColumns: ReadonlyArray<[string, (figures: FunnelFigures) => string]> = [
  ...funnelStages.map((stage): [string, (figures: FunnelFigures) => string] => [stage, (figures) => String(figures.stages[stage])]),
  ...laterFunnelStages.map((stage): [string, (figures: FunnelFigures) => string] => [`${previousStage(stage)}_to_${stage}_rate`, (figures) => figures.rates[stage]]),
  ...laterFunnelStages.map((stage): [string, (figures: FunnelFigures) => string] => [`median_days_${previousStage(stage)}_to_${stage}`, (figures) => figures.medianDays[stage]]),
];

/** The header of a funnel export: the channel column unless grouped by day, the campaign column only when grouped by campaign. */
export function funnelColumns(groupBy: FunnelGrouping): string[] {
  return ['date', 'attribution', ...(groupBy === 'day' ? [] : ['channel']), ...(groupBy === 'campaign' ? ['campaign'] : []), 'version', ...figureColumns.map(([name]) => name)];
}

function funnelCells(line: ReportLine, groupBy: FunnelGrouping): ReportCell[] {
  const figures = funnelFigures(line.row);
  const text = (value: string) => ({ text: value, numeric: false });
  return [
    text(line.day),
    text(line.row.attribution),
    ...(groupBy === 'day' ? [] : [text(line.row.channel)]),
    ...(groupBy === 'campaign' ? [text(line.row.campaign)] : []),
    { text: String(line.version), numeric: true },
    ...figureColumns.map(([, figure]) => ({ text: figure(figures), numeric: true })),
  ];
}

/**
 * Channel-grouped (or campaign-grouped) lines as the funnel shows them: unchanged, or, grouped by day,
 * each day's lines merged into one (channel and campaign `""`).
 */
export function funnelLines(lines: readonly ReportLine[], groupBy: FunnelGrouping, attribution: AttributionModel): ReportLine[] {
  if (groupBy !== 'day') return [...lines];
  const days = new Map<string, ReportLine[]>();
  for (const line of lines) days.set(line.day, [...(days.get(line.day) ?? []), line]);
  return [...days.entries()].map(([day, dayLines]) => ({
    day,
    version: dayLines[0].version,
    row: totalOfRollupRows(
      dayLines.map((line) => line.row),
      attribution,
      '',
      '',
    ),
  }));
}

/** The whole range's funnel: every line merged, medians over every lead's times. */
export function funnelTotal(lines: readonly ReportLine[], attribution: AttributionModel): FunnelFigures {
  return funnelFigures(
    totalOfRollupRows(
      lines.map((line) => line.row),
      attribution,
      '',
      '',
    ),
  );
}

/** The funnel as CSV, text cells formula-guarded as in the channel-ROI export. */
export function funnelCsv(lines: readonly ReportLine[], groupBy: FunnelGrouping): string {
  return reportTableCsv(
    funnelColumns(groupBy),
    lines.map((line) => funnelCells(line, groupBy)),
  );
}

/** The funnel as JSON objects keyed by the CSV's columns: numbers as numbers, empty figures as `null`. */
export function funnelJsonRows(lines: readonly ReportLine[], groupBy: FunnelGrouping): Array<Record<string, string | number | null>> {
  return reportTableJsonRows(
    funnelColumns(groupBy),
    lines.map((line) => funnelCells(line, groupBy)),
  );
}

/** The range's funnel as JSON: stage counts, rates and median days keyed as the CSV's figure columns. */
export function funnelTotalJson(figures: FunnelFigures): Record<string, number | null> {
  return Object.fromEntries(figureColumns.map(([name, figure]) => [name, figure(figures) === '' ? null : Number(figure(figures))]));
}

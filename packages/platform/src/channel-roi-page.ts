import { amountDecimalsOf, formatAmount, funnelStages, laterFunnelStages, previousStage, reportCells, reportColumns, type FunnelFigures, type ReportLine, type ReportShape } from '@leadflow/domain';
import { escapeHtml } from './http/html-error-page';

export interface ChannelRoiPageInput {
  organisation: string;
  currency: string;
  from: string;
  to: string;
  attribution: string;
  lines: readonly ReportLine[];
  shape: ReportShape;
  /** The range's funnel (absent from a page of what changed since an earlier export, whose lines are only those). */
  funnel?: FunnelFigures;
}

/** Spend and revenue per channel over the lines, in the reporting currency's minor units (the lines are all in its decimals), channels in name order. */
export function channelTotals(lines: readonly ReportLine[]): Array<{ channel: string; spendCents: number; revenueCents: number }> {
  const totals = new Map<string, { channel: string; spendCents: number; revenueCents: number }>();
  for (const { row } of lines) {
    const total = totals.get(row.channel) ?? { channel: row.channel, spendCents: 0, revenueCents: 0 };
    total.spendCents += row.spendCents;
    total.revenueCents += row.revenueCents;
    totals.set(row.channel, total);
  }
  return [...totals.values()].sort((a, b) => a.channel.localeCompare(b.channel));
}

/** A bar chart of spend against revenue per channel, as plain SVG (no script, nothing fetched). */
function spendRevenueChart(totals: ReturnType<typeof channelTotals>, currency: string): string {
  const barHeight = 16;
  const groupHeight = barHeight * 2 + 14;
  const labelWidth = 140;
  const plotWidth = 420;
  const money = (units: number) => formatAmount(units, amountDecimalsOf(currency));
  const largest = Math.max(1, ...totals.flatMap((total) => [total.spendCents, total.revenueCents]));
  const bar = (kind: 'spend' | 'revenue', cents: number, y: number, colour: string) =>
    `<rect x="${labelWidth}" y="${y}" width="${((cents / largest) * plotWidth).toFixed(1)}" height="${barHeight}" fill="${colour}"/><text class="${kind}" x="${labelWidth + (cents / largest) * plotWidth + 4}" y="${y + barHeight - 4}" font-size="11">${kind} ${money(cents)}</text>`;
  const groups = totals.map((total, index) => {
    const y = 24 + index * groupHeight;
    return `<g data-channel="${escapeHtml(total.channel)}" data-spend="${money(total.spendCents)}" data-revenue="${money(total.revenueCents)}"><text x="0" y="${y + barHeight}" font-size="12">${escapeHtml(total.channel)}</text>${bar('spend', total.spendCents, y, '#d9534f')}${bar('revenue', total.revenueCents, y + barHeight + 2, '#2e7d32')}</g>`;
  });
  const height = 24 + totals.length * groupHeight;
  return `<svg role="img" aria-label="Spend against revenue by channel (${escapeHtml(currency)})" xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 120}" height="${height}"><text x="0" y="14" font-size="12">Spend (red) against revenue (green), ${escapeHtml(currency)}</text>${groups.join('')}</svg>`;
}

/**
 * The funnel as plain SVG: one bar per stage, as wide as its share of captured leads, labelled with its
 * count, and beside each later stage the rate from the stage before and the median days it took.
 */
export function funnelChart(figures: FunnelFigures): string {
  const barHeight = 20;
  const rowHeight = barHeight + 8;
  const labelWidth = 90;
  const plotWidth = 360;
  const largest = Math.max(1, figures.stages.captured);
  const rows = funnelStages.map((stage, index) => {
    const y = 24 + index * rowHeight;
    const count = figures.stages[stage];
    const width = (count / largest) * plotWidth;
    const step =
      stage === 'captured'
        ? ''
        : `${figures.rates[stage] === '' ? '—' : `${(Number(figures.rates[stage]) * 100).toFixed(1)}%`} of ${previousStage(stage)}${figures.medianDays[stage] === '' ? '' : `, median ${figures.medianDays[stage]} d`}`;
    const stepAttributes = stage === 'captured' ? '' : ` data-rate="${figures.rates[stage]}" data-median-days="${figures.medianDays[stage]}"`;
    return `<g data-stage="${stage}" data-count="${count}"${stepAttributes}><text x="0" y="${y + barHeight - 6}" font-size="12">${stage}</text><rect x="${labelWidth}" y="${y}" width="${width.toFixed(1)}" height="${barHeight}" fill="#1565c0"/><text class="count" x="${labelWidth + width + 4}" y="${y + barHeight - 6}" font-size="11">${count}</text><text class="step" x="${labelWidth + plotWidth + 40}" y="${y + barHeight - 6}" font-size="11">${escapeHtml(step)}</text></g>`;
  });
  return `<svg role="img" aria-label="Funnel: leads at each stage" xmlns="http://www.w3.org/2000/svg" width="${labelWidth + plotWidth + 300}" height="${24 + laterFunnelStages.length * rowHeight + rowHeight}"><text x="0" y="14" font-size="12">Funnel: leads at each stage, the rate from the stage before and its median days</text>${rows.join('')}</svg>`;
}

/**
 * The channel-ROI page for people: the export's table, cell for cell the CSV's figures, a chart
 * of spend against revenue per channel and, when given, the range's funnel. Everything it shows is escaped; it runs no script.
 */
export function channelRoiPage(input: ChannelRoiPageInput): string {
  const columns = reportColumns(input.shape);
  const head = columns.map((name) => `<th scope="col">${escapeHtml(name)}</th>`).join('');
  const body = input.lines
    .map(
      (line) =>
        `<tr>${reportCells(line, input.shape)
          .map((cell, index) => `<td data-column="${escapeHtml(columns[index])}"${cell.numeric ? ' class="number"' : ''}>${escapeHtml(cell.text)}</td>`)
          .join('')}</tr>`,
    )
    .join('');
  const title = `Channel ROI, ${input.from} to ${input.to}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ccc;padding:2px 6px}td.number{text-align:right;font-variant-numeric:tabular-nums}</style></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(input.organisation)} · ${escapeHtml(input.attribution)}-touch attribution · money in ${escapeHtml(input.currency)} · cohorts by capture day</p><figure>${spendRevenueChart(channelTotals(input.lines), input.currency)}</figure>${input.funnel ? `<figure>${funnelChart(input.funnel)}</figure>` : ''}<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${input.lines.length ? '' : '<p>No rolled-up days in this range.</p>'}</body></html>`;
}

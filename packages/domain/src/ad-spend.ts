import { campaignName, maxCampaignLength, otherCampaignsLabel } from './channel-roi-campaigns';
import type { ChannelRoiConfiguration } from './channel-roi-configuration';
import { isCalendarDay } from './calendar-day';
import { humanTextIssue } from './human-text';
import { blankCsvColumns, csvLayoutIssue, fitsCsvHeader, isBlankCsvRecord, parseCsvRecords } from './csv-records';
import { amountDecimalsOf, decimalsMark, formatAmount, isIsoCurrencyCode, largestAmount, parseAmount, reportingUnitsOn, rescaled, storedDecimals, type AmountDecimals } from './money';
import { localDay } from './pool-claim';

/** One campaign's spend on one day, in the reporting currency, with what was given. */
export interface CampaignSpend {
  campaign: string;
  /** Minor units of the reporting currency: hundredths, or thousandths where the day and channel's `decimals` is 3 (the stored name is kept). */
  cents: number;
  /** As given, when it was in another currency. */
  original?: { amount: string; currency: string };
}

/** All spend of one channel on one day: importing that day and channel again replaces it whole. */
export interface ChannelDaySpend {
  day: string;
  channel: string;
  campaigns: CampaignSpend[];
  /** 3 when the campaigns' amounts are thousandths (a reporting currency such as KWD); absent for hundredths, as all spend stored before. */
  decimals?: 3;
}

/** Spend as stored, its amounts in `decimals` (those of the reporting currency): spend stored in cents of a currency kept in thousandths since (KWD) reads ×10. */
export function spendInDecimals(spend: readonly ChannelDaySpend[], decimals: AmountDecimals): ChannelDaySpend[] {
  return spend.map((group) => {
    const from = storedDecimals(group);
    if (from === decimals) return group;
    return { day: group.day, channel: group.channel, campaigns: group.campaigns.map((campaign) => ({ ...campaign, cents: rescaled(campaign.cents, from, decimals) })), ...decimalsMark(decimals) };
  });
}

/** A problem with one row (1-based, the header being row 0 in CSV) and one of its fields. */
export interface SpendRowIssue {
  path: string;
  message: string;
}

export type SpendParse = { ok: true; spend: ChannelDaySpend[]; rows: number } | { ok: false; issues: SpendRowIssue[] };

export const spendColumns = ['date', 'channel', 'campaign', 'amount', 'currency'] as const;

/**
 * The most one day and channel's campaigns may take, as JSON bytes: they are kept as one item, and a
 * DynamoDB item holds at most 400 KB, so a group over this would be refused by the table mid-file.
 */
export const maxSpendBytesPerChannelDay = 300 * 1024;

/** About what one group takes as JSON, the measure `maxSpendBytesPerChannelDay` is in. */
export function spendGroupBytes(group: Pick<ChannelDaySpend, 'campaigns'>): number {
  return Buffer.byteLength(JSON.stringify(group.campaigns));
}
type SpendColumn = (typeof spendColumns)[number];
type RawSpendRow = Record<SpendColumn, unknown>;

interface SpendContext {
  currency: string;
  channelIds: ReadonlySet<string>;
  channelRoi: Pick<ChannelRoiConfiguration, 'exchangeRates'>;
  /** The organisation's time zone and the time of the request: spend is for days up to today on that clock. */
  timeZone: string;
  now: Date;
}

/** The first day spend may be for: an earlier date is a typo ("0001-01-01", "1026-03-10"), not ad spend. */
export const earliestSpendDay = '2000-01-01';

/**
 * Checks spend rows and groups them by day and channel. Every row is checked and every problem named
 * (`rows[3].amount`), so a file is taken whole or not at all. A campaign may appear once per day and
 * channel; an empty campaign is the channel's spend not tied to one. Amounts are non-negative decimals
 * with at most the currency's places (`amountDecimalsOf`: two, three for KWD); a currency other than the reporting one needs a configured rate for the day.
 * Dates run from `earliestSpendDay` to today on the organisation's clock: a day not over yet may already have spend.
 */
export function parseSpendRows(rows: readonly unknown[], context: SpendContext, rowLabel: (index: number) => string = (index) => `rows[${index}]`): SpendParse {
  const issues: SpendRowIssue[] = [];
  const groups = new Map<string, ChannelDaySpend>();
  const groupBytes = new Map<string, number>();
  const firstRowOf = new Map<string, string>();
  if (!rows.length) return { ok: false, issues: [{ path: 'rows', message: 'no spend rows were given' }] };
  const today = localDay(context.now, context.timeZone);
  const reportingDecimals = amountDecimalsOf(context.currency);
  rows.forEach((row, index) => {
    const label = rowLabel(index);
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      issues.push({ path: label, message: 'must be an object with date, channel, campaign, amount and currency' });
      return;
    }
    const raw = row as Partial<RawSpendRow>;
    const unknownFields = Object.keys(raw).filter((key) => !(spendColumns as readonly string[]).includes(key));
    for (const field of unknownFields) issues.push({ path: `${label}.${field}`, message: `is not a spend field (give ${spendColumns.join(', ')})` });
    const rowIssues = (field: SpendColumn, message: string) => issues.push({ path: `${label}.${field}`, message });
    // Only an amount may be a JSON number; a campaign named 1 is a mistake in whatever wrote the body, not a name.
    const text = (field: SpendColumn) => (typeof raw[field] === 'string' ? raw[field].trim() : undefined);
    const given = (field: SpendColumn) => raw[field] !== undefined && raw[field] !== null;

    const dateText = text('date');
    const day = dateText && isCalendarDay(dateText) && dateText >= earliestSpendDay && dateText <= today ? dateText : undefined;
    if (!dateText || !isCalendarDay(dateText)) rowIssues('date', 'must be a date written YYYY-MM-DD');
    else if (dateText > today) rowIssues('date', `must not be after today (${today} in ${context.timeZone})`);
    else if (dateText < earliestSpendDay) rowIssues('date', `must not be before ${earliestSpendDay}`);
    const channel = text('channel');
    if (given('channel') && channel === undefined) rowIssues('channel', 'must be text');
    else if (!channel) rowIssues('channel', 'is required');
    else if (!context.channelIds.has(channel)) rowIssues('channel', `unknown channel "${channel}"`);
    const typed = raw.campaign === undefined ? '' : text('campaign');
    const campaign = typed === undefined ? undefined : campaignName(typed);
    // Finance types campaign names, and reports show them: a control character or bidi override is a typo to fix, not a name.
    const campaignTextIssue = campaign === undefined ? undefined : humanTextIssue(campaign);
    const campaignRefused = campaign === undefined || campaign.length > maxCampaignLength || campaign === otherCampaignsLabel || campaignTextIssue !== undefined;
    if (campaign === undefined) rowIssues('campaign', 'must be text');
    else if (campaign.length > maxCampaignLength) rowIssues('campaign', `must be at most ${maxCampaignLength} characters`);
    else if (campaignTextIssue) rowIssues('campaign', campaignTextIssue);
    else if (campaign === otherCampaignsLabel) rowIssues('campaign', `"${otherCampaignsLabel}" is the channel-ROI row of campaigns without spend folded together: name the campaign otherwise`);
    const currency = text('currency')?.toUpperCase();
    // An unknown currency is named below; its amount is read as most currencies' is.
    const decimals: AmountDecimals = currency && isIsoCurrencyCode(currency) ? amountDecimalsOf(currency) : 2;
    const amount = typeof raw.amount === 'number' ? String(raw.amount) : text('amount');
    const units = amount === undefined ? undefined : parseAmount(amount, decimals);
    const tooLarge = typeof raw.amount === 'number' ? !(raw.amount * 10 ** decimals <= largestAmount(decimals)) : /^0*[1-9]\d{12,}(?:\.\d*)?$/.test(amount ?? '');
    if (given('amount') && amount === undefined) rowIssues('amount', 'must be a number, or a decimal written as text such as "1234.50"');
    else if (amount === undefined || amount === '') rowIssues('amount', 'is required');
    else if (amount.startsWith('-')) rowIssues('amount', 'must not be negative');
    else if (units === undefined && tooLarge) rowIssues('amount', `must be at most ${formatAmount(largestAmount(decimals), decimals)}`);
    else if (units === undefined) rowIssues('amount', `must be a decimal amount with at most ${decimals === 3 ? `three decimal places for ${currency}, such as 1234.500` : 'two decimal places, such as 1234.50'}`);
    if (given('currency') && currency === undefined) rowIssues('currency', 'must be text');
    else if (!currency) rowIssues('currency', 'is required');
    else if (!isIsoCurrencyCode(currency)) rowIssues('currency', 'must be an ISO 4217 code such as "USD"');

    if (!day || !channel || !context.channelIds.has(channel) || campaignRefused || units === undefined || !currency || !isIsoCurrencyCode(currency)) return;
    const valued = reportingUnitsOn({ units, decimals, currency }, day, { currency: context.currency, exchangeRates: context.channelRoi.exchangeRates });
    if (!valued.ok) {
      rowIssues('currency', valued.message);
      return;
    }
    const key = `${day} ${channel}`;
    const group = groups.get(key) ?? { day, channel, campaigns: [], ...decimalsMark(reportingDecimals) };
    groups.set(key, group);
    const campaignKey = `${key} ${campaign}`;
    const earlier = firstRowOf.get(campaignKey);
    if (earlier) {
      rowIssues('campaign', `campaign "${campaign}" of ${channel} on ${day} is already given in ${earlier}`);
      return;
    }
    firstRowOf.set(campaignKey, label);
    const campaignSpend: CampaignSpend = { campaign, cents: valued.units, ...(currency === context.currency ? {} : { original: { amount: amount ?? '', currency } }) };
    // As `spendGroupBytes` counts it: the brackets, and each campaign with its comma.
    const before = groupBytes.get(key) ?? 1;
    const bytes = before + Buffer.byteLength(JSON.stringify(campaignSpend)) + 1;
    groupBytes.set(key, bytes);
    // Named once, at the row that takes the group over.
    if (before <= maxSpendBytesPerChannelDay && bytes > maxSpendBytesPerChannelDay) {
      rowIssues('campaign', `${channel} on ${day} has more campaigns than one day and channel can keep (${maxSpendBytesPerChannelDay / 1024} KB of names and amounts, reached at ${group.campaigns.length + 1} campaigns)`);
    }
    group.campaigns.push(campaignSpend);
  });
  if (issues.length) return { ok: false, issues };
  const spend = [...groups.values()].sort((a, b) => (a.day === b.day ? a.channel.localeCompare(b.channel) : a.day.localeCompare(b.day)));
  for (const group of spend) group.campaigns.sort((a, b) => a.campaign.localeCompare(b.campaign));
  return { ok: true, spend, rows: rows.length };
}

/**
 * A spend CSV (header row with `date, channel, campaign, amount, currency`, any order, any case, each
 * once) read into rows and checked like JSON rows. Problems name the file's line: `line 4.amount`.
 * Lines of commas only and unnamed columns without values (what Excel leaves of cleared cells) are
 * skipped as the lead import skips them; a file not laid out as comma-separated lines is refused saying so.
 */
export function parseSpendCsv(text: string, context: SpendContext): SpendParse {
  // Strict: `"spring"sale` read leniently would be recorded as the campaign `"spring"sale`, quotes and all.
  const { records, problems } = parseCsvRecords(text, { strictClosingQuotes: true });
  const [header, ...body] = records.filter((record) => !isBlankCsvRecord(record.values));
  const layout = csvLayoutIssue(text, header?.values);
  if (layout) return { ok: false, issues: [layout] };
  // A header that could not be read leaves a later line in its place: name why, not that line's values as columns.
  const unreadHeader = problems.filter((problem) => !header || problem.line < header.line);
  if (unreadHeader.length) return { ok: false, issues: unreadHeader.map((problem) => ({ path: `line ${problem.line}`, message: problem.message })) };
  if (!header) return { ok: false, issues: [{ path: '(header)', message: `the file is empty; its first line must name the columns ${spendColumns.join(', ')}` }] };
  const names = header.values.map((name) => name.trim().toLowerCase());
  const blankColumns = blankCsvColumns(names, body);
  const missing = spendColumns.filter((column) => column !== 'campaign' && !names.includes(column));
  const unknown = names.filter((name) => name && !(spendColumns as readonly string[]).includes(name));
  const unnamed = names.flatMap((name, index) => (name || blankColumns.has(index) ? [] : [index]));
  const twice = names.flatMap((name, index) => (name && names.indexOf(name) < index ? [{ name, first: names.indexOf(name), index }] : []));
  if (missing.length || unknown.length || unnamed.length || twice.length) {
    return {
      ok: false,
      issues: [
        ...missing.map((column) => ({ path: '(header)', message: `column "${column}" is missing` })),
        ...unknown.map((name) => ({ path: '(header)', message: `column "${name}" is not a spend column (${spendColumns.join(', ')})` })),
        ...unnamed.map((index) => ({ path: '(header)', message: `column ${index + 1} has values but no name in the header row` })),
        ...twice.map(({ name, first, index }) => ({ path: '(header)', message: `column "${name}" is named twice (columns ${first + 1} and ${index + 1}); keep one of them` })),
      ],
    };
  }
  const issues: SpendRowIssue[] = problems.map((problem) => ({ path: `line ${problem.line}${problem.column !== undefined && names[problem.column] ? `.${names[problem.column]}` : ''}`, message: problem.message }));
  for (const record of body) {
    if (!fitsCsvHeader(record.values, names)) issues.push({ path: `line ${record.line}`, message: `has ${record.values.length} values; the header has ${names.length}` });
  }
  if (issues.length) return { ok: false, issues };
  const rows = body.map((record) => Object.fromEntries(names.flatMap((name, index) => (name ? [[name, record.values[index]]] : []))));
  return parseSpendRows(rows, context, (index) => `line ${body[index].line}`);
}

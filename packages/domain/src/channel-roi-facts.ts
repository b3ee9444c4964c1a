import './zod-locale';
import * as z from 'zod/mini';
import { clickIdKeys, type TouchAttribution } from './attribution';
import { daysBetween } from './calendar-day';
import { campaignName } from './channel-roi-campaigns';
import { type ChannelRoiConfiguration, type ClickIdChannels } from './channel-roi-configuration';
import { funnelStageTimes, stageTimesSchema } from './funnel';
import { countedStatus, type Lead } from './lead';
import type { Configuration } from './configuration';
import { amountDecimalsOf, decimalsMark, minorUnitsOf, rescaled, reportingUnitsOn, storedDecimals, toReportingUnits, type AmountDecimals } from './money';
import { localDay } from './pool-claim';

/**
 * What one lead contributes to its capture day's channel ROI, kept per lead and rewritten from the lead
 * on each of its events. Setting facts (never adding to counters) makes redelivered and reordered
 * events harmless, and a day's rollup reads just that day's leads.
 */
export const leadRoiFactsSchema = z.strictObject({
  leadId: z.string(),
  /** The capture day on the organisation's clock: a late conversion restates this day. */
  day: z.iso.date(),
  /** The lead's own channel (its source's). */
  channel: z.string(),
  /** The channel the first and the last touch credit (absent on facts written before they were kept: `channel` then). */
  firstChannel: z.optional(z.string()),
  lastChannel: z.optional(z.string()),
  firstCampaign: z.string(),
  lastCampaign: z.string(),
  /** Test and quarantined leads are shown apart and never counted as leads. */
  kind: z.enum(['lead', 'test', 'quarantined']),
  invalid: z.boolean(),
  contacted: z.boolean(),
  qualified: z.boolean(),
  converted: z.boolean(),
  /**
   * In the reporting currency's minor units, at the rates configured when the facts were written (0 when the sale's
   * currency had none then; a rollup converts `sale` again). Cents on facts without `sale`, all written before it was kept.
   */
  revenueCents: z.number().check(z.int(), z.nonnegative()),
  /**
   * The sale in its own currency's minor units (`cents`: hundredths, or thousandths where `decimals` is 3, as a
   * KWD sale of 12.345 is kept) and the day it was won, so each rollup converts it at the rates
   * configured then: a corrected `channelRoi.exchangeRates` rate restates the days rolled up after it.
   * Absent without a conversion, and on facts written before it was kept (`revenueCents` stands then).
   */
  sale: z.optional(z.strictObject({ cents: z.number().check(z.int(), z.nonnegative()), decimals: z.optional(z.literal(3)), currency: z.string().check(z.regex(/^[A-Z]{3}$/)), wonDay: z.iso.date() })),
  firstContactSeconds: z.optional(z.number().check(z.int(), z.nonnegative())),
  slaBreached: z.boolean(),
  /** When the lead reached each funnel stage (absent on facts written before the funnel was measured). */
  reachedAt: z.optional(stageTimesSchema),
  /** The lead's `updatedAt` these facts were read from: an older read never overwrites a newer one. */
  leadUpdatedAt: z.iso.datetime(),
});
export type LeadRoiFacts = z.infer<typeof leadRoiFactsSchema>;

/** The furthest any clock in use is behind and ahead of UTC, in hours (Baker Island's UTC−12, Kiribati's Line Islands' UTC+14). */
const clockOffsetHours = { behind: 12, ahead: 14 } as const;

/**
 * Every day a lead captured at `capturedAt` is filed under on some organisation's clock: its day from
 * UTC−12 to UTC+14, so two days, or three for a capture from 10:00 to 12:00 UTC. Facts filed before
 * `organisation.timeZone` changed are under one of these.
 *
 * @example
 * possibleCaptureDays('2026-03-10T16:00:00.000Z') // → ['2026-03-10', '2026-03-11']
 */
export function possibleCaptureDays(capturedAt: string): string[] {
  const at = Date.parse(capturedAt);
  const utcDay = (offsetHours: number) => new Date(at + offsetHours * 3600 * 1000).toISOString().slice(0, 10);
  return daysBetween(utcDay(-clockOffsetHours.behind), utcDay(clockOffsetHours.ahead));
}

type Sale = NonNullable<LeadRoiFacts['sale']>;

/** The day a sale's revenue is valued on: the day it was won on the organisation's clock. */
export function saleWonDay(wonAt: string, timeZone: string): string {
  return localDay(new Date(wonAt), timeZone);
}

/**
 * Why channel ROI could not value a sale about to be stored (a conversion, or a correction as it would
 * leave the conversion): a currency that is not the reporting one and has no configured rate on the day
 * it was won. Stored anyway, it would hold back that day's rollups (`missing_exchange_rate`).
 * `undefined` when the sale can be valued.
 */
export function unvaluedSaleIssue(sale: { currency: string; wonAt: string }, config: Pick<Configuration, 'organisation' | 'channelRoi'>): { path: 'currency'; message: string } | undefined {
  const valued = reportingUnitsOn({ units: 0, decimals: amountDecimalsOf(sale.currency), currency: sale.currency }, saleWonDay(sale.wonAt, config.organisation.timeZone), {
    currency: config.organisation.currency,
    exchangeRates: config.channelRoi.exchangeRates,
  });
  return valued.ok ? undefined : { path: 'currency', message: valued.message };
}

function saleInReportingCents(leadId: string, sale: Sale, reporting: { currency: string; exchangeRates: ChannelRoiConfiguration['exchangeRates'] }): { ok: true; cents: number } | { ok: false; reason: string } {
  const cents = toReportingUnits({ units: sale.cents, decimals: storedDecimals(sale), currency: sale.currency }, sale.wonDay, reporting);
  if (cents === undefined) return { ok: false, reason: `lead ${leadId}: revenue in ${sale.currency} has no exchange rate to ${reporting.currency} on ${sale.wonDay} (channelRoi.exchangeRates)` };
  return { ok: true, cents };
}

/**
 * A day's facts with each sale converted at the rates configured now (facts without `sale` keep their
 * `revenueCents`): what a rollup counts, so a corrected rate restates every day rolled up after it.
 * Not ok, naming the lead, when a sale's currency has no rate on the day it was won any more.
 */
export function factsAtConfiguredRates(
  facts: readonly LeadRoiFacts[],
  reporting: { currency: string; channelRoi: Pick<ChannelRoiConfiguration, 'exchangeRates'> },
): { ok: true; facts: LeadRoiFacts[] } | { ok: false; reason: string } {
  const valued: LeadRoiFacts[] = [];
  const decimals: AmountDecimals = amountDecimalsOf(reporting.currency);
  for (const lead of facts) {
    if (!lead.sale) {
      valued.push({ ...lead, revenueCents: rescaled(lead.revenueCents, 2, decimals) });
      continue;
    }
    const revenue = saleInReportingCents(lead.leadId, lead.sale, { currency: reporting.currency, exchangeRates: reporting.channelRoi.exchangeRates });
    if (!revenue.ok) return revenue;
    valued.push({ ...lead, revenueCents: revenue.cents });
  }
  return { ok: true, facts: valued };
}

/** The lead events that change what a lead contributes to its day's channel ROI. */
export const channelRoiEventTypes = ['lead.captured', 'lead.touched', 'lead.status_changed', 'lead.converted', 'lead.conversion_corrected', 'lead.activity_logged', 'lead.sla_breached'] as const;
export type ChannelRoiEventType = (typeof channelRoiEventTypes)[number];

/** The campaign a touch credits (as `campaignName` keeps it): its `utm_campaign`, else the ad platform's campaign id, else its name; `""` for none. */
export function touchCampaign(touch: TouchAttribution | undefined): string {
  return campaignName(touch?.utm_campaign ?? touch?.campaign_id ?? touch?.campaign_name ?? '');
}

const adPlatformSources = new Set<Lead['source']['kind']>(['meta', 'google', 'tiktok', 'linkedin']);

/**
 * The channel a touch credits: that of its click id in `clickIdChannels` (the first of `clickIdKeys` it
 * carries) when it has no `utm_source` and the lead did not come from an ad platform's lead form (whose
 * channel is that platform's); else the lead's own.
 *
 * @example
 * touchChannel({ gclid: 'Cj0' }, { channel: 'website', source: { kind: 'web_form' } }, { gclid: 'google-ads' }) // → 'google-ads'
 */
export function touchChannel(touch: TouchAttribution | undefined, lead: Pick<Lead, 'channel'> & { source: Pick<Lead['source'], 'kind'> }, clickIdChannels: ClickIdChannels): string {
  if (!touch || touch.utm_source !== undefined || adPlatformSources.has(lead.source.kind)) return lead.channel;
  for (const key of clickIdKeys) {
    const channel = clickIdChannels[key];
    if (touch[key] !== undefined && channel !== undefined) return channel;
  }
  return lead.channel;
}

const reachedContacted = new Set(['contacted', 'qualified', 'converted']);
const reachedQualified = new Set(['qualified', 'converted']);

/**
 * The ROI facts of a lead as it stands. The funnel steps count once reached (a converted lead was
 * also contacted and qualified), read from the status and the timeline; `firstContactAt` may come from
 * the `lead.activity_logged` event being handled when the lead does not hold it. Revenue in another
 * currency is converted at the rate of the day it was won; without one `revenueCents` is 0 and the sale is
 * kept as it is, for the rollups to convert once a rate is configured (`factsAtConfiguredRates` refuses the
 * day until then).
 * Each touch's channel is read with `clickIdChannels` (from `clickIdChannelsOf`; without it, the lead's channel).
 */
export function roiFactsOfLead(
  lead: Lead,
  reporting: { timeZone: string; currency: string; channelRoi: Pick<ChannelRoiConfiguration, 'exchangeRates'>; clickIdChannels?: ClickIdChannels },
  eventFirstContactAt?: string,
): Omit<LeadRoiFacts, 'slaBreached'> {
  const status = countedStatus(lead);
  const steps = new Set<string>([status, ...lead.history.map((entry) => entry.action)]);
  const firstContactAt = lead.firstContactAt ?? eventFirstContactAt;
  const saleDecimals = lead.conversion && amountDecimalsOf(lead.conversion.currency);
  const sale = lead.conversion &&
    saleDecimals && {
      cents: minorUnitsOf(lead.conversion.revenue, saleDecimals),
      ...decimalsMark(saleDecimals),
      currency: lead.conversion.currency,
      wonDay: saleWonDay(lead.conversion.wonAt, reporting.timeZone),
    };
  const revenue = sale && saleInReportingCents(lead.leadId, sale, { currency: reporting.currency, exchangeRates: reporting.channelRoi.exchangeRates });
  const revenueCents = revenue?.ok ? revenue.cents : 0;
  const converted = status === 'converted' || lead.conversion !== undefined;
  const qualified = converted || [...reachedQualified].some((step) => steps.has(step));
  const contacted = qualified || firstContactAt !== undefined || [...reachedContacted].some((step) => steps.has(step));
  // Leads stored before capture always set a first touch (an empty one for a lead that came with none) may hold only their last: it is the first we know of.
  const firstTouch = lead.attribution.firstTouch ?? lead.attribution.lastTouch;
  const lastTouch = lead.attribution.lastTouch ?? lead.attribution.firstTouch;
  const clickIdChannels = reporting.clickIdChannels ?? {};
  const firstContactSeconds = firstContactAt === undefined ? undefined : Math.max(0, Math.round((Date.parse(firstContactAt) - Date.parse(lead.capturedAt)) / 1000));
  return {
    leadId: lead.leadId,
    day: localDay(new Date(lead.capturedAt), reporting.timeZone),
    channel: lead.channel,
    firstChannel: touchChannel(firstTouch, lead, clickIdChannels),
    lastChannel: touchChannel(lastTouch, lead, clickIdChannels),
    firstCampaign: touchCampaign(firstTouch),
    lastCampaign: touchCampaign(lastTouch),
    kind: lead.isTest ? 'test' : status === 'quarantined' ? 'quarantined' : 'lead',
    invalid: status === 'invalid',
    contacted,
    qualified,
    converted,
    revenueCents,
    ...(sale ? { sale } : {}),
    ...(firstContactSeconds === undefined ? {} : { firstContactSeconds }),
    reachedAt: funnelStageTimes(lead, { firstContactAt, contacted, qualified, converted }),
    leadUpdatedAt: lead.updatedAt,
  };
}

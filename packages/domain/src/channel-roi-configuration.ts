import './zod-locale';
import * as z from 'zod/mini';
import { clickIdKeys, type ClickIdKey } from './attribution';
import { conversionFeedbackSchema } from './conversion-feedback';
import { measuredChannelPriorsSchema } from './channel-rates';
import { isIsoCurrencyCode } from './money';

const isoDateSchema = z.iso.date();

/** One dated exchange rate: from `from` (inclusive) on, one `currency` unit is worth `rate` units of the reporting currency. */
export const exchangeRateSchema = z.strictObject({
  currency: z.string().check(z.refine(isIsoCurrencyCode, 'must be an ISO 4217 currency code such as "EUR"')),
  from: isoDateSchema,
  rate: z.number().check(z.positive()),
});
export type ExchangeRate = z.infer<typeof exchangeRateSchema>;

/** The channel each click id credits, by channel id. */
export const clickIdChannelsSchema = z.partialRecord(z.enum(clickIdKeys), z.string().check(z.minLength(1)));
export type ClickIdChannels = z.infer<typeof clickIdChannelsSchema>;

/** Google's, Meta's, TikTok's and LinkedIn's click ids credit the channels their lead-form leads and spend are named by. */
export const defaultClickIdChannels: Readonly<Record<ClickIdKey, string>> = {
  gclid: 'google-ads',
  gbraid: 'google-ads',
  wbraid: 'google-ads',
  fbclid: 'meta-ads',
  ttclid: 'tiktok-ads',
  li_fat_id: 'linkedin-ads',
};

/**
 * The click-id channels in force: `channelRoi.clickIdChannels` when configured (`{}` credits none), else the
 * defaults whose channel is configured, so an installation without, say, a TikTok channel credits `ttclid` to none.
 */
export function clickIdChannelsOf(config: { channels: ReadonlyArray<{ id: string }>; channelRoi: Pick<ChannelRoiConfiguration, 'clickIdChannels'> }): ClickIdChannels {
  if (config.channelRoi.clickIdChannels) return config.channelRoi.clickIdChannels;
  const channelIds = new Set(config.channels.map((channel) => channel.id));
  return Object.fromEntries(Object.entries(defaultClickIdChannels).filter(([, channel]) => channelIds.has(channel)));
}

/** A configured click-id channel must be a configured channel. */
export function checkClickIdChannels(config: { channels: ReadonlyArray<{ id: string }>; channelRoi: Pick<ChannelRoiConfiguration, 'clickIdChannels'> }, ctx: z.core.$RefinementCtx): void {
  const channelIds = new Set(config.channels.map((channel) => channel.id));
  for (const [clickId, channel] of Object.entries(config.channelRoi.clickIdChannels ?? {})) {
    if (!channelIds.has(channel)) ctx.addIssue({ code: 'custom', path: ['channelRoi', 'clickIdChannels', clickId], message: `unknown channel "${channel}"` });
  }
}

/**
 * Exchange rates that would be silently ignored: one for the organisation's own currency (its amounts are
 * never converted) and a second rate for the same currency and day (the first one listed wins).
 */
export function checkExchangeRates(config: { organisation: { currency: string }; channelRoi: Pick<ChannelRoiConfiguration, 'exchangeRates'> }, ctx: z.core.$RefinementCtx): void {
  const seen = new Set<string>();
  config.channelRoi.exchangeRates.forEach((rate, index) => {
    const path = ['channelRoi', 'exchangeRates', index];
    if (rate.currency === config.organisation.currency)
      ctx.addIssue({ code: 'custom', path: [...path, 'currency'], message: `is the organisation's own currency: its amounts are never converted, so this rate would be ignored` });
    const key = `${rate.currency} ${rate.from}`;
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [...path, 'from'], message: `a rate for ${rate.currency} from ${rate.from} is listed already: only the first would be used` });
    seen.add(key);
  });
}

/**
 * Channel ROI for finance: how far back late conversions restate past days, the dated rates that
 * let spend and revenue in other currencies be counted in the organisation's `currency`, and the channels click ids credit.
 */
export const channelRoiSchema = z.strictObject({
  /** Days before yesterday that a late change (a conversion, a qualification) may still restate. */
  lookbackDays: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(730)), 90),
  /** Without a rate for a currency and date, spend in that currency is refused and such revenue is not counted. */
  exchangeRates: z._default(z.array(exchangeRateSchema), []),
  /** Qualified and converted leads reported back to Meta and Google; each platform off unless enabled. */
  platformFeedback: z._default(conversionFeedbackSchema, {}),
  /** Publishing each channel's measured rates and the channel prior they suggest. */
  measuredChannelPriors: z._default(measuredChannelPriorsSchema, measuredChannelPriorsSchema.parse({})),
  /**
   * The channel a touch without `utm_source` is credited to by its click id (see `clickIdChannelsOf`);
   * without it, `defaultClickIdChannels` for the channels configured.
   */
  clickIdChannels: z.optional(clickIdChannelsSchema),
});
export type ChannelRoiConfiguration = z.infer<typeof channelRoiSchema>;

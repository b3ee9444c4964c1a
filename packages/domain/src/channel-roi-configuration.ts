import * as z from 'zod';
import { conversionFeedbackSchema } from './conversion-feedback';
import { measuredChannelPriorsSchema } from './channel-rates';

const isoDateSchema = z.iso.date();

/** One dated exchange rate: from `from` (inclusive) on, one `currency` unit is worth `rate` units of the reporting currency. */
export const exchangeRateSchema = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code such as "EUR"'),
  from: isoDateSchema,
  rate: z.number().positive().finite(),
});
export type ExchangeRate = z.infer<typeof exchangeRateSchema>;

/**
 * Channel ROI for finance: how far back late conversions restate past days, and the dated rates that
 * let spend and revenue in other currencies be counted in the organisation's `currency`.
 */
export const channelRoiSchema = z.strictObject({
  /** Days before yesterday that a late change (a conversion, a qualification) may still restate. */
  lookbackDays: z.number().int().min(0).max(730).default(90),
  /** Without a rate for a currency and date, spend in that currency is refused and such revenue is not counted. */
  exchangeRates: z.array(exchangeRateSchema).default([]),
  /** Qualified and converted leads reported back to Meta and Google; each platform off unless enabled. */
  platformFeedback: conversionFeedbackSchema.default({}),
  /** Publishing each channel's measured rates and the channel prior they suggest. */
  measuredChannelPriors: measuredChannelPriorsSchema.default(measuredChannelPriorsSchema.parse({})),
});
export type ChannelRoiConfiguration = z.infer<typeof channelRoiSchema>;

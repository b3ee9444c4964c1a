import * as z from 'zod/mini';
import { conversionFeedbackSchema } from './conversion-feedback';
import { measuredChannelPriorsSchema } from './channel-rates';

const isoDateSchema = z.iso.date();

/** One dated exchange rate: from `from` (inclusive) on, one `currency` unit is worth `rate` units of the reporting currency. */
export const exchangeRateSchema = z.strictObject({
  currency: z.string().check(z.regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code such as "EUR"')),
  from: isoDateSchema,
  rate: z.number().check(z.positive()),
});
export type ExchangeRate = z.infer<typeof exchangeRateSchema>;

/**
 * Channel ROI for finance: how far back late conversions restate past days, and the dated rates that
 * let spend and revenue in other currencies be counted in the organisation's `currency`.
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
});
export type ChannelRoiConfiguration = z.infer<typeof channelRoiSchema>;

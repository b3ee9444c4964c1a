import * as z from 'zod/mini';
import { amountTextPattern, earliestSpendDay, isCalendarDay, largestAmount, maxCampaignLength, otherCampaignsLabel } from '@leadflow/domain';
import { errorBodySchema } from './error-bodies';

const calendarDay = z.string().check(z.refine(isCalendarDay));

/**
 * A JSON `POST /spend` body as `readSpend` (packages/domain/src/ad-spend.ts) checks it by hand, field by
 * field, to name every bad row: this schema is what the document shows of it, and the document test holds
 * the two together (the fields are `spendColumns`; what the handler takes, this takes).
 */
export const spendRowSchema = z.strictObject({
  date: calendarDay.check(z.describe(`The day of the spend, from ${earliestSpendDay} to today on the organisation's clock.`)),
  channel: z.string().check(z.describe('A configured channel id.')),
  campaign: z.optional(
    z
      .string()
      .check(
        z.maxLength(maxCampaignLength),
        z.describe(`The campaign; empty or left out for the channel's spend not tied to one. Not \`${otherCampaignsLabel}\`, no control or bidirectional characters; once per day and channel.`),
      ),
  ),
  amount: z
    .union([z.string().check(z.regex(amountTextPattern)), z.number().check(z.nonnegative(), z.lte(largestAmount(3) / 1000))])
    .check(z.describe("Not negative, with at most the decimals of `currency`: two (`1234.50`; JPY's too), three for BHD, IQD, JOD, KWD, LYD, OMR and TND (`1234.500`). Twelve digits before the point at most.")),
  currency: z.string().check(z.describe("An ISO 4217 code (any case): the organisation's currency, or one with a `channelRoi.exchangeRates` rate on the day, which converts it.")),
});

export const spendBodySchema = z.strictObject({ rows: z.array(spendRowSchema).check(z.minLength(1)) });

/** One day of an on-demand rollup, as `rollUpChannelRoiDays` reports it. */
const dayRollupSchema = z.strictObject({
  day: calendarDay,
  version: z.number().check(z.int()),
  restated: z.boolean(),
  unchanged: z.boolean(),
  itemsRead: z.number().check(z.int()),
});

export const channelRoiRollupSchema = z.strictObject({
  days: z.array(dayRollupSchema),
  nextFrom: z.optional(calendarDay.check(z.describe('The first day not rolled up for want of time: request the rest from it.'))),
  note: z.optional(z.string()),
});

/** The `409` of `POST /rollups/channel-roi`: the error body with the days rolled up before the day refused. */
export const rollupRefusalSchema = z.extend(errorBodySchema, {
  days: z.array(dayRollupSchema).check(z.describe('The days rolled up before the refused one; it and the days after it are not.')),
});

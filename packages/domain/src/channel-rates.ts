import './zod-locale';
import * as z from 'zod/mini';
import { groupRollupRows, type RollupVersion } from './channel-roi-rollup';
import type { Configuration } from './configuration';

/**
 * Measured channel quality for the scoring's channel priors: `off` publishes nothing, `suggest` publishes
 * each channel's measured rates with the prior they suggest, for a person to copy into `scoring.channelPriors`;
 * `apply` also has the nightly rollup store the suggested priors, and scoring uses them over the configured
 * ones (channels without a suggestion keep theirs, as configured at the time of the capture).
 */
export const measuredChannelPriorsSchema = z.strictObject({
  mode: z._default(z.enum(['off', 'suggest', 'apply']), 'off'),
  /** Cohort days measured, ending yesterday. */
  windowDays: z._default(z.number().check(z.int(), z.minimum(7), z.maximum(366)), 90),
  /** Channels with fewer valid leads in the window keep their configured prior. */
  minimumLeads: z._default(z.number().check(z.int(), z.minimum(1)), 30),
});

export interface ChannelRate {
  channel: string;
  validLeads: number;
  /** Valid leads qualified (a lead judged invalid after qualifying is in neither side of the rate). */
  qualified: number;
  /** Valid leads converted. */
  converted: number;
  /** qualified ÷ valid leads; `null` without valid leads. */
  qualificationRate: number | null;
  conversionRate: number | null;
  configuredPrior: number;
  /** The configured prior scaled by the channel's qualification rate against all channels'; `null` below `minimumLeads`. */
  suggestedPrior: number | null;
}

/**
 * Each channel's measured qualification and conversion rates over the given days' latest rollup
 * versions (first-touch rows, cohorts by capture day), and the channel prior they suggest:
 * round(base × channel rate ÷ overall rate), within 0–100, where base is the channel's configured prior,
 * or the mean of the configured priors for a channel without one.
 *
 * @example
 * // overall 20 % qualified; meta-ads 30 % with prior 10 → suggests 15
 */
export function measureChannelRates(versions: readonly RollupVersion[], configuredPriors: Readonly<Record<string, number>>, minimumLeads: number): ChannelRate[] {
  const totals = new Map<string, { validLeads: number; qualified: number; converted: number }>();
  for (const version of versions) {
    for (const row of groupRollupRows(version.rows, 'first', 'channel')) {
      const total = totals.get(row.channel) ?? { validLeads: 0, qualified: 0, converted: 0 };
      total.validLeads += row.leads - row.invalid;
      total.qualified += row.validQualified;
      total.converted += row.validConverted;
      totals.set(row.channel, total);
    }
  }
  const all = [...totals.values()].reduce((sum, total) => ({ validLeads: sum.validLeads + total.validLeads, qualified: sum.qualified + total.qualified }), { validLeads: 0, qualified: 0 });
  const overallRate = all.validLeads > 0 ? all.qualified / all.validLeads : 0;
  const priors = Object.values(configuredPriors);
  const meanPrior = priors.length ? priors.reduce((sum, prior) => sum + prior, 0) / priors.length : 0;
  return [...totals.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([channel, total]) => {
      const qualificationRate = total.validLeads > 0 ? total.qualified / total.validLeads : null;
      const configuredPrior = configuredPriors[channel] ?? 0;
      const base = configuredPriors[channel] ?? meanPrior;
      const suggestedPrior = total.validLeads >= minimumLeads && qualificationRate !== null && overallRate > 0 ? Math.max(0, Math.min(100, Math.round((base * qualificationRate) / overallRate))) : null;
      return { channel, ...total, qualificationRate, conversionRate: total.validLeads > 0 ? total.converted / total.validLeads : null, configuredPrior, suggestedPrior };
    });
}

/** The priors the measured rates suggest, only for the channels that have a suggestion (what the nightly rollup stores in `apply` mode). */
export function suggestedChannelPriors(rates: readonly ChannelRate[]): Record<string, number> {
  return Object.fromEntries(rates.flatMap((rate) => (rate.suggestedPrior === null ? [] : [[rate.channel, rate.suggestedPrior]])));
}

/**
 * The scoring a capture (or a routing dry run) uses: in `apply` mode, the stored suggestions over the
 * priors configured now, merged when read, so a prior configured since the last rollup counts at once on
 * every channel without a suggestion; the configured scoring otherwise, or before any rollup stored one.
 *
 * @example
 * // configured { web: 20, tiktok: 30, meta: 10 }, suggested { meta: 15 } → { web: 20, tiktok: 30, meta: 15 }
 */
export function withMeasuredChannelPriors<Rules extends Pick<Configuration, 'scoring' | 'channelRoi'>>(rules: Rules, suggested: Readonly<Record<string, number>> | undefined): Rules {
  if (rules.channelRoi.measuredChannelPriors.mode !== 'apply' || !suggested) return rules;
  return { ...rules, scoring: { ...rules.scoring, channelPriors: { ...rules.scoring.channelPriors, ...suggested } } };
}

import './zod-locale';
import * as z from 'zod/mini';
import { countedStatus, type Lead, type LeadHistoryEntry } from './lead';

/** The funnel's stages in order: each lead counted at a stage was counted at every stage before it. */
export const funnelStages = ['captured', 'valid', 'contacted', 'qualified', 'converted'] as const;
export type FunnelStage = (typeof funnelStages)[number];

/** The stages a lead reaches from the one before it (every stage but capture). */
export const laterFunnelStages = ['valid', 'contacted', 'qualified', 'converted'] as const;
export type LaterFunnelStage = (typeof laterFunnelStages)[number];

/** The stage a later stage is reached from. */
export const previousStage = (stage: LaterFunnelStage): FunnelStage => funnelStages[funnelStages.indexOf(stage) - 1];

/** When a lead reached each funnel stage; a stage it has not reached is absent. */
export const stageTimesSchema = z.strictObject({
  captured: z.iso.datetime(),
  valid: z.optional(z.iso.datetime()),
  contacted: z.optional(z.iso.datetime()),
  qualified: z.optional(z.iso.datetime()),
  converted: z.optional(z.iso.datetime()),
});
export type StageTimes = z.infer<typeof stageTimesSchema>;

/** Seconds each lead took to reach a stage from the one before it, ascending per stage, so medians of any grouping stay exact. */
export const stageSecondsSchema = z.strictObject({
  valid: z.array(z.number().check(z.int(), z.nonnegative())),
  contacted: z.array(z.number().check(z.int(), z.nonnegative())),
  qualified: z.array(z.number().check(z.int(), z.nonnegative())),
  converted: z.array(z.number().check(z.int(), z.nonnegative())),
});
export type StageSeconds = z.infer<typeof stageSecondsSchema>;

export const noStageSeconds = (): StageSeconds => ({ valid: [], contacted: [], qualified: [], converted: [] });

function timelineTimes(lead: Lead, action: LeadHistoryEntry['action']): string[] {
  return lead.history
    .filter((entry) => entry.action === action)
    .map((entry) => entry.at)
    .sort();
}

/**
 * When the lead reached each stage it reached (`reached` says which, as the ROI facts count them).
 * Valid: at capture, or at its last reactivation; an invalid lead is not valid. Contacted: its first
 * contact, else its first `contacted` entry. Qualified: its first `qualified` entry. Converted: when
 * the deal was won. A stage reached with no time of its own (a lead converted straight from contacted)
 * was reached no later than the next one, and takes that one's time.
 */
export function funnelStageTimes(lead: Lead, reached: { firstContactAt?: string; contacted: boolean; qualified: boolean; converted: boolean }): StageTimes {
  const converted = reached.converted ? (lead.conversion?.wonAt ?? timelineTimes(lead, 'converted')[0]) : undefined;
  const qualified = reached.qualified ? (timelineTimes(lead, 'qualified')[0] ?? converted) : undefined;
  const contacted = reached.contacted ? (reached.firstContactAt ?? timelineTimes(lead, 'contacted')[0] ?? qualified) : undefined;
  const valid = countedStatus(lead) === 'invalid' ? undefined : (timelineTimes(lead, 'reactivated').at(-1) ?? lead.capturedAt);
  return {
    captured: lead.capturedAt,
    ...(valid === undefined ? {} : { valid }),
    ...(contacted === undefined ? {} : { contacted }),
    ...(qualified === undefined ? {} : { qualified }),
    ...(converted === undefined ? {} : { converted }),
  };
}

/**
 * Seconds from the stage before to each stage the lead reached, where both times are known. A stage
 * recorded before the one it follows (a contact logged with an earlier time) counts as reached at once.
 */
export function secondsBetweenStages(times: StageTimes): Partial<Record<LaterFunnelStage, number>> {
  const seconds: Partial<Record<LaterFunnelStage, number>> = {};
  for (const stage of laterFunnelStages) {
    const from = times[previousStage(stage)];
    const to = times[stage];
    if (from !== undefined && to !== undefined) seconds[stage] = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
  }
  return seconds;
}

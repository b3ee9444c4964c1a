import * as z from 'zod/mini';
import type { LeadHistoryEntry } from './lead';

/**
 * Where a lead is in a nurture sequence: which one, since when, how many steps are behind it (sent or
 * skipped), and when the next one is due (the sender reads leads by it; absent after the last step, and on
 * leads that entered before it was kept).
 */
export const leadNurtureSchema = z.strictObject({ sequenceId: z.string(), enteredAt: z.iso.datetime(), stepsDone: z.number().check(z.int(), z.minimum(0)), nextStepAt: z.optional(z.iso.datetime()) });
export type LeadNurture = z.infer<typeof leadNurtureSchema>;

/** The timeline entry of a lead leaving its sequence before or without its end, saying why (`warmed`, `claimed`, `assigned` …). */
export function nurtureLeftEntry(nurture: Pick<LeadNurture, 'sequenceId'>, reason: string, at: string, by: string): LeadHistoryEntry {
  return { at, action: 'nurture_left', by, detail: `left nurture sequence ${nurture.sequenceId}: ${reason}` };
}

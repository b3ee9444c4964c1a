import './zod-locale';
import * as z from 'zod/mini';
import type { LeadHistoryEntry } from './lead';

/**
 * Where a lead is in a nurture sequence: which one, since when, the ids of the steps behind it (sent or
 * skipped; by id, not by count, so a sequence edited under its leads neither repeats nor drops a step), and when
 * the next one is due (the sender reads leads by it; absent after the last step).
 */
export const leadNurtureSchema = z.strictObject({
  sequenceId: z.string(),
  enteredAt: z.iso.datetime(),
  doneStepIds: z._default(z.array(z.string()), []),
  /** How many steps a lead stored before `doneStepIds` had done: read as its sequence's first so many (`doneNurtureStepIds`); never written. */
  stepsDone: z.optional(z.number().check(z.int(), z.minimum(0))),
  nextStepAt: z.optional(z.iso.datetime()),
  /**
   * Double opt-in: the lead is held at the start of its sequence until the person confirms their marketing consent
   * (no `nextStepAt` meanwhile, so no step is due): since when, and the confirmation emails sent (how many, the last when).
   */
  awaitingConfirmation: z.optional(z.strictObject({ since: z.iso.datetime(), emailsSent: z.number().check(z.int(), z.minimum(0)), lastEmailAt: z.optional(z.iso.datetime()) })),
});
export type LeadNurture = z.infer<typeof leadNurtureSchema>;

/** The timeline entry of a lead leaving its sequence before or without its end, saying why (`warmed`, `claimed`, `assigned` …). */
export function nurtureLeftEntry(nurture: Pick<LeadNurture, 'sequenceId'>, reason: string, at: string, by: string): LeadHistoryEntry {
  return { at, action: 'nurture_left', by, detail: `left nurture sequence ${nurture.sequenceId}: ${reason}` };
}

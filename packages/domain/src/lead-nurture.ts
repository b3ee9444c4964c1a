import * as z from 'zod';

/** Where a lead is in a nurture sequence: which one, since when, and how many steps are behind it (sent or skipped). */
export const leadNurtureSchema = z.strictObject({ sequenceId: z.string(), enteredAt: z.iso.datetime(), stepsDone: z.number().int().min(0) });
export type LeadNurture = z.infer<typeof leadNurtureSchema>;

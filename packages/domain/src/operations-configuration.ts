import * as z from 'zod/mini';

/** The log retention periods CloudWatch Logs accepts, in days. */
export const logRetentionDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * How a deployed stage is run: who is told when something needs a person, the speed-to-lead bound
 * that counts as "too slow", how long logs are kept, and whether the stage's data outlives the stack.
 * Each stage has its own configuration file, so these differ per stage (see docs/deploy.md).
 */
export const operationsSchema = z.strictObject({
  /** Email addresses subscribed to the stage's alarm topic; each confirms the subscription once. */
  alarmEmails: z._default(z.array(z.email()), []),
  /** The alarm fires when the 90th percentile of capture-to-notification time over 15 minutes exceeds this. */
  speedToLeadP90Seconds: z._default(z.number().check(z.int(), z.positive(), z.maximum(86_400)), 300),
  logRetentionDays: z._default(z.number().check(z.refine((days) => (logRetentionDays as readonly number[]).includes(days), { message: `must be one of ${logRetentionDays.join(', ')}` })), 30),
  /**
   * `true` keeps the table and user pool when the stack is deleted and turns on deletion protection;
   * `false` lets a throw-away stage (dev, a branch) be torn down completely.
   */
  retainData: z._default(z.boolean(), true),
});

export type OperationsConfiguration = z.infer<typeof operationsSchema>;

import './zod-locale';
import * as z from 'zod/mini';

/** The log retention periods CloudWatch Logs accepts, in days. */
export const logRetentionDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * One API Gateway throttle (a token bucket): `rateLimit` requests a second on average, `burstLimit` at
 * once. A route's limit above the account's own HTTP API quota, which all its routes and APIs share, is
 * cut to it: 10,000 a second with bursts of 5,000 in the older Regions, 2,500 and 1,250 in the newer ones.
 */
const routeThrottleSchema = z.strictObject({
  rateLimit: z.number().check(z.positive(), z.maximum(10_000)),
  burstLimit: z.number().check(z.int(), z.positive(), z.maximum(5_000)),
});

/**
 * HTTP APIs throttle each route on its own, not the stage as a whole: these limits are per route, and
 * the routes together may take their sum, up to the account's quota. Capture routes (form posts and
 * their preflight, embed.js, ad-platform lead webhooks) take leads from the public, in bursts when a
 * campaign or an email goes out, and a throttled post is a lead the visitor may not send again: they get
 * ten times the rest. 500 a second on one route keeps 500 × a capture's duration (s) functions running
 * at once: inside Lambda's default 1,000 per account while a capture takes under 2 s and one campaign's
 * route is busy; several capture routes at full rate at once need that concurrency raised. The other
 * routes are the sales team's API and links in its messages, where 50 a second is far above real use and
 * bounds what a leaked token or a runaway script can cost.
 */
export const defaultApiThrottle = { captureRoutes: { rateLimit: 500, burstLimit: 1_000 }, otherRoutes: { rateLimit: 50, burstLimit: 100 } } as const;

/**
 * Warm throughput: the reads and writes a second a table or index serves at once. A new on-demand table
 * and each of its indexes take 4,000 writes and 12,000 reads a second at once, then up to twice their
 * previous peak, so a launch expecting more from its first minute raises them here, a day ahead. Raising
 * is billed, and DynamoDB never lowers them again. Absent: DynamoDB's defaults.
 */
const warmThroughputSchema = z.strictObject({
  writeUnitsPerSecond: z.optional(z.number().check(z.int(), z.minimum(4_000))),
  readUnitsPerSecond: z.optional(z.number().check(z.int(), z.minimum(12_000))),
});

/** The leads table's warm throughput, and its indexes' by index name (an index written with every lead event, such as `outbox-by-time`, throttles the table's writes when it cannot keep up). */
const tableWarmThroughputSchema = z.strictObject({
  ...warmThroughputSchema.shape,
  indexes: z.optional(z.record(z.string(), warmThroughputSchema)),
});

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
  /** API Gateway's throttle of each capture route, and of each other route (`defaultApiThrottle`); a throttled request is answered 429. */
  apiThrottle: z._default(
    z.strictObject({
      captureRoutes: z._default(routeThrottleSchema, defaultApiThrottle.captureRoutes),
      otherRoutes: z._default(routeThrottleSchema, defaultApiThrottle.otherRoutes),
    }),
    defaultApiThrottle,
  ),
  tableWarmThroughput: z.optional(tableWarmThroughputSchema),
});

export type OperationsConfiguration = z.infer<typeof operationsSchema>;

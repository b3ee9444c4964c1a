import * as z from 'zod/mini';

/**
 * The JSON body of every 4xx and 503 a handler answers (`HttpError.toBody()` through the HTTP error handler
 * in packages/platform/src/http): the message, and the details its kind of error adds. An error that adds
 * other details has a schema of its own (`ErrorDescription.body`).
 */
export const errorBodySchema = z.strictObject({
  error: z.string().check(z.describe('What went wrong, in words.')),
  issues: z.optional(z.array(z.strictObject({ path: z.string(), message: z.string() }))).check(z.describe('400: each bad field (`(body)`, `(query)` or `(header)` for the whole) and what it must be; the first 1,000.')),
  issuesNotListed: z.optional(z.number().check(z.int())).check(z.describe('400: how many issues there are beyond the 1,000 listed.')),
  rule: z.optional(z.string()).check(z.describe('A refusal by a rule (mostly 409): its name, e.g. `holding_cap`.')),
  retryAfterSeconds: z.optional(z.number().check(z.int())).check(z.describe('429 and 503: seconds until a retry may succeed, as in `Retry-After`.')),
});

/** What the JWT authorizer answers, before any handler runs, to a request without a valid bearer token. */
export const authorizerRefusalSchema = z.strictObject({ message: z.literal('Unauthorized') });

/** What API Gateway answers itself, before any handler runs, when the stage's or the route's throttle refuses a request. */
export const apiGatewayThrottledSchema = z.strictObject({ message: z.literal('Too Many Requests') });

/** What API Gateway answers itself, before any handler runs, to a request too large to pass to a function. */
export const apiGatewayTooLargeSchema = z.strictObject({ message: z.literal('Request Entity Too Large') });

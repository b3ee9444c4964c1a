import * as z from 'zod';

/**
 * The JSON body of every 4xx a handler answers (`HttpError.toBody()` through the HTTP error handler in
 * packages/platform/src/http): the message, and the details its kind of error adds.
 */
export const errorBodySchema = z.strictObject({
  error: z.string().describe('What went wrong, in words.'),
  issues: z
    .array(z.strictObject({ path: z.string(), message: z.string() }))
    .optional()
    .describe('400: each bad field (`(body)`, `(query)` or `(header)` for the whole) and what it must be.'),
  rule: z.string().optional().describe('A refusal by a rule (mostly 409): its name, e.g. `holding_cap`.'),
  retryAfterSeconds: z.number().int().optional().describe('429: seconds until a retry may succeed, as in `Retry-After`.'),
});

/** What the JWT authorizer answers, before any handler runs, to a request without a valid bearer token. */
export const authorizerRefusalSchema = z.strictObject({ message: z.literal('Unauthorized') });

import middy, { type MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logger } from './logger';

/**
 * Every handler logs with its Lambda context (function, request id, cold start) and a correlation id
 * that ties its lines to what started it: the API request, the lead event's own id (stable across
 * redeliveries, so a publisher's and every consumer's lines share it), or the schedule run. A lead
 * event's lines (a routing rule's input too) also carry the lead's id (`lead_id`), so one search finds
 * everything every function did about a lead. With `logFailure` (every trigger but HTTP), a failed
 * invocation also logs an error line of ours (`failureLogging`).
 */
export function lambdaLogging(options: { logFailure?: boolean } = {}): MiddlewareObj[] {
  const correlation: MiddlewareObj = {
    before: (request) => {
      const correlationId = correlationIdOf(request.event);
      if (correlationId) logger.setCorrelationId(correlationId);
      const leadId = leadIdOf(request.event);
      // A temporary key: `resetKeys` removes it before the next invocation.
      if (leadId) logger.appendKeys({ lead_id: leadId });
    },
  };
  return [injectLambdaContext(logger, { resetKeys: true }), correlation, ...(options.logFailure ? [failureLogging] : [])];
}

/**
 * For an event, rule input, schedule or stream batch: its failure as a line of ours, with the correlation id and
 * lead id that Lambda's own "Invoke Error" line lacks. Last in the list, so its `onError` runs before Powertools
 * resets the keys; it sets no response, so the error is thrown on and the trigger retries (then dead-letters) the
 * invocation. HTTP handlers do without it: their error handler logs a 500, and a 4xx is no failure.
 */
const failureLogging: MiddlewareObj = {
  onError: ({ error }) => {
    logger.error('Invocation failed; its trigger retries it', { error: error as Error });
  },
};

/** The id that starts a handler's work, from the event shapes our triggers deliver; `undefined` for stream batches. */
export function correlationIdOf(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const { requestContext, detail, id, scheduleName, time } = event as Record<string, unknown>;
  const requestId = (requestContext as { requestId?: unknown } | undefined)?.requestId;
  if (typeof requestId === 'string') return requestId;
  const eventId = (detail as { eventId?: unknown } | undefined)?.eventId;
  if (typeof eventId === 'string') return eventId;
  if (typeof scheduleName === 'string' && typeof time === 'string') return `${scheduleName}@${time}`;
  return typeof id === 'string' ? id : undefined;
}

/** The lead a bus event's detail (or a rule input's `detail`) names; `undefined` for requests, schedules and stream batches. */
export function leadIdOf(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const leadId = ((event as { detail?: unknown }).detail as { leadId?: unknown } | undefined)?.leadId;
  return typeof leadId === 'string' ? leadId : undefined;
}

/** A handler without a parsed envelope (a schedule run, a stream batch): it still logs with its context. */
export function loggedHandler<E, R>(handle: (event: E, context: Context) => Promise<R>): (event: E, context: Context) => Promise<R> {
  return middy<E, R>()
    .use(lambdaLogging({ logFailure: true }))
    .handler(async (event: E, context: Context) => handle(event, context));
}

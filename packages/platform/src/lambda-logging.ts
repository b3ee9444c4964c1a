import middy, { type MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logger } from './logger';

/**
 * Every handler logs with its Lambda context (function, request id, cold start) and a correlation id
 * that ties its lines to what started it: the API request, the lead event's own id (stable across
 * redeliveries, so a publisher's and every consumer's lines share it), or the schedule run. A lead
 * event's lines (a routing rule's input too) also carry the lead's id (`lead_id`), so one search finds
 * everything every function did about a lead.
 */
export function lambdaLogging(): MiddlewareObj[] {
  const correlation: MiddlewareObj = {
    before: (request) => {
      const correlationId = correlationIdOf(request.event);
      if (correlationId) logger.setCorrelationId(correlationId);
      const leadId = leadIdOf(request.event);
      // A temporary key: `resetKeys` removes it before the next invocation.
      if (leadId) logger.appendKeys({ lead_id: leadId });
    },
  };
  return [injectLambdaContext(logger, { resetKeys: true }), correlation];
}

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
    .use(lambdaLogging())
    .handler(async (event: E, context: Context) => handle(event, context));
}

import middy, { type MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { DynamoDBStreamEnvelope } from '@aws-lambda-powertools/parser/envelopes/dynamodb';
import { EventBridgeEnvelope } from '@aws-lambda-powertools/parser/envelopes/eventbridge';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context, DynamoDBStreamEvent, EventBridgeEvent } from 'aws-lambda';
import type { z } from 'zod';
import { httpErrorHandler } from './http/http-error-handler';
import { responseHeaders } from './http/response-headers';
import { logger } from './logger';

/**
 * Every handler logs with its Lambda context (function, request id, cold start) and a correlation id
 * that ties its lines to what started it: the API request, the lead event's own id (stable across
 * redeliveries, so a publisher's and every consumer's lines share it), or the schedule run.
 */
function lambdaLogging(): MiddlewareObj[] {
  const correlation: MiddlewareObj = {
    before: (request) => {
      const correlationId = correlationIdOf(request.event);
      if (correlationId) logger.setCorrelationId(correlationId);
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

/**
 * An HTTP API (payload v2) handler whose thrown `HttpError`s become clean JSON answers. `headersFor`
 * adds headers to every answer, errors and 500s included (CORS: a browser shows no answer without them).
 */
export function httpHandler(handle: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>, options: { headersFor?: (event: APIGatewayProxyEventV2) => Record<string, string> } = {}) {
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>().use(lambdaLogging());
  if (options.headersFor) handler.use(responseHeaders(options.headersFor));
  return handler.use(httpErrorHandler()).handler(handle);
}

/**
 * A handler for events from an EventBridge rule: the detail is validated against its contract before
 * the handler runs, and an invalid one fails the invocation so it ends in the dead-letter queue.
 */
export function eventHandler<S extends z.ZodType>(detailSchema: S, handle: (detail: z.infer<S>) => Promise<void>): (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<void> {
  // The parser middleware swaps the event for its validated detail before the handler runs; middy's types cannot follow
  // that swap, so the cast stays even where the rule finds it unnecessary (tsc needs it).
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  return middy()
    .use(lambdaLogging())
    .use(parser({ schema: detailSchema, envelope: EventBridgeEnvelope }))
    .handler(async (detail: unknown) => handle(detail as z.infer<S>)) as unknown as (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<void>;
}

/**
 * A handler for a rule target whose input the rule shapes itself (an input transformer, as the routing
 * rules use): the whole input is validated against `inputSchema` before the handler runs.
 */
export function ruleInputHandler<S extends z.ZodType>(inputSchema: S, handle: (input: z.infer<S>) => Promise<void>): (input: unknown, context: Context) => Promise<void> {
  return middy()
    .use(lambdaLogging())
    .use(parser({ schema: inputSchema }))
    .handler(async (input: unknown) => handle(input as z.infer<S>));
}

/**
 * A handler for a DynamoDB stream batch: each record's new image is unmarshalled and validated against
 * `imageSchema` (Powertools Parser's stream envelope) before the handler runs. An invalid image fails
 * the batch, so the stream retries it and then hands it to the failure destination. Records without a
 * new image (removals) are left out.
 */
export function streamHandler<S extends z.ZodType>(imageSchema: S, handle: (images: Array<z.infer<S>>) => Promise<void>): (event: DynamoDBStreamEvent, context: Context) => Promise<void> {
  return middy()
    .use(lambdaLogging())
    .use(parser({ schema: imageSchema, envelope: DynamoDBStreamEnvelope }))
    .handler(async (records: unknown) => handle((records as Array<{ NewImage?: z.infer<S> }>).flatMap((record) => (record.NewImage === undefined ? [] : [record.NewImage])))) as unknown as (
    event: DynamoDBStreamEvent,
    context: Context,
  ) => Promise<void>;
}

/** A handler without a parsed envelope (a schedule run, a stream batch): it still logs with its context. */
export function loggedHandler<E, R>(handle: (event: E) => Promise<R>): (event: E, context: Context) => Promise<R> {
  return middy<E, R>()
    .use(lambdaLogging())
    .handler(async (event: E) => handle(event));
}

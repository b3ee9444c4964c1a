import middy from '@middy/core';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeEnvelope } from '@aws-lambda-powertools/parser/envelopes/eventbridge';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context, EventBridgeEvent } from 'aws-lambda';
import type { z } from 'zod';
import { httpErrorHandler } from './http/http-error-handler';

/** An HTTP API (payload v2) handler whose thrown `HttpError`s become clean JSON answers. */
export function httpHandler(handle: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>().use(httpErrorHandler()).handler(handle);
}

/**
 * A handler for events from an EventBridge rule: the detail is validated against its contract before
 * the handler runs, and an invalid one fails the invocation so it ends in the dead-letter queue.
 */
export function eventHandler<S extends z.ZodType>(
  detailSchema: S,
  handle: (detail: z.infer<S>) => Promise<void>,
): (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<void> {
  // The parser middleware swaps the event for its validated detail before the handler runs; middy's types cannot follow
  // that swap, so the cast stays even where the rule finds it unnecessary (tsc needs it).
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  return middy()
    .use(parser({ schema: detailSchema, envelope: EventBridgeEnvelope }))
    .handler(async (detail: unknown) => handle(detail as z.infer<S>)) as unknown as (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<void>;
}

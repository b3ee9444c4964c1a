import middy from '@middy/core';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { z } from 'zod/mini';
import { eventBridgeEnvelope } from './event-bridge-envelope';
import { lambdaLogging } from './lambda-logging';

/**
 * A handler for events from an EventBridge rule: the detail is validated against its contract before
 * the handler runs, and an invalid one fails the invocation so it ends in the dead-letter queue.
 */
export function eventHandler<S extends z.core.$ZodType>(detailSchema: S, handle: (detail: z.infer<S>, context: Context) => Promise<void>): (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<void> {
  // The parser middleware swaps the event for its validated detail before the handler runs; middy's types cannot follow
  // that swap, so the cast stays even where the rule finds it unnecessary (tsc needs it).
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  return middy()
    .use(lambdaLogging({ logFailure: true }))
    .use(parser({ schema: detailSchema, envelope: eventBridgeEnvelope }))
    .handler(async (detail: unknown, context: Context) => handle(detail as z.infer<S>, context)) as unknown as (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<void>;
}

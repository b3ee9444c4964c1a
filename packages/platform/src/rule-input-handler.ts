import middy from '@middy/core';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import type { Context } from 'aws-lambda';
import type { z } from 'zod/mini';
import { lambdaLogging } from './lambda-logging';

// Apart from the handler kit: Parser's middleware alone is small; its envelopes (which rule inputs do
// not need) build every AWS event schema with the whole of zod, locales included.
/**
 * A handler for a rule target whose input the rule shapes itself (an input transformer, as the routing
 * rules use): the whole input is validated against `inputSchema` before the handler runs.
 */
export function ruleInputHandler<S extends z.core.$ZodType>(inputSchema: S, handle: (input: z.infer<S>) => Promise<void>): (input: unknown, context: Context) => Promise<void> {
  return middy()
    .use(lambdaLogging({ logFailure: true }))
    .use(parser({ schema: inputSchema }))
    .handler(async (input: unknown) => handle(input as z.infer<S>));
}

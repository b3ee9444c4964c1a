import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import * as z from 'zod/mini';
import { normalisePhone } from '@leadflow/domain';

/**
 * The least a phone-reading HTTP handler carries: zod/mini (one small schema, English messages),
 * libphonenumber-js with our numbering plans (through the domain's `normalisePhone`), Powertools Logger
 * with the Lambda context, and middy, with none of our intake code. `npm run bench -- cold-start` bundles
 * it as functions are bundled: its size besides the SDK is the floor under the intake functions'.
 */
const logger = new Logger();
const bodySchema = z.object({ name: z.string().check(z.minLength(1)), email: z.optional(z.email()), phone: z.optional(z.string()) });

export const handler = middy(async (event: { body?: string }) => {
  const body = bodySchema.safeParse(JSON.parse(event.body ?? '{}'));
  if (!body.success) return { statusCode: 400, body: JSON.stringify({ issues: body.error.issues }) };
  const phone = body.data.phone === undefined ? undefined : normalisePhone(body.data.phone, 'US');
  logger.info('Read', { phone: phone?.number });
  return { statusCode: 202, body: '{}' };
}).use(injectLambdaContext(logger));

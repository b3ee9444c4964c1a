import '@leadflow/domain/zod-locale';
import { envelopeDiscriminator } from '@aws-lambda-powertools/parser/envelopes/envelope';
import { ParseError } from '@aws-lambda-powertools/parser/errors';
import type { ObjectEnvelope } from '@aws-lambda-powertools/parser/types';
import * as z from 'zod/mini';

/*
 * Powertools Parser's EventBridge envelope, with the same checks, result and issues, for its `parser`
 * middleware. Its own builds the AWS event schemas with zod classic, which bundles the
 * whole of zod, every locale included (about 440 KB); this one uses the zod/mini the handlers already carry.
 */

/** Powertools' `EventBridgeSchema`: the event's own fields, its `detail` left to the handler's schema. */
const eventBridgeEventSchema = z.object({
  version: z.string(),
  id: z.string(),
  source: z.string(),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  resources: z.array(z.string()),
  'detail-type': z.string(),
  detail: z.unknown(),
  'replay-name': z.optional(z.string()),
});

/** Parses an EventBridge event and returns its `detail` validated by `schema` (the event's fields checked too). */
export const eventBridgeEnvelope: ObjectEnvelope = {
  [envelopeDiscriminator]: 'object',
  parse<T>(data: unknown, schema: z.core.$ZodType<T>): T {
    try {
      return z.extend(eventBridgeEventSchema, { detail: schema }).parse(data).detail;
    } catch (error) {
      throw new ParseError('Failed to parse EventBridge envelope', { cause: error as Error });
    }
  },
  safeParse<T>(data: unknown, schema: z.core.$ZodType<T>) {
    const result = z.extend(eventBridgeEventSchema, { detail: schema }).safeParse(data);
    if (!result.success) return { success: false, error: new ParseError('Failed to parse EventBridge envelope', { cause: result.error }), originalEvent: data };
    return { success: true, data: result.data.detail };
  },
};

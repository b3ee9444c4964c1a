import './zod-locale';
import * as z from 'zod/mini';
import { validatePattern } from '@leadflow/event-pattern';
import { leadEventTypes } from './lead-events';

/**
 * The `webhooks` section of the configuration: where lead events are delivered. Apart from the delivery
 * code (`outbound-webhooks.ts`), so a function that delivers or lists deliveries does not carry the
 * EventBridge pattern validator the configuration is checked with.
 */

/** Where the local runtime serves its stand-ins; a destination URL may be a path there (local only). */
export const localStandInPathPrefix = '/_local/stand-ins/';

/**
 * An https URL without a user name or password (fetch refuses to send to one, and every delivery would
 * fail, writing the password into its error), or (for the local runtime's stand-ins only) a path on the
 * installation's own address. Receivers authenticate deliveries by their signature.
 */
function isDestinationUrl(value: string): boolean {
  if (value.startsWith(localStandInPathPrefix)) return /^[A-Za-z0-9/_-]+$/.test(value);
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

export const webhookDestinationSchema = z.strictObject({
  /** Names the destination's rule (`webhook-<id>`, within EventBridge's 64 characters), its delivery log and its default secret. */
  id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits or "-", at most 40, starting with a letter or digit')),
  url: z.string().check(z.refine(isDestinationUrl, { message: `must be an https:// URL without a user name or password (or, for the local runtime's stand-ins, a path under ${localStandInPathPrefix})` })),
  /** The lead event types (`detail-type`) delivered. */
  events: z.array(z.enum(leadEventTypes)).check(z.minLength(1, 'list at least one lead event type')),
  /** An EventBridge pattern on the event's `detail`, narrowing what is delivered, e.g. `{"poolId": ["emea-inbound"]}`. */
  detail: z.optional(z.record(z.string(), z.unknown())),
  /** The secret that signs deliveries; default `webhooks/<id>/signing-secret`. */
  secretName: z.optional(z.string().check(z.regex(/^[A-Za-z0-9/_+=.@-]{1,200}$/, 'must be a Secrets Manager name: letters, digits and /_+=.@-'))),
  enabled: z._default(z.boolean(), true),
  /** How long a delivery is retried (from its first attempt) before it is dead-lettered. */
  deadLetterAfterHours: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(72)), 24),
  /** How long one POST may take before it counts as failed. */
  timeoutSeconds: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(20)), 10),
});
export type WebhookDestination = z.infer<typeof webhookDestinationSchema>;

/** The `webhooks` section of the configuration. */
export const outboundWebhooksSchema = z.strictObject({ destinations: z._default(z.array(webhookDestinationSchema), []) }).check(
  z.superRefine((webhooks, ctx) => {
    const seen = new Set<string>();
    webhooks.destinations.forEach((destination, index) => {
      if (seen.has(destination.id)) ctx.addIssue({ code: 'custom', path: ['destinations', index, 'id'], message: `duplicate id "${destination.id}"` });
      seen.add(destination.id);
      if (destination.detail) {
        const verdict = validatePattern(destination.detail);
        if (!verdict.valid) ctx.addIssue({ code: 'custom', path: ['destinations', index, 'detail'], message: `is not a valid EventBridge pattern: ${verdict.message}` });
        if (Object.hasOwn(destination.detail, 'isTest')) {
          ctx.addIssue({ code: 'custom', path: ['destinations', index, 'detail', 'isTest'], message: 'is filtered by Leadflow itself: platform test leads are never delivered; remove it' });
        }
      }
    });
  }),
);
export type OutboundWebhooks = z.infer<typeof outboundWebhooksSchema>;

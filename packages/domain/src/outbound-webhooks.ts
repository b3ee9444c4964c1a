import './zod-locale';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { leadEventDetailSchemas, leadEventSource, leadEventTypes, type LeadEventType } from './lead-events';
import type { Configuration } from './configuration';
import { expiresAfterDays, type Retention } from './data-retention';
import { acceptedValues, type RotatingSecret } from './integration-secrets';
import { leadSignature } from './webhook-signatures';
import { localStandInPathPrefix, type WebhookDestination } from './outbound-webhooks-configuration';

/**
 * Outbound webhooks: lead events handed to the company's own systems (its CRM), each as a signed HTTPS
 * POST, retried with growing waits for hours and then dead-lettered. A destination subscribes to lead
 * events with an EventBridge pattern; each enabled destination becomes one rule on the lead bus.
 */

/**
 * The configuration as a deployed stage runs it: a destination whose `url` is a local stand-in path means
 * nothing in AWS, so it gets no rule, no function and no secret there (the demo's `crm` is one).
 */
export function deployedConfiguration(config: Configuration): Configuration {
  return { ...config, webhooks: { destinations: config.webhooks.destinations.filter((destination) => !destination.url.startsWith(localStandInPathPrefix)) } };
}

/**
 * What every destination's rule adds to its `detail` pattern: platform test leads never reach the
 * company's CRM. Every event of a test lead carries `isTest: true` (`testLeadMark`); real leads' events
 * carry `isTest: false` (`lead.captured`, `lead.scored`) or leave it out. An EventBridge matcher on a field
 * (`[false]`, or `anything-but`, which takes no booleans) never matches an event without it, so the
 * absent field is matched too (`exists: false`). `lead.fetch_failed` names no lead and is never filtered.
 */
const webhookTestLeadFilter = { isTest: [false, { exists: false }] } as const;

/** The lead-bus rule of one destination: its name and the EventBridge pattern it matches (never a test lead's event). */
export function webhookRule(destination: WebhookDestination): { ruleName: string; pattern: Record<string, unknown> } {
  return {
    ruleName: `webhook-${destination.id}`,
    pattern: { source: [leadEventSource], 'detail-type': [...destination.events], detail: { ...destination.detail, ...webhookTestLeadFilter } },
  };
}

export const webhookDeliveryStates = ['pending', 'delivered', 'dead'] as const;
export type WebhookDeliveryState = (typeof webhookDeliveryStates)[number];

/**
 * One event for one destination: its body (the same bytes on every attempt), where it stands, and its
 * last attempt. Keyed by destination and event id, so a redelivered event is never a second delivery.
 */
export const webhookDeliverySchema = z.strictObject({
  destinationId: z.string(),
  /** The lead event's own id: the `Idempotency-Key` receivers de-duplicate on. */
  eventId: z.string().check(z.minLength(1)),
  eventType: z.string(),
  body: z.string(),
  state: z.enum(webhookDeliveryStates),
  /** Attempts since the delivery was created or last replayed. */
  attempts: z.number().check(z.int(), z.nonnegative()),
  createdAt: z.iso.datetime(),
  /** After this, a failed delivery is not retried but dead-lettered. */
  giveUpAt: z.iso.datetime(),
  /** While pending: when the next attempt is due (or, during an attempt, when its claim lapses). */
  nextAttemptAt: z.optional(z.iso.datetime()),
  lastAttemptAt: z.optional(z.iso.datetime()),
  /** The receiver's HTTP status of the last attempt; 0 when it did not answer. */
  lastStatus: z.optional(z.number().check(z.int())),
  lastError: z.optional(z.string()),
  deliveredAt: z.optional(z.iso.datetime()),
  deadLetteredAt: z.optional(z.iso.datetime()),
  /** Times `npm run webhooks -- replay` queued it again. */
  replays: z._default(z.number().check(z.int(), z.nonnegative()), 0),
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

/**
 * When the table may remove a delivery: `webhookDeliveryDays` after it was delivered, or after it was
 * dead-lettered (the time operators have to replay it); a pending one is kept, whatever it was before.
 */
export function webhookDeliveryExpiresAt(delivery: Pick<WebhookDelivery, 'state' | 'deliveredAt' | 'deadLetteredAt'>, retention: Pick<Retention, 'webhookDeliveryDays'>): number | undefined {
  const endedAt = delivery.state === 'delivered' ? delivery.deliveredAt : delivery.state === 'dead' ? delivery.deadLetteredAt : undefined;
  return endedAt === undefined ? undefined : expiresAfterDays(endedAt, retention.webhookDeliveryDays);
}

/** What a destination's rule hands the delivering function: the destination, and the whole event. */
export const webhookRuleInputSchema = z.object({
  destinationId: z.string(),
  event: z.object({ 'detail-type': z.enum(leadEventTypes), time: z.iso.datetime({ offset: true }), detail: z.looseObject({ eventId: z.string().check(z.minLength(1)) }) }),
});
export type WebhookRuleInput = z.infer<typeof webhookRuleInputSchema>;

/**
 * The documented body: `{"id", "type", "occurredAt", "data"}`, where `id` is the event's id (also the
 * `Idempotency-Key` header), `type` its detail-type and `data` its detail exactly as on the lead bus.
 * The detail is checked against its contract first.
 */
export function webhookBody(event: WebhookRuleInput['event']): { eventId: string; eventType: LeadEventType; body: string } {
  const eventType = event['detail-type'];
  const data = leadEventDetailSchemas[eventType].parse(event.detail);
  return { eventId: data.eventId, eventType, body: JSON.stringify({ id: data.eventId, type: eventType, occurredAt: event.time, data }) };
}

/** A new delivery, due at once; it is retried until `deadLetterAfterHours` after `now`. */
export function newWebhookDelivery(destination: WebhookDestination, event: { eventId: string; eventType: string; body: string }, now: Date): WebhookDelivery {
  const at = now.toISOString();
  return { destinationId: destination.id, ...event, state: 'pending', attempts: 0, createdAt: at, giveUpAt: giveUpAfter(destination, now), nextAttemptAt: at, replays: 0 };
}

function giveUpAfter(destination: WebhookDestination, from: Date): string {
  return new Date(from.getTime() + destination.deadLetterAfterHours * 3_600_000).toISOString();
}

/** The headers of one attempt: the signature over the exact body bytes, with a `v1=` per secret value while rotating. */
export function webhookHeaders(delivery: WebhookDelivery, secret: RotatingSecret, now: Date): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'Leadflow-Webhooks/1',
    'x-lead-signature': leadSignature(delivery.body, acceptedValues(secret), Math.floor(now.getTime() / 1000)),
    'idempotency-key': delivery.eventId,
    'x-lead-event-type': delivery.eventType,
    'x-lead-delivery-attempt': String(delivery.attempts + 1),
  };
}

/** The wait after the n-th failed attempt in a row: 1, 2, 4 … minutes, at most an hour. */
export function webhookRetryWaitMinutes(failedAttempts: number): number {
  return Math.min(60, 2 ** Math.max(0, failedAttempts - 1));
}

/** What one attempt came to: the receiver's answer (status 0: no answer, `retryAfter` its header if any) or, for a 2xx, success. */
export type WebhookAttemptResult = { ok: true; status: number } | { ok: false; status: number; error: string; retryAfter?: string };

/**
 * Up to a fifth more wait, fixed by the delivery and its attempt: deliveries that failed together (one
 * receiver's outage) are not all retried in the same minute, and a delivery's schedule stays reproducible.
 */
export function webhookRetryJitter(delivery: Pick<WebhookDelivery, 'destinationId' | 'eventId'>, attempt: number): number {
  const digest = createHash('sha256').update(`${delivery.destinationId}/${delivery.eventId}/${attempt}`).digest();
  return (digest.readUInt32BE(0) / 2 ** 32) * 0.2;
}

/** A receiver's `Retry-After` (delta-seconds or an HTTP date, RFC 9110) in milliseconds from `now`; undefined when unreadable. */
export function retryAfterMs(header: string, now: Date): number | undefined {
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) || !/[a-z]/i.test(value) ? undefined : Math.max(0, at - now.getTime());
}

/**
 * The delivery after one attempt: delivered on a 2xx; otherwise pending again after the backoff wait
 * (with its jitter, or the receiver's `Retry-After` when that asks for longer), or dead-lettered when
 * that wait would end after `giveUpAt`. Every failure is retried (a receiver's 4xx is often a deployment
 * or configuration mistake fixed within the hour).
 */
export function afterWebhookAttempt(delivery: WebhookDelivery, result: WebhookAttemptResult, now: Date): WebhookDelivery {
  const at = now.toISOString();
  const attempts = delivery.attempts + 1;
  const { nextAttemptAt: _next, lastError: _error, ...rest } = delivery;
  const attempted = { ...rest, attempts, lastAttemptAt: at, lastStatus: result.status };
  if (result.ok) return { ...attempted, state: 'delivered', deliveredAt: at };
  const failed = { ...attempted, lastError: result.error.slice(0, 500) };
  const backoffMs = webhookRetryWaitMinutes(attempts) * 60_000 * (1 + webhookRetryJitter(delivery, attempts));
  const askedMs = result.retryAfter === undefined ? undefined : retryAfterMs(result.retryAfter, now);
  const nextMs = now.getTime() + Math.round(Math.max(backoffMs, askedMs ?? 0));
  // Compared as numbers: a `Retry-After` of many digits asks for a time no Date can hold, which is past `giveUpAt` too.
  if (!(nextMs <= Date.parse(delivery.giveUpAt))) return { ...failed, state: 'dead', deadLetteredAt: at };
  return { ...failed, state: 'pending', nextAttemptAt: new Date(nextMs).toISOString() };
}

/** A dead-lettered (or delivered) delivery queued again by a replay: due at once, retried as long as a new one. */
export function replayedWebhookDelivery(delivery: WebhookDelivery, destination: WebhookDestination, now: Date): WebhookDelivery {
  const { deadLetteredAt: _dead, deliveredAt: _delivered, ...rest } = delivery;
  return { ...rest, state: 'pending', attempts: 0, giveUpAt: giveUpAfter(destination, now), nextAttemptAt: now.toISOString(), replays: delivery.replays + 1 };
}

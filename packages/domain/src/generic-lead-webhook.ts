import './zod-locale';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { answerTargetOf, maxAnswerLength, payloadIssues, platformIdSchema, readAnswers } from './ad-platform-intake';
import { readTouchAttribution, touchKeys, type LeadAttribution } from './attribution';
import type { FieldIssue } from './form-submission';
import { publicText } from './human-text';
import { idempotencyKeyIssues } from './idempotency-key';
import { instantSchema } from './instant';
import type { GenericWebhookSource } from './integrations-configuration';
import type { ConsentRecord } from './lead';
import type { IntakeSubmission } from './lead-intake';
import { signatureToleranceSeconds, type RawBody } from './webhook-signatures';

/**
 * Our own signed webhook, for partners and server-side senders (see the ad-platforms spec §6):
 * `{event_id, form_id?, submitted_at?, fields: [{key, value}] | {key: value}, attribution?: {...},
 * first_touch?: {...}, consent?: {text, version, given_at?}, is_test?}`, signed with `X-Lead-Signature`.
 */

const fieldValueSchema = z.union(
  [z.string().check(z.maxLength(maxAnswerLength)), z.number(), z.boolean(), z.null(), z.array(z.union([z.string().check(z.maxLength(maxAnswerLength)), z.number(), z.boolean()])).check(z.maxLength(50))],
  {
    error: 'must be a string, number, boolean, null or a list of those',
  },
);

/**
 * A consent's text or version as the sender wrote it. What `publicText` drops is dropped when the lead is
 * stored (`prepareIntake`), as from the rest of the delivery; text of nothing else would record no text, so it is refused as empty text is.
 */
const consentTextSchema = (maxLength: number) =>
  z.string().check(
    z.minLength(1),
    z.maxLength(maxLength),
    z.refine((text) => text === '' || publicText(text) !== '', { message: 'must not be only control characters, bidirectional controls or unpaired surrogates' }),
  );

/** A time the sender gives (ISO 8601 with an offset), as stored: in UTC, within the years 0000–9999 (`instantSchema`). */
const deliveredInstantSchema = z.pipe(z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time such as "2026-03-02T10:15:00Z"' }), instantSchema);

/**
 * A touch as the sender writes it: each attribution key (`touchKeys`) text or a number, or null for none given (as
 * Zapier sends an empty mapping). A value of another kind is refused naming it, as every other field of the delivery
 * is, rather than dropped unseen. Keys that are no attribution key are not read.
 */
const touchObjectSchema = z.looseObject(Object.fromEntries(touchKeys.map((key) => [key, z.optional(z.nullable(z.union([z.string(), z.number()], { error: 'must be text or a number' })))])), {
  error: 'must be an object of attribution keys such as utm_source',
});

/** The body of a generic lead webhook (`POST /webhooks/generic/{sourceId}`); exported for the OpenAPI document. */
export const genericLeadWebhookBodySchema = z.object({
  event_id: z.optional(platformIdSchema),
  form_id: z.optional(platformIdSchema),
  submitted_at: z.optional(deliveredInstantSchema),
  is_test: z._default(z.boolean({ error: 'must be true or false' }), false),
  fields: z.union(
    [
      z
        .array(z.object({ key: z.string({ error: 'must be the field key' }).check(z.minLength(1), z.maxLength(100)), label: z.optional(z.string()), type: z.optional(z.string()), value: fieldValueSchema }))
        .check(z.maxLength(200)),
      z.record(z.string().check(z.minLength(1), z.maxLength(100)), fieldValueSchema),
    ],
    { error: 'must be a list of {key, value} or an object of keys to values' },
  ),
  attribution: z.optional(touchObjectSchema),
  first_touch: z.optional(touchObjectSchema),
  consent: z.optional(z.object({ text: consentTextSchema(5000), version: consentTextSchema(100), given_at: z.optional(deliveredInstantSchema) })),
});

function asText(value: z.infer<typeof fieldValueSchema>): string {
  if (value === null) return '';
  return Array.isArray(value) ? value.map(String).join(', ') : String(value);
}

/**
 * The identity of a delivery as signed: its timestamp and the digest of its raw body, both covered by
 * `X-Lead-Signature`. Taken beside an `Idempotency-Key` (unsigned), so resending the same signed request
 * is a replay whatever key it carries; an `event_id` is inside the signed body already.
 */
export function signedDeliveryId(signedAt: number, raw: RawBody): string {
  return `t${signedAt}-sha256-${createHash('sha256').update(raw).digest('hex')}`;
}

/**
 * A generic delivery as an intake submission. The delivery id (what makes a redelivery a replay) is
 * `event_id`, or else the `Idempotency-Key` header (spec §6.2: a sender that signs each retry afresh
 * keeps it), or else `signedDeliveryId` of the request. Keys are read through the source's `fieldMap`,
 * then the usual names (email, phone, full_name, …); the rest are kept under `answers`.
 */
export function readGenericLeadWebhook(
  body: unknown,
  source: GenericWebhookSource,
  context: { now: Date; signedDeliveryId: string; idempotencyKey?: string },
): { ok: true; submission: IntakeSubmission; deliveryIdFrom?: 'event_id' | 'Idempotency-Key' } | { ok: false; issues: FieldIssue[] } {
  const parsed = genericLeadWebhookBodySchema.safeParse(body);
  const issues = idempotencyKeyIssues(context.idempotencyKey);
  if (!parsed.success) issues.push(...payloadIssues(parsed.error));
  else issues.push(...futureTimeIssues(parsed.data, context.now));
  if (!parsed.success || issues.length) return { ok: false, issues };
  const delivery = parsed.data;
  const deliveryId = delivery.event_id ?? context.idempotencyKey ?? context.signedDeliveryId;

  // Keys as `prepareIntake` will store them (`publicText`), so a stray control character in "email" does not leave the lead without its email.
  const entries = Array.isArray(delivery.fields)
    ? delivery.fields.map((field) => ({ key: publicText(field.key), value: asText(field.value) }))
    : Object.entries(delivery.fields).map(([key, value]) => ({ key: publicText(key), value: asText(value) }));
  // Own keys only: a sender's key such as `constructor` must not read Object's members off the map.
  const mapped = (key: string) => (Object.hasOwn(source.fieldMap, key) ? source.fieldMap[key] : key);
  const { contact, answers } = readAnswers(entries, (key) => answerTargetOf(mapped(key)), mapped);

  const lastTouch = delivery.attribution && readTouchAttribution(delivery.attribution);
  const firstTouch = delivery.first_touch && readTouchAttribution(delivery.first_touch);
  const attribution: LeadAttribution = { ...(firstTouch ? { firstTouch } : {}), ...(lastTouch ? { lastTouch } : {}) };
  const consent: ConsentRecord | undefined = delivery.consent && {
    text: delivery.consent.text,
    version: delivery.consent.version,
    givenAt: delivery.consent.given_at ?? delivery.submitted_at ?? context.now.toISOString(),
  };
  return {
    ok: true,
    // Where a sender-chosen delivery id came from, to name it when it is reused for other content.
    ...(delivery.event_id !== undefined ? { deliveryIdFrom: 'event_id' as const } : context.idempotencyKey !== undefined ? { deliveryIdFrom: 'Idempotency-Key' as const } : {}),
    submission: {
      sourceKind: 'webhook',
      channel: source.channel,
      formId: delivery.form_id,
      poolId: source.poolId,
      defaultCountry: source.defaultCountry,
      contact,
      answers,
      attribution,
      consent,
      platformLeadId: deliveryId,
      // An unsigned header alone would let a captured request be replayed under a new key: the signed id is taken too.
      ...(delivery.event_id === undefined && context.idempotencyKey !== undefined ? { alsoDeliveredAs: context.signedDeliveryId } : {}),
      // The sender chose the id, and may reuse it by mistake for another lead: what it said tells a redelivery from that.
      ...(deliveryId !== context.signedDeliveryId ? { deliveryFingerprint: deliveryFingerprint(delivery) } : {}),
      sourceId: source.id,
      isTest: delivery.is_test,
    },
  };
}

/**
 * The digest of what a delivery says, its `event_id` aside: the same for a redelivery of it, however its keys are
 * ordered, and another for other fields, attribution, consent or times.
 */
function deliveryFingerprint(delivery: z.infer<typeof genericLeadWebhookBodySchema>): string {
  const { event_id: _eventId, ...said } = delivery;
  const keysInOrder = (_key: string, value: unknown) => (value && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : value);
  return createHash('sha256').update(JSON.stringify(said, keysInOrder)).digest('hex').slice(0, 32);
}

/** A submission or consent dated after now (beyond clock drift) did not happen yet: stored, the consent would read as given on a day to come. */
function futureTimeIssues(delivery: z.infer<typeof genericLeadWebhookBodySchema>, now: Date): FieldIssue[] {
  // As far ahead as the signature's timestamp may be: the sender's clock may run that fast.
  const latest = now.getTime() + signatureToleranceSeconds * 1000;
  const times: Array<[string, string | undefined]> = [
    ['submitted_at', delivery.submitted_at],
    ['consent.given_at', delivery.consent?.given_at],
  ];
  return times.filter(([, at]) => at !== undefined && Date.parse(at) > latest).map(([path]) => ({ path, message: `must not be later than now (${now.toISOString()})` }));
}

import type { Form } from './configuration';
import { readTouchAttribution, type LeadAttribution } from './attribution';
import { readSubmission, type FieldIssue, type SubmittedValue } from './form-submission';
import type { ConsentRecord } from './lead';
import type { IntakeSubmission } from './lead-intake';

/**
 * Fields the embed script adds: a honeypot people never see, when the form was shown (epoch ms, the
 * browser's clock) and how long it took to fill in (ms, measured in the browser).
 */
export const honeypotField = '_hp';
export const startedAtField = '_started_at';
export const fillMsField = '_fill_ms';
export const consentField = 'consent';
export const firstTouchField = 'first_touch';

/**
 * Reads a web-form post into an intake submission: the form's own fields (validated), last-touch
 * attribution from top-level UTM/click-id keys, first touch from `first_touch` (an object, or
 * `first_touch.<key>` fields in a plain HTML post), consent as given, and the spam signals. A post that
 * trips the honeypot or was filled faster than a person could is quarantined, not refused, so bots learn nothing.
 */
export function readWebFormPost(
  form: Form,
  body: Readonly<Record<string, unknown>>,
  context: { now: Date; ip?: string; userAgent?: string },
): { ok: true; submission: IntakeSubmission } | { ok: false; issues: FieldIssue[] } {
  const quarantineReason = spamSignal(form, body, context.now);
  const fields = body as Record<string, SubmittedValue>;
  const read = readSubmission(form, fields);
  const issues: FieldIssue[] = read.ok ? [] : [...read.issues];

  let consent: ConsentRecord | undefined;
  if (form.consent) {
    const sent = body[consentField];
    if (!isTickBoxValue(sent)) {
      issues.push({ path: consentField, message: `must be true or false, or the value of a ticked box such as "on" or "yes", got ${Array.isArray(sent) ? 'several values' : typeof sent}` });
    } else if (['true', 'on', '1', 'yes'].includes(String(sent ?? '').toLowerCase())) {
      consent = { version: form.consent.version, text: form.consent.text, purposes: form.consent.purposes, givenAt: context.now.toISOString(), ip: context.ip, userAgent: context.userAgent };
    } else if (form.consent.required) issues.push({ path: consentField, message: 'Consent is required to send this form' });
  }

  const firstTouchValue = body[firstTouchField];
  if (firstTouchValue !== undefined && (typeof firstTouchValue !== 'object' || firstTouchValue === null || Array.isArray(firstTouchValue))) {
    issues.push({ path: firstTouchField, message: 'must be an object of attribution keys such as utm_source' });
  }
  const attribution: LeadAttribution = {
    firstTouch: readTouchAttribution(
      typeof firstTouchValue === 'object' && firstTouchValue !== null ? (firstTouchValue as Record<string, unknown>) : body,
      typeof firstTouchValue === 'object' ? '' : `${firstTouchField}.`,
    ),
    lastTouch: readTouchAttribution(body),
  };

  if (issues.length && !quarantineReason) return { ok: false, issues };
  // A quarantined post keeps what it sent, even when it would not validate, for review.
  const contact = read.ok ? read.contact : {};
  const answers = read.ok ? read.answers : Object.fromEntries(form.fields.flatMap((field) => (typeof fields[field.name] === 'string' ? [[field.name, String(fields[field.name]).slice(0, field.maxLength)]] : [])));
  return {
    ok: true,
    submission: {
      sourceKind: 'web_form',
      channel: form.channel,
      formId: form.id,
      poolId: form.poolId,
      defaultCountry: form.defaultCountry,
      contact,
      answers,
      attribution: Object.fromEntries(Object.entries(attribution).filter(([, touch]) => touch)),
      consent,
      isTest: false,
      quarantineReason,
    },
  };
}

/** What a tick box posts: a string (a browser sends a ticked box's value), true or false from a JSON client, or nothing; a number, list or object is no answer to read as ticked or not. */
function isTickBoxValue(value: unknown): value is string | boolean | null | undefined {
  return value === undefined || value === null || typeof value === 'string' || typeof value === 'boolean';
}

function spamSignal(form: Form, body: Readonly<Record<string, unknown>>, now: Date): string | undefined {
  const honeypot = body[honeypotField];
  if (typeof honeypot === 'string' ? honeypot.trim() !== '' : honeypot !== undefined && honeypot !== null) return 'the hidden honeypot field was filled in';
  const fillMs = fillTimeMs(body, now);
  if (fillMs !== undefined && fillMs < form.minFillSeconds * 1000) return `the form was filled in ${Math.max(0, fillMs)} ms, faster than the ${form.minFillSeconds} s a person needs`;
  return undefined;
}

/** How far ahead of ours a visitor's clock may be before its `_started_at` is no longer read as a fast fill. */
const clockSkewToleranceMs = 5_000;

/**
 * How long the form took to fill in: the browser's own measure when sent, which no clock difference
 * skews; else the time since `_started_at` — unless that lies more than 5 s in the future, when the visitor's clock
 * runs ahead of ours and the difference says nothing about the visitor.
 */
function fillTimeMs(body: Readonly<Record<string, unknown>>, now: Date): number | undefined {
  const measuredMs = numberIn(body[fillMsField]);
  if (measuredMs !== undefined) return measuredMs;
  const startedAt = numberIn(body[startedAtField]);
  if (startedAt === undefined) return undefined;
  const elapsedMs = now.getTime() - startedAt;
  return elapsedMs < -clockSkewToleranceMs ? undefined : elapsedMs;
}

/** A number sent as one or as its digits; nothing for an empty field or `null`, which `Number` would read as 0 (a 0 ms fill). */
function numberIn(value: unknown): number | undefined {
  if (typeof value !== 'number' && (typeof value !== 'string' || value.trim() === '')) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

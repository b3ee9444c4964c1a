import { createHash } from 'node:crypto';
import type { FieldIssue } from './form-submission';
import type { SubmittedContact } from './lead';

/** An `Idempotency-Key` header: printable ASCII, at most 200 characters (as long as an `event_id`). */
const idempotencyKeyPattern = /^[\x21-\x7e][\x20-\x7e]{0,199}$/;

/** The issue with an `Idempotency-Key` header, named by the header; none when it is absent or well formed. */
export function idempotencyKeyIssues(key: string | undefined): FieldIssue[] {
  return key === undefined || idempotencyKeyPattern.test(key) ? [] : [{ path: 'Idempotency-Key', message: 'must be 1 to 200 printable ASCII characters' }];
}

/**
 * What a form post's `Idempotency-Key` is stored under: the form, the key, and who the post is about. A
 * retry of the same post finds the first one's answer; the same key sent with another person's details
 * (a client reusing keys) is another submission and is stored, never answered as the first one's duplicate.
 */
export function formSubmissionIdempotencyKey(formId: string, key: string, contact: SubmittedContact): string {
  const person = [contact.email, contact.phone, contact.name].map((value) => (value ?? '').trim().toLowerCase()).join('\u0000');
  return `form:${formId}:${key}#${createHash('sha256').update(person).digest('base64url').slice(0, 22)}`;
}

import type { Form, FormField } from './configuration';
import type { SubmittedContact } from './lead';
import { normaliseEmail, normaliseName, normalisePhone } from './contact-normalisation';
import { publicText } from './human-text';

export interface FieldIssue {
  path: string;
  message: string;
}

export type SubmissionResult = { ok: true; contact: SubmittedContact; answers: Record<string, string> } | { ok: false; issues: FieldIssue[] };

/** A posted field value: forms send strings; JSON clients may send numbers, or booleans for a box, and repeated keys arrive as arrays. */
export type SubmittedValue = string | number | boolean | null | undefined | SubmittedValue[];

/**
 * Checks a submission against its form's fields and turns it into clean lead data.
 * Fields the form does not declare are ignored, so extra inputs on a page cannot smuggle data in.
 *
 * @example
 * readSubmission(form, { name: ' Ada ', email: 'ADA@example.com' })
 * // → { ok: true, contact: { name: 'Ada', email: 'ada@example.com' }, answers: {} }
 */
export function readSubmission(form: Form, submitted: Record<string, SubmittedValue>): SubmissionResult {
  const issues: FieldIssue[] = [];
  const contact: SubmittedContact = {};
  const answers: Record<string, string> = {};

  for (const field of form.fields) {
    const raw = submitted[field.name];
    // Only a box is ticked with true or false: a name or an email given as a boolean is a mistake in the client.
    const text = typeof raw === 'boolean' && field.type !== 'checkbox' ? undefined : toText(raw);
    if (text === undefined) {
      issues.push({ path: field.name, message: `must be text, got ${Array.isArray(raw) ? 'several values' : typeof raw}` });
      continue;
    }
    if (text === '') {
      if (field.required) issues.push({ path: field.name, message: `${field.label} is required` });
      continue;
    }
    const value = cleanValue(field, text, form.defaultCountry);
    // The embed script and JSON clients send an unticked box as "false", where a browser's own post leaves it out.
    if (field.type === 'checkbox' && field.required && 'clean' in value && value.clean === 'false') {
      issues.push({ path: field.name, message: `${field.label} is required` });
      continue;
    }
    if ('issue' in value) {
      issues.push({ path: field.name, message: value.issue });
      continue;
    }
    if (field.mapsTo) contact[field.mapsTo] = value.clean;
    else answers[field.name] = value.clean;
  }
  return issues.length ? { ok: false, issues } : { ok: true, contact, answers };
}

/** A field's text, read as `prepareIntake` will store it (see `publicText`), so a stray control character does not fail an email or an option. */
function toText(raw: SubmittedValue): string | undefined {
  if (raw === undefined || raw === null) return '';
  if (typeof raw === 'string') return publicText(raw).trim();
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return undefined;
}

/** What the embed script and JSON clients send for an unticked box. */
const uncheckedValues = ['false', '0', 'no', 'off'];

function cleanValue(field: FormField, text: string, defaultCountry: string): { clean: string } | { issue: string } {
  if (text.length > field.maxLength) return { issue: `must be at most ${field.maxLength} characters` };
  switch (field.type) {
    case 'email': {
      const email = normaliseEmail(text);
      return email ? { clean: email } : { issue: 'must be a valid email address' };
    }
    case 'phone': {
      const phone = normalisePhone(text, defaultCountry);
      return phone ? { clean: phone.number } : { issue: `must be a valid phone number (national numbers are read as ${defaultCountry})` };
    }
    case 'select':
      return field.options?.includes(text) ? { clean: text } : { issue: `must be one of: ${field.options?.join(', ')}` };
    case 'checkbox':
      // A browser posts a ticked box's own value ("on" unless the page gives it one) and leaves an unticked one out.
      return { clean: uncheckedValues.includes(text.toLowerCase()) ? 'false' : 'true' };
    default:
      return { clean: field.mapsTo === 'name' ? normaliseName(text) : text };
  }
}

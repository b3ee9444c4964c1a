import './zod-locale';
import * as z from 'zod/mini';
import type { TouchAttribution } from './attribution';
import { identifierText } from './human-text';
import { toIssueList } from './issue-list';
import type { FieldIssue } from './form-submission';
import type { SubmittedContact, SourceKind } from './lead';
import { leadContactFieldNames } from './lead';
import type { IntakeSubmission } from './lead-intake';
import type { LeadRoute } from './integrations-configuration';

/**
 * What the ad-platform mappers share: exact-string ids, the names platforms give the usual questions,
 * and turning a platform's answers into a lead's contact and answers.
 */

/** Longest answer value kept; platforms cap answers well below this. */
export const maxAnswerLength = 2000;
const maxAnswers = 200;

/**
 * A platform id: a string, or an integer (a JSON number). Integers above 2^53 only arrive here as strings,
 * because bodies are read with `parseJsonKeepingLargeIntegers`; either way the result is the exact string.
 * A string holding what `identifierIssue` names is refused, as ids are: cleaned, two ids could become one.
 */
export const platformIdSchema = z.pipe(
  z.union(
    [
      z.string().check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(200, 'must be at most 200 characters'), identifierText()),
      z.number().check(z.int('must be a whole number'), z.nonnegative('must not be negative')),
    ],
    {
      error: 'must be an id (a string or a whole number)',
    },
  ),
  z.transform((value) => String(value)),
);

/** The dedup key of one platform delivery, as `prepareIntake` writes it for `platformLeadId`. */
export function deliveryDedupKey(sourceKind: SourceKind, sourceId: string | undefined, platformLeadId: string): string {
  return `delivery#${sourceKind}#${sourceId ?? ''}#${platformLeadId}`;
}

/** zod issues as `{path, message}` entries, their paths under `prefix` (e.g. `entry[0].changes[1].value`). */
export function payloadIssues(error: z.core.$ZodError, prefix: ReadonlyArray<string | number> = []): FieldIssue[] {
  return toIssueList(error, prefix, '(body)');
}

/**
 * `value` as `schema` reads it, with each field `optional(path)` accepts left out and listed under `ignored`
 * when it fails: what a platform sends beside a lead's own id informs and does not decide, so a malformed one
 * costs only itself, not the lead. Such fields are leaves (an issue's path names the field). Any other
 * issue (a required field, a value of the wrong kind) is in `issues`. Paths are named under `prefix`.
 */
export function readLeavingOutMalformed<T>(
  schema: z.ZodMiniType<T>,
  value: unknown,
  optional: (path: readonly PropertyKey[]) => boolean,
  prefix: ReadonlyArray<string | number> = [],
): { data: T; ignored: FieldIssue[] } | { issues: FieldIssue[] } {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { data: parsed.data, ignored: [] };
  if (!parsed.error.issues.every((issue) => issue.path.length > 0 && optional(issue.path))) return { issues: payloadIssues(parsed.error, prefix) };
  const usable = structuredClone(value);
  for (const { path } of parsed.error.issues) {
    const holder = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown>)[key], usable) as Record<PropertyKey, unknown>;
    delete holder[path[path.length - 1]];
  }
  const reread = schema.safeParse(usable);
  return reread.success ? { data: reread.data, ignored: payloadIssues(parsed.error, prefix) } : { issues: payloadIssues(reread.error, prefix) };
}

/**
 * What a delivery naming several leads gives. One malformed item does not refuse the rest: a platform
 * that retries a refused delivery and then drops it would lose every good lead in it.
 */
export type PlatformDeliveryReading<Notification> =
  | {
      ok: true;
      /** The leads to read, in the order the delivery names them. */
      notifications: Notification[];
      /** Items naming no lead that can be read: nothing is stored for them; the webhook answers, logs and counts them. */
      unreadable: FieldIssue[];
      /** Malformed optional fields left out; the lead read back supplies its own. */
      ignored: FieldIssue[];
    }
  | { ok: false; issues: FieldIssue[] };

/** A delivery whose items were read one by one: refused, with why, only when it named leads and none could be read. */
export function platformDeliveryReading<Notification>(notifications: Notification[], unreadable: FieldIssue[], ignored: FieldIssue[]): PlatformDeliveryReading<Notification> {
  return unreadable.length && !notifications.length ? { ok: false, issues: unreadable } : { ok: true, notifications, unreadable, ignored };
}

/** A few issues in one line, for an error message that is logged and stored. */
export function describeIssues(issues: readonly FieldIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join('; ');
}

/** The id at the end of a LinkedIn URN: `urn:li:sponsoredCampaign:123` → `123`. */
export function urnId(urn: string | undefined): string | undefined {
  if (!urn) return undefined;
  const match = /^urn:li:[A-Za-z]+:(.+)$/.exec(urn.trim());
  return match?.[1];
}

/** A lead field an answer fills: a contact field, or a first/last name joined into `name`. */
export type AnswerTarget = keyof SubmittedContact | 'first_name' | 'last_name';

/**
 * The names the platforms (Meta `field_data`, Google `column_id` lower-cased, TikTok `lead_data`) and
 * generic senders give the usual questions. Anything else is kept under `answers` with its own key.
 */
export const standardAnswerTargets: Readonly<Record<string, AnswerTarget>> = {
  full_name: 'name',
  name: 'name',
  first_name: 'first_name',
  firstname: 'first_name',
  given_name: 'first_name',
  last_name: 'last_name',
  lastname: 'last_name',
  family_name: 'last_name',
  surname: 'last_name',
  email: 'email',
  email_address: 'email',
  work_email: 'email',
  phone: 'phone',
  phone_number: 'phone',
  work_phone: 'phone',
  work_phone_number: 'phone',
  mobile: 'phone',
  mobile_phone: 'phone',
  company: 'company',
  company_name: 'company',
  title: 'title',
  job_title: 'title',
  country: 'country',
  region: 'region',
  state: 'region',
  province: 'region',
  message: 'message',
};

const contactFields = new Set<string>(leadContactFieldNames);

/** The lead field a key or configured name means, if any. */
export function answerTargetOf(name: string): AnswerTarget | undefined {
  const key = name.trim().toLowerCase();
  if (contactFields.has(key)) return key as AnswerTarget;
  // Own keys only: a question named `constructor` or `toString` is an ordinary answer, not Object's member.
  return Object.hasOwn(standardAnswerTargets, key) ? standardAnswerTargets[key] : undefined;
}

/**
 * Turns a platform's answers into contact fields and answers. `target` says which lead field a key
 * fills (undefined keeps it under `answers`, named `answerKey(key)`). The first value for a contact field
 * wins; a second one (e.g. a work email next to an email) is kept under `answers` rather than lost.
 */
export function readAnswers(
  entries: ReadonlyArray<{ key: string; value: string }>,
  target: (key: string) => AnswerTarget | undefined,
  answerKey: (key: string) => string = (key) => key,
): { contact: SubmittedContact; answers: Record<string, string> } {
  const contact: SubmittedContact = {};
  const answers: Record<string, string> = {};
  let firstName: string | undefined;
  let lastName: string | undefined;
  for (const { key, value: raw } of entries) {
    const value = raw.trim().slice(0, maxAnswerLength);
    if (!value) continue;
    const field = target(key);
    if (field === 'first_name' && firstName === undefined) firstName = value;
    else if (field === 'last_name' && lastName === undefined) lastName = value;
    else if (field && field !== 'first_name' && field !== 'last_name' && contact[field] === undefined) contact[field] = value;
    else if (Object.keys(answers).length < maxAnswers) answers[answerKey(key)] = value;
  }
  if (contact.name === undefined && (firstName || lastName)) contact.name = [firstName, lastName].filter(Boolean).join(' ');
  else {
    if (firstName) answers.first_name = firstName;
    if (lastName) answers.last_name = lastName;
  }
  return { contact, answers };
}

/** The touch of an ad: its ids as exact strings, leaving out the ones the platform did not send. */
export function adTouch(ids: Partial<Record<keyof TouchAttribution, string | undefined>>): TouchAttribution {
  return Object.fromEntries(Object.entries(ids).filter(([, value]) => typeof value === 'string' && value !== ''));
}

/**
 * A platform lead as an intake submission, routed as its form is configured. The ad is both the first
 * and the latest touch we know of: the person met us through it.
 */
export function platformSubmission(input: {
  sourceKind: SourceKind;
  route: LeadRoute;
  platformLeadId: string;
  formId?: string;
  sourceId?: string;
  contact: SubmittedContact;
  answers: Record<string, string>;
  touch: TouchAttribution;
  isTest: boolean;
}): IntakeSubmission {
  const hasTouch = Object.keys(input.touch).length > 0;
  return {
    sourceKind: input.sourceKind,
    channel: input.route.channel,
    formId: input.formId,
    poolId: input.route.poolId,
    defaultCountry: input.route.defaultCountry,
    contact: input.contact,
    answers: input.answers,
    attribution: hasTouch ? { firstTouch: input.touch, lastTouch: input.touch } : {},
    platformLeadId: input.platformLeadId,
    sourceId: input.sourceId,
    isTest: input.isTest,
  };
}

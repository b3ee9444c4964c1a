import type { Principal } from './access-policy';
import type { Rep } from './configuration';
import { normaliseEmail, normalisePhone } from './contact-normalisation';
import type { FieldIssue } from './form-submission';
import type { Lead, LeadStatus } from './lead';
import { phoneCountry } from './organisation-country';
import { unknownQueryParameterIssues } from './unknown-query-parameters';
import { maskName } from './contact-masking';
import { publicText } from './human-text';

/**
 * The dedup key of a person, exactly as `prepareIntake` claims it (`email#ada@example.com`,
 * `phone#+14155550100`), from an already normalised email or E.164 phone.
 */
export function personDedupKey(kind: 'email' | 'phone', normalised: string): string {
  return `${kind}#${normalised}`;
}

/** The dedup check (查重) is for the people who create and claim leads: reps, managers and admins; not finance. */
export function canLookUpLeads(principal: Principal): boolean {
  return principal.roles.some((role) => role === 'rep' || role === 'manager' || role === 'admin');
}

/**
 * Dedup checks a caller may run a minute, whatever their role: far above a person checking leads by hand,
 * far below what guessing the masked digits of pool leads' phone numbers would take.
 */
export const lookupsPerMinute = 30;

/** Managers, admins and the owner see the owner's name and id; other reps see the name masked and no id, so the check cannot be used to map who holds whom. */
export function canSeeOwnerName(principal: Principal, ownerId: string): boolean {
  return principal.roles.includes('manager') || principal.roles.includes('admin') || principal.id === ownerId;
}

export type LookupQueryResult = { ok: true; key: string } | { ok: false; issues: FieldIssue[] };

/**
 * Reads a dedup-check query: exactly one of `email` or `phone`; a phone is read as E.164, national
 * numbers in `country` (ISO 3166-1 alpha-2) or else `defaultCountry`, each rid of what the intake drops from
 * contact fields (`publicText`). A `+` sent unencoded in a URL arrives as a space and is read as the `+` it was.
 *
 * @example
 * readLookupQuery({ phone: '(415) 555-0100' }, 'US') // → { ok: true, key: 'phone#+14155550100' }
 */
export function readLookupQuery(query: Readonly<Record<string, string | undefined>>, defaultCountry: string | undefined): LookupQueryResult {
  const { country } = query;
  // Cleaned as the intake cleans what it stores (`publicText`): a value pasted with direction marks is the person it names.
  const [email, phone] = [query.email, query.phone].map((value) => (value === undefined ? undefined : publicText(value)));
  const issues: FieldIssue[] = unknownQueryParameterIssues(query, ['email', 'phone', 'country']);
  if (country !== undefined && !phoneCountry(country)) issues.push({ path: 'country', message: 'must be an ISO 3166-1 alpha-2 country code such as "US"' });
  if (email !== undefined && phone !== undefined) return { ok: false, issues: [...issues, { path: 'phone', message: 'give either "email" or "phone", not both' }] };
  if (email !== undefined) {
    const normalised = normaliseEmail(email);
    if (!normalised) issues.push({ path: 'email', message: 'must be a valid email address' });
    return !issues.length && normalised ? { ok: true, key: personDedupKey('email', normalised) } : { ok: false, issues };
  }
  if (phone === undefined) return { ok: false, issues: [...issues, { path: '(query)', message: 'give exactly one of "email" or "phone"' }] };
  const readIn = phoneCountry(country) ?? defaultCountry;
  const normalised = normalisePhone(phone.replace(/^ (?=\d)/, '+'), readIn ?? '');
  if (!normalised) {
    issues.push({
      path: 'phone',
      message: readIn ? `must be a valid phone number (national numbers are read as ${readIn}; give "country" for another)` : 'must be a valid phone number in international form, such as +14155550100',
    });
  }
  return !issues.length && normalised ? { ok: true, key: personDedupKey('phone', normalised.number) } : { ok: false, issues };
}

/** The answer to a dedup check: whether the person exists and who holds them — never their contact details. */
export type LeadLookupAnswer =
  | { exists: false }
  | {
      exists: true;
      leadId: string;
      status: LeadStatus;
      /** `owner` when a rep owns the lead, `pool` while it waits in its pool unowned. */
      heldBy: 'pool' | 'owner';
      poolId: string;
      /**
       * The owning rep; `null` while held by the pool. A caller who may not see the owner's name gets it
       * masked and no id, since a rep's id is their username and would name them as plainly.
       */
      owner: { id: string | null; name: string | null } | null;
      /** Since when the holder holds the lead: assignment time for an owner, capture time for the pool. */
      since: string;
    };

/**
 * Builds the dedup-check answer for `principal`. Fields are picked one by one, so nothing of the
 * lead's contact, answers or history can slip into it.
 */
export function lookupAnswer(principal: Principal, lead: Lead | undefined, reps: readonly Pick<Rep, 'id' | 'name'>[]): LeadLookupAnswer {
  if (!lead) return { exists: false };
  const { leadId, status, poolId, ownerId } = lead;
  if (!ownerId) return { exists: true, leadId, status, heldBy: 'pool', poolId, owner: null, since: lead.capturedAt };
  const name = reps.find((rep) => rep.id === ownerId)?.name ?? null;
  const seesOwner = canSeeOwnerName(principal, ownerId);
  return {
    exists: true,
    leadId,
    status,
    heldBy: 'owner',
    poolId,
    owner: seesOwner ? { id: ownerId, name } : { id: null, name: name === null ? null : maskName(name) },
    since: lead.assignment?.assignedAt ?? lead.updatedAt,
  };
}

import './zod-locale';
import * as z from 'zod/mini';
import type { ConsentRecord } from './lead';

/**
 * What a consent covers. `contact` is the sales follow-up the form promised; `marketing_email` is
 * permission for automated (nurture) email, which a form asks for only when configured to.
 */
export const consentPurposeSchema = z.enum(['contact', 'marketing_email']);
export type ConsentPurpose = z.infer<typeof consentPurposeSchema>;

/**
 * One line of a lead's consent ledger: consent given (at capture, with the text and version shown),
 * confirmed (double opt-in: the person pressed the button behind the link we emailed them, with the IP and
 * user agent of that press) or withdrawn (an unsubscribe, an admin acting on a request). Entries are only
 * appended; the consent in force for a purpose is given while the ledger gives it and never withdrew it.
 */
export const consentLedgerEntrySchema = z.strictObject({
  leadId: z.string(),
  purpose: consentPurposeSchema,
  action: z.enum(['given', 'confirmed', 'withdrawn']),
  at: z.iso.datetime(),
  /** Where the change came from: `form:<id>`, `webhook`, `import`, `unsubscribe`, `confirmation-link`, `admin:<sub>`. */
  source: z.string().check(z.minLength(1)),
  version: z.optional(z.string()),
  text: z.optional(z.string()),
  ip: z.optional(z.string()),
  userAgent: z.optional(z.string()),
});
export type ConsentLedgerEntry = z.infer<typeof consentLedgerEntrySchema>;

/**
 * Whether the ledger gives consent for `purpose`: some entry gives it and none withdraws it. A withdrawal
 * stands: it is the person's own act (an unsubscribe link reached their inbox), while a later `given` comes
 * from a post anyone can make with their email, so it is kept on the ledger but does not re-subscribe them.
 */
export function hasConsent(entries: readonly ConsentLedgerEntry[], purpose: ConsentPurpose): boolean {
  const forPurpose = entries.filter((entry) => entry.purpose === purpose);
  return forPurpose.some((entry) => entry.action === 'given') && !forPurpose.some((entry) => entry.action === 'withdrawn');
}

/**
 * Where a person's marketing-email consent stands: never given, withdrawn (which stands, see `hasConsent`),
 * given where the channel it came from asks for no confirmation, confirmed (double opt-in), or waiting for a
 * confirmation. `needsConfirmation` says whether consent from a `source` (`form:<id>`, …) must be confirmed.
 */
export type MarketingEmailConsent = 'not_given' | 'withdrawn' | 'given' | 'confirmed' | 'awaiting_confirmation';

export function marketingEmailConsent(entries: readonly ConsentLedgerEntry[], needsConfirmation: (source: string) => boolean): MarketingEmailConsent {
  const forPurpose = entries.filter((entry) => entry.purpose === 'marketing_email');
  if (forPurpose.some((entry) => entry.action === 'withdrawn')) return 'withdrawn';
  const given = forPurpose.filter((entry) => entry.action === 'given');
  if (given.length === 0) return 'not_given';
  if (forPurpose.some((entry) => entry.action === 'confirmed')) return 'confirmed';
  return given.some((entry) => !needsConfirmation(entry.source)) ? 'given' : 'awaiting_confirmation';
}

/** Whether marketing email may be sent on consent that stands so. */
export function allowsMarketingEmail(consent: MarketingEmailConsent): boolean {
  return consent === 'given' || consent === 'confirmed';
}

/**
 * The ledger entries a captured consent writes: one `given` per purpose it covers (a consent without
 * purposes, as older forms and webhooks send it, covers `contact`), at the time it was given.
 *
 * @example consentGivenEntries('lead-1', { version: 'v2', text: '…', purposes: ['contact', 'marketing_email'], givenAt }, 'form:demo') // two entries
 */
export function consentGivenEntries(leadId: string, consent: ConsentRecord, source: string): ConsentLedgerEntry[] {
  const { purposes = ['contact'], givenAt, version, text, ip, userAgent } = consent;
  return [...new Set(purposes)].map((purpose) => ({ leadId, purpose, action: 'given', at: givenAt, source, version, text, ...(ip ? { ip } : {}), ...(userAgent ? { userAgent } : {}) }));
}

/** The fields of a ledger entry that identify the person; an erasure removes them and keeps the fact of consent. */
export const consentPersonalFields = ['ip', 'userAgent'] as const;

/** Whether an entry still holds data about the person (see `consentPersonalFields`). */
export function holdsPersonalData(entry: ConsentLedgerEntry): boolean {
  return consentPersonalFields.some((field) => entry[field] !== undefined);
}

/**
 * The entry without what identifies the person (see `consentPersonalFields`): what an erased lead's ledger
 * keeps of it, the fact of consent, its purpose, text, version and time.
 */
export function withoutPersonalData(entry: ConsentLedgerEntry): ConsentLedgerEntry {
  const { ip: _ip, userAgent: _userAgent, ...kept } = entry;
  return kept;
}

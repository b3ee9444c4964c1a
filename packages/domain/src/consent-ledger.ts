import './zod-locale';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { ConsentRecord } from './lead';
import { publicText } from './human-text';

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
 * The longest user agent an entry keeps. Browsers send some 100–300 characters; the header can hold 10 KB, and anyone
 * may post a person's email as often as the rate limit lets them, so an entry keeps no more than this.
 */
export const consentUserAgentMaxLength = 512;

/**
 * A user agent as the ledger keeps it: without the characters `publicText` drops, cut with "…" to
 * `consentUserAgentMaxLength` characters (never between the halves of a surrogate pair).
 *
 * @example consentUserAgent(`Mozilla/5.0 ${'x'.repeat(9000)}`).length // 512
 */
export function consentUserAgent(userAgent: string): string {
  const clean = publicText(userAgent);
  if (clean.length <= consentUserAgentMaxLength) return clean;
  return `${clean.slice(0, consentUserAgentMaxLength - 1).replace(/[\uD800-\uDBFF]$/, '')}…`;
}

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

/**
 * The `given` entry a lead's ledger last recorded for a purpose since the purpose was last withdrawn, kept on the
 * lead so that a touch can tell without reading the ledger whether its consent adds anything to it: its time,
 * source, version and a digest of its text (the text may be 5,000 characters, and only its sameness matters here),
 * and when a post last gave it again without a new entry (`givenAgainAt`: a new post asks for a double opt-in
 * confirmation again, see `planConfirmationEmail`).
 */
export const consentGivenMarkSchema = z.strictObject({
  at: z.iso.datetime(),
  source: z.string(),
  version: z.optional(z.string()),
  textDigest: z.optional(z.string()),
  givenAgainAt: z.optional(z.iso.datetime()),
});
export type ConsentGivenMark = z.infer<typeof consentGivenMarkSchema>;

/** `ConsentGivenMark` per purpose; a purpose without one has no `given` entry since its last withdrawal (or none at all). */
export const consentsGivenSchema = z.strictObject({ contact: z.optional(consentGivenMarkSchema), marketing_email: z.optional(consentGivenMarkSchema) });
export type ConsentsGiven = z.infer<typeof consentsGivenSchema>;

function consentGivenMark(entry: ConsentLedgerEntry): ConsentGivenMark {
  return {
    at: entry.at,
    source: entry.source,
    ...(entry.version === undefined ? {} : { version: entry.version }),
    ...(entry.text === undefined ? {} : { textDigest: createHash('sha256').update(entry.text).digest('base64url').slice(0, 22) }),
  };
}

/**
 * Of the `given` entries a post brings (`consentGivenEntries`), those the ledger must still record, and the marks
 * the post leaves (`ConsentGivenMark`, one per purpose it gives). An entry is left out only when the purpose's mark
 * (`recorded`) shows the same consent given since the last withdrawal: the same source, version and text; its mark
 * then only takes the post's time as `givenAgainAt`. Anyone can post a person's email, and such a repeat adds nothing
 * to the record but the poster's IP and user agent, so appending it each time would let anyone grow the ledger
 * without end. A consent under a new version or text, from another form or channel, or after a withdrawal (which
 * takes the mark away) is recorded.
 *
 * @example unrecordedConsents(entries, lead.consentGiven).entries // [] for a post repeating the consent in force
 */
export function unrecordedConsents(entries: readonly ConsentLedgerEntry[], recorded: ConsentsGiven | undefined): { entries: ConsentLedgerEntry[]; marks: ConsentsGiven } {
  const fresh: ConsentLedgerEntry[] = [];
  const marks: ConsentsGiven = {};
  for (const entry of entries) {
    const mark = recorded?.[entry.purpose];
    const given = consentGivenMark(entry);
    const same = mark && mark.source === given.source && mark.version === given.version && mark.textDigest === given.textDigest;
    if (!same) fresh.push(entry);
    marks[entry.purpose] = same ? { ...mark, givenAgainAt: entry.at } : given;
  }
  return { entries: fresh, marks };
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

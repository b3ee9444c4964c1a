import * as z from 'zod';

/**
 * What a consent covers. `contact` is the sales follow-up the form promised; `marketing_email` is
 * permission for automated (nurture) email, which a form asks for only when configured to.
 */
export const consentPurposeSchema = z.enum(['contact', 'marketing_email']);
export type ConsentPurpose = z.infer<typeof consentPurposeSchema>;

/**
 * One line of a lead's consent ledger: consent given (at capture, with the text and version shown) or
 * withdrawn (an unsubscribe, an admin acting on a request). Entries are only appended; the consent in
 * force for a purpose is the latest entry for it.
 */
export const consentLedgerEntrySchema = z.strictObject({
  leadId: z.string(),
  purpose: consentPurposeSchema,
  action: z.enum(['given', 'withdrawn']),
  at: z.iso.datetime(),
  /** Where the change came from: `form:<id>`, `webhook`, `import`, `unsubscribe`, `admin:<sub>`. */
  source: z.string().min(1),
  version: z.string().optional(),
  text: z.string().optional(),
  ip: z.string().optional(),
  userAgent: z.string().optional(),
});
export type ConsentLedgerEntry = z.infer<typeof consentLedgerEntrySchema>;

/** Whether the ledger's latest entry for `purpose` gives consent (no entry: not given). */
export function hasConsent(entries: readonly ConsentLedgerEntry[], purpose: ConsentPurpose): boolean {
  const latest = entries.filter((entry) => entry.purpose === purpose).reduce<ConsentLedgerEntry | undefined>((last, entry) => (!last || entry.at >= last.at ? entry : last), undefined);
  return latest?.action === 'given';
}

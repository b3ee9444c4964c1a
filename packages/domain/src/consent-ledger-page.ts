import './zod-locale';
import * as z from 'zod/mini';
import { consentLedgerEntrySchema, consentPurposeSchema, type ConsentLedgerEntry } from './consent-ledger';
import { pageCursorParameter } from './page-cursor';
import { pageLimitParameter } from './query-parameters';

/** Where a page of a lead's ledger ended: its last entry's time, purpose and action (the ledger's order, as the table keys it). */
export const consentLedgerCursorSchema = z.strictObject({ at: z.iso.datetime(), purpose: consentPurposeSchema, action: consentLedgerEntrySchema.shape.action });
export type ConsentLedgerCursor = z.infer<typeof consentLedgerCursorSchema>;

/** The query of `GET /leads/{leadId}/consents`: `limit` (1–100, default 50) and the `cursor` of the previous page. */
export const consentLedgerQuerySchema = z.strictObject({ limit: pageLimitParameter, cursor: z.optional(pageCursorParameter(consentLedgerCursorSchema)) });

const ledgerOrder = (entry: ConsentLedgerCursor) => `${entry.at}#${entry.purpose}#${entry.action}`;

/**
 * One page of a ledger in time order: at most `limit` entries after `after`, and where the page ended when more follow.
 * A ledger is answered a page at a time, since whoever may post a person's email once could make it longer than one
 * answer holds (Lambda's is 6 MB) before repeats stopped being recorded.
 */
export function consentLedgerPage(entries: readonly ConsentLedgerEntry[], limit: number, after?: ConsentLedgerCursor): { entries: ConsentLedgerEntry[]; next?: ConsentLedgerCursor } {
  const rest = after ? entries.filter((entry) => ledgerOrder(entry) > ledgerOrder(after)) : entries;
  const page = rest.slice(0, limit);
  const last = page.at(-1);
  return { entries: page, ...(last && rest.length > limit ? { next: { at: last.at, purpose: last.purpose, action: last.action } } : {}) };
}

/**
 * The newest entries a data-subject export holds; the rest are paged with `GET /leads/{leadId}/consents`. An entry
 * is at most some 6 KB (a webhook's consent text of 5,000 characters, a user agent of 512), so they fit one answer
 * beside the rest of the export.
 */
export const exportedConsentEntries = 100;

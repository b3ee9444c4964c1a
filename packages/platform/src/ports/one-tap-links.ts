import type { LeadAcceptance, OfferAcceptance } from '@leadflow/domain';

/** Remembers which one-tap links were used (each works once) and records acceptances. */
export interface OneTapLinkLedger {
  /** When the link was used, or `undefined`. */
  usedAt(linkId: string): Promise<string | undefined>;
  /** Marks the link used; `false` when it already was. `expiresAt` (Unix s) lets the record go after the link expires. */
  markUsed(linkId: string, at: string, expiresAt: number): Promise<boolean>;
  /** Forgets a use whose action was then refused, so nothing changed. */
  forget(linkId: string): Promise<void>;
  /** The link's use, the acceptance on the lead (its owner still the rep) and `lead.accepted`, in one transaction. */
  recordAcceptance(linkId: string, acceptance: LeadAcceptance, linkExpiresAt: number): Promise<'accepted' | 'lead_changed' | 'link_used'>;
  /**
   * The first accept of an open offer, in one transaction: the link's use, the owner and assignment (only
   * while the offer is still the lead's and nobody owns it, else `taken`), the rep's open-lead counter
   * (within `capacity`, else `at_capacity`) and `lead.assigned`.
   */
  recordOfferAcceptance(linkId: string, acceptance: OfferAcceptance, linkExpiresAt: number, capacity: number): Promise<'accepted' | 'taken' | 'link_used' | 'at_capacity'>;
}

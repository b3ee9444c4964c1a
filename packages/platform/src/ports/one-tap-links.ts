import type { LeadAcceptance, OfferAcceptance } from '@leadflow/domain';
import type { LeadFull } from './lead-store';

/** Remembers which one-tap links were used (each works once) and records acceptances. */
export interface OneTapLinkLedger {
  /** When the link was used, or `undefined`. */
  usedAt(linkId: string): Promise<string | undefined>;
  /** Marks the link used; `false` when it already was. `expiresAt` (Unix s) lets the record go after the link expires. */
  markUsed(linkId: string, at: string, expiresAt: number): Promise<boolean>;
  /** Forgets a use whose action was then refused, so nothing changed. */
  forget(linkId: string): Promise<void>;
  /**
   * The link's use, the acceptance on the lead (its owner still the rep) and `lead.accepted`, in one transaction;
   * `lead_full` (here and below) when the lead is too full to take the acceptance: nothing is written, the link stays unused.
   */
  recordAcceptance(linkId: string, acceptance: LeadAcceptance, linkExpiresAt: number): Promise<'accepted' | 'lead_changed' | 'link_used' | LeadFull>;
  /**
   * The first accept of an open offer, in one transaction: the link's use, the owner and assignment (only
   * while the offer is still the lead's and nobody owns it, else `taken`), the rep's open-lead counter
   * (within `capacity`, else `at_capacity`) and `lead.assigned`.
   */
  recordOfferAcceptance(linkId: string, acceptance: OfferAcceptance, linkExpiresAt: number, capacity: number): Promise<'accepted' | 'taken' | 'link_used' | 'at_capacity' | LeadFull>;
}

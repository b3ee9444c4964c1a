import type { Lead, LeadErasure } from '@leadflow/domain';

/** Which lead to erase the person from, and how (see `erasePersonFromLead`). */
export type LeadErasureRequest = ({ leadId: string } | { dedupKey: string }) & { erase: (lead: Lead) => LeadErasure | undefined };

/**
 * Data-subject erasure, apart from the lead store: only the erase-lead endpoint and the platform intakes
 * (a platform deletion, or one racing the lead's fetch) erase, so only their bundles carry it.
 */
export interface LeadErasures {
  /**
   * Erases the person from a lead — the one `leadId` names, or the one holding `dedupKey` (e.g. a platform
   * delivery key) — in one transaction: stores the lead `erase` returns (out of its pool's listing; an
   * open lead it owned no longer counts against its owner's holding cap), deletes the person keys it
   * names, takes the IP and user agent out of the lead's consent ledger, the raw delivery out of the
   * platform intake record that created it and the answers out of its events still in the outbox, and
   * writes its event. `erased: false` when `erase` finds nothing left to erase; `undefined` when there is no such lead.
   */
  erasePerson(input: LeadErasureRequest): Promise<{ leadId: string; erased: boolean } | undefined>;
}

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
   * delivery key): takes the answers out of its events still in the outbox, then, in one transaction, stores
   * the lead `erase` returns (out of its pool's listing; an open lead it owned no longer counts against its
   * owner's holding cap), deletes the person keys it names and its queued conversions, takes the raw delivery
   * out of the platform intake record that created it and writes its event; only then takes the IP and user
   * agent out of the lead's consent ledger. `erased: false` when `erase` finds nothing left to erase (what an
   * interrupted erasure left is finished then); `undefined` when there is no such lead.
   */
  erasePerson(input: LeadErasureRequest): Promise<{ leadId: string; erased: boolean } | undefined>;
}

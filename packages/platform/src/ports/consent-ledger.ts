import type { ConsentLedgerEntry } from '@leadflow/domain';

/** A lead's consent ledger: entries are appended, never changed, and read in time order. */
export interface ConsentLedger {
  append(entry: ConsentLedgerEntry): Promise<void>;
  entriesFor(leadId: string): Promise<ConsentLedgerEntry[]>;
}

import type { Lead, LeadEvent, LeadIntakeRecord, PendingFetchPlatform } from '@leadflow/domain';

/** How a pending record ended: the lead read and stored, left out as a test lead, or erased by the person. */
export interface IntakeResolution {
  status: 'fetched' | 'skipped' | 'erased';
  at: string;
  leadId?: string;
  reason?: string;
}

/** A pending record due for a read, as the due-time index holds it: its key and the time it is filed under. */
export interface DueIntakeRecord {
  platform: PendingFetchPlatform;
  platformLeadId: string;
  dueAt: string;
}

/** Where a page of the due-time index of pending records ends: the due time, then the record's key. */
export interface PendingFetchPosition {
  at: string;
  platform: string;
  platformLeadId: string;
}

/** The lead whose platform deliveries are looked for: its id, and its source when it has been read. */
export type LeadOfRecords = Pick<Lead, 'leadId'> & Partial<Pick<Lead, 'source'>>;

/**
 * Where platform deliveries are kept until their lead has been read back: written before the webhook is
 * acknowledged, so a platform outage (or a crash mid-read) loses nothing.
 */
export interface LeadIntakeRecordStore {
  /**
   * Stores the record unless one exists for the same platform lead. Resolves with the record as stored
   * (the earlier one for a redelivery) and whether this call created it.
   */
  recordDelivery(record: LeadIntakeRecord): Promise<{ created: boolean; record: LeadIntakeRecord }>;
  getRecord(platform: PendingFetchPlatform, platformLeadId: string): Promise<LeadIntakeRecord | undefined>;
  /**
   * A page of the pending records due by `dueBy` (ISO 8601), most overdue first (then by key), after `page.after`, and
   * where the next page starts when this one is full: a record the job cannot settle does not hold back the ones after it.
   * An index entry whose key names no known platform is logged and left out, and the position still moves past it.
   */
  listDue(dueBy: string, page: { limit: number; after?: PendingFetchPosition }): Promise<{ due: DueIntakeRecord[]; next?: PendingFetchPosition }>;
  /**
   * The records of every platform delivery a lead holds, in the order received: the one that created it
   * and those that only touched it, found through the delivery keys referenced under the lead; and, given
   * the lead's `source`, the one that created a lead stored before those references were written.
   */
  recordsOfLead(lead: LeadOfRecords): Promise<LeadIntakeRecord[]>;
  /**
   * Takes the raw delivery off every record `recordsOfLead` finds: what an erasure of the person leaves of
   * the deliveries that touched the lead (the lead store's erasure reaches the one that created it). Run
   * after the erasure, so a touch the erasure let through is found; running it again changes nothing.
   */
  eraseRawDeliveriesOfLead(lead: LeadOfRecords): Promise<void>;
  /**
   * Ends a record's pending life (it leaves the due list, and expires after a while); an `erased` resolution
   * also takes its raw delivery off. Resolving an erased (or missing) record changes nothing: `unchanged`.
   */
  resolve(platform: PendingFetchPlatform, platformLeadId: string, resolution: IntakeResolution): Promise<'resolved' | 'unchanged'>;
  /**
   * Stores a failed read (attempts, error, next attempt) with its `lead.fetch_failed` event, atomically,
   * unless the record was resolved meanwhile.
   */
  recordFailure(failed: LeadIntakeRecord, event: LeadEvent): Promise<'recorded' | 'already_resolved'>;
}

import type { LeadEvent, LeadIntakeRecord, PendingFetchPlatform } from '@leadflow/domain';

/** How a pending record ended: the lead read and stored, left out as a test lead, or erased by the person. */
export interface IntakeResolution {
  status: 'fetched' | 'skipped' | 'erased';
  at: string;
  leadId?: string;
  reason?: string;
}

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
  /** Pending records due by `dueBy` (ISO 8601), most overdue first, at most `limit`. */
  listDue(dueBy: string, limit: number): Promise<LeadIntakeRecord[]>;
  /** Ends a record's pending life (it leaves the due list, and expires after a while); resolving an erased (or missing) record changes nothing: `unchanged`. */
  resolve(platform: PendingFetchPlatform, platformLeadId: string, resolution: IntakeResolution): Promise<'resolved' | 'unchanged'>;
  /**
   * Stores a failed read (attempts, error, next attempt) with its `lead.fetch_failed` event, atomically,
   * unless the record was resolved meanwhile.
   */
  recordFailure(failed: LeadIntakeRecord, event: LeadEvent): Promise<'recorded' | 'already_resolved'>;
}

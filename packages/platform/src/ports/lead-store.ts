import type { Lead, LeadEvent, LeadHistoryEntry } from '@leadflow/domain';

export interface OwnerAssignment {
  leadId: string;
  ownerId: string;
  assignment: NonNullable<Lead['assignment']>;
  historyEntry: LeadHistoryEntry;
  event: LeadEvent;
}

/** Where leads live. Every write that changes a lead also stores the event announcing it, atomically. */
export interface LeadStore {
  /** Stores a new lead and its `lead.captured` event; resolves only once both are durable. */
  saveCapturedLead(lead: Lead, event: LeadEvent): Promise<void>;
  getLead(leadId: string): Promise<Lead | undefined>;
  /** Atomically advances a pool's round-robin counter and returns the new turn (1, 2, 3, …). */
  takeRoundRobinTurn(poolId: string): Promise<number>;
  /** Sets the owner unless the lead already has one: one lead, one owner. */
  assignOwner(change: OwnerAssignment): Promise<'assigned' | 'already_assigned'>;
}

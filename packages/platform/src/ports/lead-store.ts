import type { Lead, LeadEvent, LeadHistoryEntry, PreparedIntake } from '@leadflow/domain';

export interface OwnerAssignment {
  leadId: string;
  ownerId: string;
  assignment: NonNullable<Lead['assignment']>;
  historyEntry: LeadHistoryEntry;
  event: LeadEvent;
}

/**
 * What became of a delivery: a new lead, a touch on the lead that already holds the person's email
 * or phone, or a replay of a delivery (same platform lead id or idempotency key) already taken.
 */
export interface IntakeOutcome {
  leadId: string;
  outcome: 'created' | 'touched' | 'replayed';
}

/** Where leads live. Every write that changes a lead also stores the event announcing it, atomically. */
export interface LeadStore {
  /**
   * Stores a new lead with its dedup keys and `lead.captured` event in one transaction, or, when a key
   * is already held, records the touch or recognises the replay. Resolves only once that is durable.
   * `idempotencyKey` (already scoped by the caller) makes a retried request return the first outcome.
   */
  ingestLead(intake: PreparedIntake, idempotencyKey?: string): Promise<IntakeOutcome>;
  getLead(leadId: string): Promise<Lead | undefined>;
  /** Atomically advances a pool's round-robin counter and returns the new turn (1, 2, 3, …). */
  takeRoundRobinTurn(poolId: string): Promise<number>;
  /** Sets the owner unless the lead already has one: one lead, one owner. */
  assignOwner(change: OwnerAssignment): Promise<'assigned' | 'already_assigned'>;
}

import type { Lead, LeadErasure, LeadEvent, LeadHistoryEntry, PreparedIntake } from '@leadflow/domain';

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
  /**
   * The id of the lead holding a person's dedup key (`email#…` or `phone#…`, see `personDedupKey`),
   * for the dedup check (查重); `undefined` when no lead holds it.
   */
  findLeadIdByPersonKey(key: string): Promise<string | undefined>;
  /** Atomically advances a pool's round-robin counter and returns the new turn (1, 2, 3, …). */
  takeRoundRobinTurn(poolId: string): Promise<number>;
  /** Sets the owner of a `new` lead unless it already has one: one lead, one owner. */
  assignOwner(change: OwnerAssignment): Promise<'assigned' | 'already_assigned'>;
  /**
   * Erases the person from the lead holding `dedupKey` (e.g. a platform delivery key): stores the lead
   * `erase` returns, deletes the person keys it names and writes its event, in one transaction (nothing,
   * when `erase` finds nothing left to erase). `undefined` when no lead holds the key.
   */
  erasePerson(input: { dedupKey: string; erase: (lead: Lead) => LeadErasure | undefined }): Promise<{ leadId: string } | undefined>;
}

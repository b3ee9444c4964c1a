import type { PreparedIntake } from '@leadflow/domain';

/**
 * What became of a delivery: a new lead, a touch on the lead that already holds the person's email
 * or phone, or a replay of a delivery (same platform lead id or idempotency key) already taken.
 */
export interface IntakeOutcome {
  leadId: string;
  outcome: 'created' | 'touched' | 'replayed';
}

/**
 * A delivery whose id (a `DedupKey` with a fingerprint) was taken by a delivery that said something else: the
 * sender reused the id for other content. Nothing is written; a true redelivery is a replay instead.
 */
export class DeliveryIdReusedError extends Error {
  constructor(readonly deliveryKey: string) {
    super(`Delivery ${deliveryKey} was taken by a delivery of other content`);
    this.name = 'DeliveryIdReusedError';
  }
}

/**
 * How submissions become leads: apart from `LeadStore`, so that only the functions that take leads in (the capture
 * endpoints, the ad-platform intakes and the import) bundle the dedup and touch logic.
 */
export interface LeadIngestion {
  /**
   * Stores a new lead with its dedup keys and `lead.captured` event in one transaction, or, when a key
   * is already held, records the touch or recognises the replay. Resolves only once that is durable.
   * `idempotencyKey` (already scoped by the caller) makes a retried request return the first outcome.
   * @throws DeliveryIdReusedError when a delivery key with a fingerprint is held with another fingerprint.
   */
  ingestLead(intake: PreparedIntake, idempotencyKey?: string): Promise<IntakeOutcome>;
  /** What a request stored under `idempotencyKey` (as `ingestLead` was given it) was answered, as a replay; `undefined` when none was, or when the key, kept a day, had expired by `at`. */
  replayOfIdempotencyKey(idempotencyKey: string, at: string): Promise<IntakeOutcome | undefined>;
}

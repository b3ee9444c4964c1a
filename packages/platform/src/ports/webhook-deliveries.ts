import type { WebhookAttemptResult, WebhookDelivery, WebhookDeliveryState } from '@leadflow/domain';

/**
 * Outbound webhook deliveries, one per destination and event, with their state: the queue of attempts
 * to make and each destination's delivery log. An attempt is made only under a claim (the delivery's
 * `nextAttemptAt` moved forward by a conditional write), so two senders never attempt it at once.
 */
export interface WebhookDeliveryStore {
  /**
   * Stores a new delivery and answers it as stored (without what the person answered when the lead was
   * erased); `undefined` when this event was already delivered (or queued) to this destination.
   */
  open(delivery: WebhookDelivery): Promise<WebhookDelivery | undefined>;
  /** The lead's deliveries whose body holds what its person answered (`personalEventDetailFields`), for a data-subject export. */
  deliveriesOfLead(leadId: string): Promise<WebhookDelivery[]>;
  /** Up to `limit` pending deliveries due by `now`, earliest first (read from an eventually consistent index). */
  due(now: string, limit: number): Promise<WebhookDelivery[]>;
  /** Takes a pending delivery for one attempt until `until`; `undefined` if someone else took it or it changed. */
  claim(delivery: WebhookDelivery, until: string): Promise<WebhookDelivery | undefined>;
  /** Stores the outcome of an attempt made under the claim `claimedUntil`; `false` if the claim had been lost. */
  record(delivery: WebhookDelivery, claimedUntil: string): Promise<boolean>;
  /**
   * A destination's deliveries, optionally only those in `states`, and with `since` only those delivered
   * at or after it (a delivered one) or created at or after it (a pending or dead-lettered one).
   */
  list(destinationId: string, filter?: { states?: readonly WebhookDeliveryState[]; since?: string }): Promise<WebhookDelivery[]>;
  /**
   * Replaces a delivered or dead-lettered delivery by its replay (pending, so it no longer expires), unless it
   * changed state meanwhile or its expiry (`retention.webhookDeliveryDays` after it ended) passed before the replay.
   */
  requeue(replayed: WebhookDelivery, expectedState: WebhookDeliveryState): Promise<boolean>;
}

/** One HTTPS POST to a receiver, answered with its status (0: no answer within the timeout). */
export interface WebhookSender {
  post(url: URL, body: string, headers: Record<string, string>, timeoutMs: number): Promise<WebhookAttemptResult>;
}

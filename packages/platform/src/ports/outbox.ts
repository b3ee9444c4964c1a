/** An event as the transactional outbox holds it, ready for `PutEvents`. */
export interface OutboxEvent {
  eventId: string;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  time: string;
}

/** The unpublished side of the outbox: what the relay confirms and the sweeper retries. */
export interface OutboxStore {
  /** Outbox events created before `createdBefore` that were never confirmed published, oldest first. */
  listUnpublished(createdBefore: string, limit: number): Promise<OutboxEvent[]>;
  markPublished(eventIds: readonly string[]): Promise<void>;
}

/** Which events the bus accepted and which it refused (PutEvents fails entry by entry). */
export interface PublishOutcome {
  published: string[];
  failed: Array<{ eventId: string; error: string }>;
}

export interface EventPublisher {
  /** Puts events on the bus and says, per event, whether it was accepted; a failed call fails its events. */
  publish(events: readonly OutboxEvent[]): Promise<PublishOutcome>;
}

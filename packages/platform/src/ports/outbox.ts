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

export interface EventPublisher {
  /** Puts events on the bus; rejects if any entry was not accepted, so the caller retries. */
  publish(events: readonly OutboxEvent[]): Promise<void>;
}

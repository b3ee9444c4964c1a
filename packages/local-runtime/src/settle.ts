import type { LocalEventBus } from './event-bus';

/** What `settle` drains: each stream poller, then the bus. */
export interface Drainable {
  drain(timeoutMs?: number): Promise<void>;
}

/**
 * Waits until everything written so far has gone through the streams and the bus. A delivery can write
 * more outbox events (assignment → notification), so it drains again while a round took in new events,
 * for at most `rounds` rounds. A round is quiet when the bus's count of events taken in did not move: the
 * count only grows, where the activity log's list stops growing once it holds its 1,000 events.
 */
export async function settle(pollers: readonly Drainable[], bus: Drainable & Pick<LocalEventBus, 'acceptedCount'>, streamTimeoutMs?: number, rounds = 10): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    const before = bus.acceptedCount;
    for (const poller of pollers) await poller.drain(streamTimeoutMs);
    await bus.drain();
    if (bus.acceptedCount === before) return;
  }
}

import { PutEventsCommand, type EventBridgeClient, type PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import type { EventPublisher, OutboxEvent, PublishOutcome } from '../ports/outbox';

const maxEntriesPerCall = 10;

/** Puts events on the bus ten to a `PutEvents` call, all calls at once (a relay batch is at most a few of them). */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: readonly OutboxEvent[]): Promise<PublishOutcome> {
    const calls: Array<readonly OutboxEvent[]> = [];
    for (let start = 0; start < events.length; start += maxEntriesPerCall) calls.push(events.slice(start, start + maxEntriesPerCall));
    const outcomes = await Promise.all(calls.map((batch) => this.put(batch)));
    return { published: outcomes.flatMap((outcome) => outcome.published), failed: outcomes.flatMap((outcome) => outcome.failed) };
  }

  private async put(batch: readonly OutboxEvent[]): Promise<PublishOutcome> {
    let entries: PutEventsResultEntry[];
    try {
      ({ Entries: entries = [] } = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: this.eventBusName,
            Source: event.source,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
            Time: new Date(event.time),
            Resources: [],
          })),
        }),
      ));
    } catch (error) {
      return { published: [], failed: batch.map(({ eventId }) => ({ eventId, error: (error as Error).message })) };
    }
    const outcome: PublishOutcome = { published: [], failed: [] };
    batch.forEach(({ eventId }, index) => {
      // PutEvents answers entry by entry, in order; an entry with an EventId was accepted.
      const entry = entries[index];
      if (entry?.EventId && !entry.ErrorCode) outcome.published.push(eventId);
      else outcome.failed.push({ eventId, error: `${entry?.ErrorCode ?? 'NoResult'} ${entry?.ErrorMessage ?? ''}`.trim() });
    });
    return outcome;
  }
}

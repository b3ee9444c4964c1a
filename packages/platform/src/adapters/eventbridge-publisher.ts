import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EventPublisher, OutboxEvent } from '../ports/outbox';

const maxEntriesPerCall = 10;

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: readonly OutboxEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += maxEntriesPerCall) {
      const batch = events.slice(start, start + maxEntriesPerCall);
      const result = await this.client.send(
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
      );
      if (result.FailedEntryCount) {
        const failures = (result.Entries ?? [])
          .map((entry, index) => (entry.ErrorCode ? `${batch[index]?.eventId}: ${entry.ErrorCode} ${entry.ErrorMessage ?? ''}` : undefined))
          .filter(Boolean);
        throw new Error(`PutEvents rejected ${result.FailedEntryCount} of ${batch.length} events: ${failures.join('; ')}`);
      }
    }
  }
}

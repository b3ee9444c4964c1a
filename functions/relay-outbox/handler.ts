import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaDependencies, outboxEventFromItem, type DependencyResolver } from '@leadflow/platform';

/**
 * The relay half of the transactional outbox: every outbox item inserted with a lead change is put on
 * the bus, then deleted. A failure rejects the batch so the stream redelivers it; events are
 * published at least once and consumers de-duplicate on `detail.eventId`.
 */
export function createHandler(dependencies: DependencyResolver<'publisher' | 'outbox'>) {
  return async (event: DynamoDBStreamEvent): Promise<void> => {
    const { publisher, outbox } = dependencies();
    const events = event.Records.flatMap((record) =>
      record.eventName === 'INSERT' && record.dynamodb?.NewImage ? [outboxEventFromItem(unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>))] : [],
    );
    if (events.length === 0) return;
    await publisher.publish(events);
    await outbox.markPublished(events.map((published) => published.eventId));
  };
}

export const handler = createHandler(lambdaDependencies);

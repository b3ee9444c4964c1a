import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaDependencies, outboxEventFromItem, refusedEventsError, relayOutboxEvents, type DependencyResolver } from '@leadflow/platform';

/**
 * The relay half of the transactional outbox: every outbox item inserted with a lead change is put on
 * the bus (ten per `PutEvents`, all calls at once), and the accepted ones are deleted in batches. Events
 * the bus keeps refusing stay in the outbox and fail the batch so the stream redelivers it; events are
 * published at least once and consumers de-duplicate on `detail.eventId`.
 */
export function createHandler(dependencies: DependencyResolver<'publisher' | 'outbox'>) {
  return async (event: DynamoDBStreamEvent): Promise<void> => {
    const deps = dependencies();
    const events = event.Records.flatMap((record) =>
      record.eventName === 'INSERT' && record.dynamodb?.NewImage ? [outboxEventFromItem(unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>))] : [],
    );
    if (events.length === 0) return;
    const { refused } = await relayOutboxEvents(deps, events);
    if (refused.length > 0) throw refusedEventsError(refused, events.length);
  };
}

export const handler = createHandler(lambdaDependencies);

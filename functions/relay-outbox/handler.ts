import { countCapturedLeads, lambdaDependenciesOf, outboxItemSchema, refusedEventsError, relayOutboxEvents, streamHandler, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * The relay half of the transactional outbox: every outbox item inserted with a lead change is put on
 * the bus (ten per `PutEvents`, all calls at once), and the accepted ones are deleted in batches. Events
 * the bus keeps refusing stay in the outbox and fail the batch so the stream redelivers it; events are
 * published at least once and consumers de-duplicate on `detail.eventId`. Real captured leads are
 * counted once their batch has gone out whole (`countCapturedLeads`).
 */
export function createHandler(dependencies: DependencyResolver<'publisher' | 'outbox' | 'metrics'>) {
  return streamHandler(outboxItemSchema, async (events) => {
    const deps = dependencies();
    if (events.length === 0) return;
    const { refused } = await relayOutboxEvents(deps, events);
    // A failed batch comes back whole, the events the bus accepted with it: counting them now would count them again then.
    if (refused.length > 0) throw refusedEventsError(refused, events.length);
    countCapturedLeads(deps.metrics, events);
  });
}

export const handler = createHandler(lambdaDependenciesOf({ publisher: providers.publisher, outbox: providers.outbox, metrics: providers.metrics }));

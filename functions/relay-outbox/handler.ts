import { leadCapturedDetailSchema } from '@leadflow/domain';
import { lambdaDependenciesOf, operationalMetricNames, outboxItemSchema, refusedEventsError, relayOutboxEvents, streamHandler, type DependencyResolver, type OutboxEvent } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * The relay half of the transactional outbox: every outbox item inserted with a lead change is put on
 * the bus (ten per `PutEvents`, all calls at once), and the accepted ones are deleted in batches. Events
 * the bus keeps refusing stay in the outbox and fail the batch so the stream redelivers it; events are
 * published at least once and consumers de-duplicate on `detail.eventId`. Real captured leads are
 * counted here, by channel, because every channel's leads pass through this one place.
 */
export function createHandler(dependencies: DependencyResolver<'publisher' | 'outbox' | 'metrics'>) {
  return streamHandler(outboxItemSchema, async (events) => {
    const deps = dependencies();
    if (events.length === 0) return;
    const { refused } = await relayOutboxEvents(deps, events);
    const refusedIds = new Set(refused.map((failure) => failure.eventId));
    for (const channel of channelsOfRealCapturedLeads(events.filter((relayed) => !refusedIds.has(relayed.eventId)))) deps.metrics.count(operationalMetricNames.leadCaptured, { channel });
    if (refused.length > 0) throw refusedEventsError(refused, events.length);
  });
}

/** The channel of each `lead.captured` event that announces a routable lead (new, not a platform test). */
function channelsOfRealCapturedLeads(events: readonly OutboxEvent[]): string[] {
  return events.flatMap((published) => {
    if (published.detailType !== 'lead.captured') return [];
    const detail = leadCapturedDetailSchema.safeParse(published.detail);
    return detail.success && detail.data.status === 'new' && !detail.data.isTest ? [detail.data.channel] : [];
  });
}

export const handler = createHandler(lambdaDependenciesOf({ publisher: providers.publisher, outbox: providers.outbox, metrics: providers.metrics }));

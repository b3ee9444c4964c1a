import { leadCapturedDetailSchema } from '@leadflow/domain';
import type { Dependencies } from './dependencies';
import { operationalMetricNames, type OperationalMetrics } from './ports/operational-metrics';
import type { OutboxEvent } from './ports/outbox';

/** How often events the bus refused are offered again within one relay call, and the first pause. */
const attempts = 3;
const firstRetryDelayMs = 50;

/**
 * Publishes outbox events and forgets exactly those the bus accepted. Refused entries (PutEvents fails
 * entry by entry) are offered again a few times; what is still refused stays in the outbox and is
 * returned, so the caller fails and the stream (or the next sweep) brings it back. Nothing is lost;
 * an event may be published twice, which consumers absorb by `eventId`.
 */
export async function relayOutboxEvents(deps: Pick<Dependencies, 'publisher' | 'outbox'>, events: readonly OutboxEvent[]): Promise<{ published: OutboxEvent[]; refused: Array<{ eventId: string; error: string }> }> {
  let pending = events;
  let refused: Array<{ eventId: string; error: string }> = [];
  const published: OutboxEvent[] = [];
  for (let attempt = 1; attempt <= attempts && pending.length > 0; attempt += 1) {
    if (attempt > 1) await new Promise((done) => setTimeout(done, firstRetryDelayMs * 2 ** (attempt - 2)));
    const outcome = await deps.publisher.publish(pending);
    await deps.outbox.markPublished(outcome.published);
    const acceptedIds = new Set(outcome.published);
    published.push(...pending.filter((event) => acceptedIds.has(event.eventId)));
    refused = outcome.failed;
    const refusedIds = new Set(refused.map((failure) => failure.eventId));
    pending = pending.filter((event) => refusedIds.has(event.eventId));
  }
  return { published, refused };
}

/**
 * Counts `LeadCaptured`, by channel, for each real captured lead (a `lead.captured` of a new lead, not a
 * platform test) among events published from the outbox. Every channel's leads pass through the outbox,
 * so the relay and the sweep count here and nowhere else does.
 */
export function countCapturedLeads(metrics: OperationalMetrics, published: readonly OutboxEvent[]): void {
  for (const event of published) {
    if (event.detailType !== 'lead.captured') continue;
    const detail = leadCapturedDetailSchema.safeParse(event.detail);
    if (detail.success && detail.data.status === 'new' && !detail.data.isTest) metrics.count(operationalMetricNames.leadCaptured, { channel: detail.data.channel });
  }
}

/** The error a relay run fails with when the bus kept refusing some events. */
export function refusedEventsError(refused: ReadonlyArray<{ eventId: string; error: string }>, total: number): Error {
  return new Error(`The event bus refused ${refused.length} of ${total} outbox events: ${refused.map((failure) => `${failure.eventId}: ${failure.error}`).join('; ')}`);
}

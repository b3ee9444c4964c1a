import type { Context } from 'aws-lambda';
import type { ScheduledInvocation } from '@leadflow/manifest';
import { countCapturedLeads, lambdaDependenciesOf, loggedHandler, logger, refusedEventsError, relayOutboxEvents, TimeBudget, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** Events older than this were missed by the stream relay (it publishes within seconds). */
const relayGraceMilliseconds = 2 * 60 * 1000;
const batchSize = 100;
/**
 * Time a batch needs before it starts: a round of `PutEvents` calls (ten events each, all at once), then one of
 * `BatchWriteItem` deletes; a service that stays silent fails a round only after the SDK's three attempts, about
 * 8 s each (1 s to connect, 2.5 s to answer), and the relay's own retries of refused entries follow answers,
 * which come quickly. A batch cut off is safe (what was not deleted is published again, and consumers absorb
 * repeats by `eventId`); the reserve is there so the run ends with its count before its timeout.
 */
const batchReserveMs = 20_000;

/**
 * The safety net of the outbox: republishes events the relay never confirmed, e.g. after the stream
 * gave up on a batch. Runs as of the schedule's own `time`, so a run can be replayed for any moment.
 * The captured leads it republishes are counted here: what it published has left the outbox, so no
 * later run sees it again. A batch starts only while the invocation's time left holds `batchReserveMs`;
 * what is not read stays in the outbox index, older than the grace, for the next run.
 */
export function createHandler(dependencies: DependencyResolver<'publisher' | 'outbox' | 'metrics'>) {
  return async (event: ScheduledInvocation, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<{ republished: number }> => {
    const deps = dependencies();
    const createdBefore = new Date(Date.parse(event.time) - relayGraceMilliseconds).toISOString();
    const budget = new TimeBudget(() => context.getRemainingTimeInMillis(), batchReserveMs);
    let republished = 0;
    while (budget.hasTime()) {
      const stale = await deps.outbox.listUnpublished(createdBefore, batchSize);
      if (stale.length === 0) break;
      const { published, refused } = await relayOutboxEvents(deps, stale);
      republished += published.length;
      countCapturedLeads(deps.metrics, published);
      // What the bus still refuses stays in the outbox; the run fails so the schedule retries it.
      if (refused.length > 0) throw refusedEventsError(refused, stale.length);
    }
    if (republished > 0) logger.warn('Republished outbox events the relay had missed', { republished });
    // How many are left is not known without reading the next batch, which a run out of time does not do.
    if (budget.outOfTime) logger.warn('Out of time: the outbox events still unpublished (not counted: the next batch was not read) are republished by the next run', { republished });
    return { republished };
  };
}

export const handler = loggedHandler(createHandler(lambdaDependenciesOf({ publisher: providers.publisher, outbox: providers.outbox, metrics: providers.metrics })));

import type { ScheduledInvocation } from '@leadflow/manifest';
import { countCapturedLeads, lambdaDependenciesOf, loggedHandler, logger, refusedEventsError, relayOutboxEvents, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** Events older than this were missed by the stream relay (it publishes within seconds). */
const relayGraceMilliseconds = 2 * 60 * 1000;
const batchSize = 100;

/**
 * The safety net of the outbox: republishes events the relay never confirmed, e.g. after the stream
 * gave up on a batch. Runs as of the schedule's own `time`, so a run can be replayed for any moment.
 * The captured leads it republishes are counted here: what it published has left the outbox, so no
 * later run sees it again.
 */
export function createHandler(dependencies: DependencyResolver<'publisher' | 'outbox' | 'metrics'>) {
  return async (event: ScheduledInvocation): Promise<{ republished: number }> => {
    const deps = dependencies();
    const createdBefore = new Date(Date.parse(event.time) - relayGraceMilliseconds).toISOString();
    let republished = 0;
    for (;;) {
      const stale = await deps.outbox.listUnpublished(createdBefore, batchSize);
      if (stale.length === 0) break;
      const { published, refused } = await relayOutboxEvents(deps, stale);
      republished += published.length;
      countCapturedLeads(deps.metrics, published);
      // What the bus still refuses stays in the outbox; the run fails so the schedule retries it.
      if (refused.length > 0) throw refusedEventsError(refused, stale.length);
    }
    if (republished > 0) logger.warn('Republished outbox events the relay had missed', { republished });
    return { republished };
  };
}

export const handler = loggedHandler(createHandler(lambdaDependenciesOf({ publisher: providers.publisher, outbox: providers.outbox, metrics: providers.metrics })));

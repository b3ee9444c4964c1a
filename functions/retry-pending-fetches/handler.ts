import type { ScheduledInvocation } from '@leadflow/manifest';
import { fetchAndIngestLead, lambdaDependenciesOf, loggedHandler, logger, type DependencyResolver, type PlatformIntakeDependencies } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** Records read per run, and at once: a run stays well inside its minute even when every platform times out. */
const batchSize = 25;
const concurrency = 5;

/**
 * Reads back the platform leads whose delivery is still pending and due as of the schedule's `time`
 * (backoff 1, 2, 4 … 60 minutes). A record that fails again gets its next time; none is ever dropped.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'measuredPriors' | 'intakes' | 'platformLeads' | 'secrets' | 'metrics' | 'newId'>) {
  return async (event: ScheduledInvocation): Promise<{ due: number; fetched: number; skipped: number; stillPending: number; unrecorded: number }> => {
    const deps: PlatformIntakeDependencies = dependencies();
    const now = new Date(event.time);
    const listed = await deps.intakes.listDue(now.toISOString(), batchSize);
    // The index lags the table by a moment: a record resolved, erased or retried just now is not read again.
    const current = await Promise.all(listed.map((record) => deps.intakes.getRecord(record.platform, record.platformLeadId)));
    const due = current.filter((record): record is NonNullable<typeof record> => record?.status === 'pending_fetch' && (record.nextAttemptAt ?? '') <= now.toISOString());
    const counts = { due: due.length, fetched: 0, skipped: 0, stillPending: 0, unrecorded: 0 };
    for (let start = 0; start < due.length; start += concurrency) {
      await Promise.all(
        due.slice(start, start + concurrency).map(async (record) => {
          try {
            const after = await fetchAndIngestLead(deps, record, now);
            if (after.status === 'fetched') counts.fetched += 1;
            else if (after.status === 'pending_fetch') counts.stillPending += 1;
            else counts.skipped += 1;
          } catch (error) {
            // The record keeps its due time, so the next run tries it again.
            counts.unrecorded += 1;
            logger.error('Could not record the outcome of a pending platform lead', { platform: record.platform, platformLeadId: record.platformLeadId, error: error as Error });
          }
        }),
      );
    }
    return counts;
  };
}

export const handler = loggedHandler(createHandler(lambdaDependenciesOf(providers.platformLeadIntake)));

import type { Context } from 'aws-lambda';
import type { ScheduledInvocation } from '@leadflow/manifest';
import { fetchAndIngestLead, lambdaDependenciesOf, loggedHandler, logger, TimeBudget, type DependencyResolver, type DueIntakeRecord, type PendingFetchPosition, type PlatformIntakeDependencies } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** Records read from the due-time index at a time; a run reads pages until none is due after the last one read, while its time lasts. */
const batchSize = 25;
/** Records read back at once. */
const concurrency = 5;
/**
 * Time a group of `concurrency` records needs before it starts: each a consistent read, a platform read (cut off
 * at 5 s) and the writes that store the lead or the failure, one DynamoDB call the database leaves silent failing
 * only after the SDK's three attempts (about 8 s). A record cut off mid-way keeps its due time and is read again;
 * the reserve is there so the run ends with its summary before its timeout.
 */
const groupReserveMs = 20_000;

export interface PendingFetchRunSummary {
  /** Records read back from the table still pending and due. */
  due: number;
  fetched: number;
  skipped: number;
  stillPending: number;
  /** Records whose outcome could not be recorded: they keep their due time, so the next run tries them again. */
  unrecorded: number;
  /** Records the index listed but that could not be read back (a throttled read, or an item that no longer reads as a record); they stay due (absent when none). */
  unread?: number;
  /** Due records listed but not started because the run's time ran low; they stay due for the next run (absent when none). */
  left?: number;
}

/**
 * Reads back the platform leads whose delivery is still pending and due as of the schedule's `time`
 * (backoff 1, 2, 4 … 60 minutes). A record that fails again gets its next time; none is ever dropped.
 * A record that cannot be read, or whose outcome cannot be recorded, is logged and keeps its due time; each
 * page starts after the last record listed, so such records hold back none after them. A group of records
 * starts only while the invocation's time left holds `groupReserveMs`; the run then reads no further page.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'ingestion' | 'erasures' | 'measuredPriors' | 'intakes' | 'platformLeads' | 'secrets' | 'metrics' | 'newId'>) {
  return async (event: ScheduledInvocation, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<PendingFetchRunSummary> => {
    const deps: PlatformIntakeDependencies = dependencies();
    const now = new Date(event.time);
    const counts = { due: 0, fetched: 0, skipped: 0, stillPending: 0, unrecorded: 0, unread: 0, left: 0 };
    const budget = new TimeBudget(() => context.getRemainingTimeInMillis(), groupReserveMs);
    let after: PendingFetchPosition | undefined;
    do {
      const page = await deps.intakes.listDue(now.toISOString(), { limit: batchSize, after });
      for (let start = 0; start < page.due.length; start += concurrency) {
        if (!budget.hasTime()) {
          counts.left += page.due.length - start;
          break;
        }
        await Promise.all(page.due.slice(start, start + concurrency).map((listed) => retryRecord(deps, listed, now, counts)));
      }
      after = page.next;
    } while (after && budget.hasTime());
    if (budget.outOfTime) logger.warn('Out of time: the pending platform leads still due are read by the next run', { time: event.time, left: counts.left, morePagesUnread: after !== undefined });
    const { unread, left, ...summary } = counts;
    return { ...summary, ...(unread > 0 ? { unread } : {}), ...(left > 0 ? { left } : {}) };
  };
}

async function retryRecord(deps: PlatformIntakeDependencies, listed: DueIntakeRecord, now: Date, counts: Required<PendingFetchRunSummary>): Promise<void> {
  const key = { platform: listed.platform, platformLeadId: listed.platformLeadId };
  let record;
  try {
    record = await deps.intakes.getRecord(listed.platform, listed.platformLeadId);
  } catch (error) {
    // One record the table cannot give back (throttled, or no longer readable as a record) must not stop the others.
    counts.unread += 1;
    logger.error('Could not read a pending platform lead listed as due; it stays due', { ...key, error: error as Error });
    return;
  }
  // The index lags the table by a moment: a record resolved, erased or retried just now is not read again.
  if (record?.status !== 'pending_fetch' || (record.nextAttemptAt ?? '') > now.toISOString()) return;
  counts.due += 1;
  try {
    const after = await fetchAndIngestLead(deps, record, now);
    if (after.status === 'fetched') counts.fetched += 1;
    else if (after.status === 'pending_fetch') counts.stillPending += 1;
    else counts.skipped += 1;
  } catch (error) {
    // The record keeps its due time, so the next run tries it again.
    counts.unrecorded += 1;
    logger.error('Could not record the outcome of a pending platform lead', { ...key, error: error as Error });
  }
}

export const handler = loggedHandler(createHandler(lambdaDependenciesOf(providers.platformLeadIntake)));

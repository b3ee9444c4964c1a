import * as z from 'zod/mini';
import { instantSchema, toIssueList } from '@leadflow/domain';
import type { ActivityLog } from './activity-log';
import { demoPage } from './demo-page';
import type { LocalRouteHandler } from './http-host';
import type { LocalScheduler } from './scheduler';

/** The `/_local/` routes: what a developer needs to watch and drive the system. They never deploy. */
export function localRoutes(deps: {
  activity: ActivityLog;
  scheduler: LocalScheduler;
  endpoints: () => Record<string, string>;
  standIns: LocalRouteHandler;
  /** Runs a function once with a payload, as a redrive does. */
  invoke: (target: string, payload: unknown) => Promise<unknown>;
}): LocalRouteHandler {
  const { activity, scheduler } = deps;
  return async (request) => {
    const { method, url, body } = request;
    const path = url.pathname;
    if (method === 'GET' && path === '/demo') return { status: 200, body: demoPage(), headers: { 'content-type': 'text/html; charset=utf-8' } };
    if (!path.startsWith('/_local/')) return undefined;
    const standIn = await deps.standIns(request);
    if (standIn) return standIn;
    if (method === 'GET' && path === '/_local/endpoints') return { status: 200, body: deps.endpoints() };
    if (method === 'GET' && path === '/_local/events') return { status: 200, body: activity.events };
    if (method === 'GET' && path === '/_local/outbox') return { status: 200, body: activity.notifications };
    if (method === 'GET' && path === '/_local/outbox/counts') return { status: 200, body: activity.sentCounts.byLead() };
    if (method === 'GET' && path === '/_local/dead-letters') return { status: 200, body: activity.deadLetters.list() };
    if (method === 'GET' && path === '/_local/schedules') return { status: 200, body: { schedules: scheduler.list(), runs: activity.scheduleRuns } };

    const redrive = /^\/_local\/dead-letters\/([^/]+)\/redrive$/.exec(path);
    if (method === 'POST' && redrive) return redriveDeadLetter(activity, decodeURIComponent(redrive[1]), deps.invoke);

    const run = /^\/_local\/schedules\/([^/]+)\/run$/.exec(path);
    if (method === 'POST' && run) {
      const scheduleName = decodeURIComponent(run[1]);
      if (!scheduler.has(scheduleName)) return { status: 404, body: { error: `No schedule named "${scheduleName}"` } };
      const asOf = readNow(body);
      if ('error' in asOf) return { status: 400, body: asOf };
      return { status: 200, body: await scheduler.runNow(scheduleName, asOf.now) };
    }
    return { status: 404, body: { error: `No local route ${method} ${path}` } };
  };
}

/** The body of a schedule run: nothing, or `{"now"}`, the instant the run takes as its time (a real date, with an offset). */
const scheduleRunBodySchema = z.strictObject({ now: z.optional(instantSchema) });

function readNow(body: Buffer): { now: Date } | { error: string; issues: Array<{ path: string; message: string }> } {
  if (body.length === 0) return { now: new Date() };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    const error = 'body must be JSON such as {"now": "2026-01-31T09:00:00Z"}';
    return { error, issues: [{ path: '(body)', message: error }] };
  }
  const read = scheduleRunBodySchema.safeParse(parsed);
  if (!read.success) return { error: 'body must be {"now": "<ISO 8601 instant>"} such as {"now": "2026-01-31T09:00:00Z"}', issues: toIssueList(read.error, [], '(body)') };
  return { now: read.data.now === undefined ? new Date() : new Date(read.data.now) };
}

/**
 * Runs a dead letter's target once more with its payload, as `npm run dlq -- redrive` does in AWS:
 * gone from the list when the target succeeds (200), kept with the new error when it fails (502). A stream
 * batch answered with `batchItemFailures` (a partial batch response) failed too: the records it names were
 * not done, and those before the earliest of them were, so the dead letter keeps only the records from it on
 * and the next redrive does not run the done ones again.
 */
async function redriveDeadLetter(activity: ActivityLog, id: string, invoke: (target: string, payload: unknown) => Promise<unknown>) {
  const deadLetter = activity.deadLetters.find(id);
  if (!deadLetter) return { status: 404, body: { error: `No dead letter "${id}"` } };
  let leftToDo: unknown;
  try {
    const answer = await invoke(deadLetter.target, deadLetter.payload);
    const unfinished = itemsNotDone(answer);
    if (unfinished.length > 0) {
      leftToDo = recordsFromEarliest(deadLetter.payload, unfinished);
      throw new Error(`records from ${unfinished.join(', ')} were not done (batchItemFailures)`);
    }
  } catch (error) {
    activity.deadLetters.failedAgain(id, (error as Error).message, leftToDo);
    return { status: 502, body: { error: `${deadLetter.target} failed again: ${(error as Error).message}`, deadLetter } };
  }
  activity.deadLetters.remove(id);
  return { status: 200, body: { redriven: deadLetter } };
}

/**
 * A DynamoDB stream event (`{ Records }`) cut down to its records from the earliest one `named` (by
 * `dynamodb.SequenceNumber`) on; undefined, so the payload stays whole, when it is no such event or names none of them.
 */
function recordsFromEarliest(payload: unknown, named: string[]): unknown {
  if (typeof payload !== 'object' || payload === null || !('Records' in payload) || !Array.isArray(payload.Records)) return undefined;
  const records: unknown[] = payload.Records;
  const earliest = records.findIndex((record) => {
    const sequenceNumber = (record as { dynamodb?: { SequenceNumber?: unknown } } | null)?.dynamodb?.SequenceNumber;
    return typeof sequenceNumber === 'string' && named.includes(sequenceNumber);
  });
  return earliest <= 0 ? undefined : { ...payload, Records: records.slice(earliest) };
}

/** The items a partial batch response names (`{ batchItemFailures: [{ itemIdentifier }] }`); none for any other answer. */
function itemsNotDone(answer: unknown): string[] {
  if (typeof answer !== 'object' || answer === null || !('batchItemFailures' in answer) || !Array.isArray(answer.batchItemFailures)) return [];
  return answer.batchItemFailures.map((failure: unknown) => {
    const item = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    return typeof item === 'string' && item !== '' ? item : '(unnamed)';
  });
}

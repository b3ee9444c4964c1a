import { manifestFunctions, tables } from '@leadflow/manifest';
import { createDynamoDbClient, documentClientOf, resetLambdaDependencies } from '@leadflow/platform';
import { localClientSettings, readLocalRuntimeSettings, startLocalRuntime, type LocalRuntime } from '@leadflow/local-runtime';
import { demoConfiguration } from '../support/demo-configuration';
import { seedFollowUpHistory } from '../support/follow-up-history';
import { DynamoDbRequestCounter, type RequestTally } from './dynamodb-request-counter';
import type { Figure } from './figure';

const rootDir = new URL('../..', import.meta.url).pathname;
const history = 500;

/**
 * Items every schedule in the manifest reads in one run through the local runtime, with N and then 10·N
 * leads of history (owned leads due later, leads waiting in their pool, converted leads) and nothing
 * due, counted by a proxy in front of DynamoDB Local. A job that scans reads ten times as much the second
 * time; one that queries a sparse or time index reads the same. Target: ratio ≤ 1.1. The history is of
 * leads only: offers, webhook deliveries, notification sends, pending fetches and outbox items are not
 * seeded, and nothing is due (the follow-up case measures due work for `follow-up-rules`).
 */
export async function scheduledJobReadsBenchmark(): Promise<Figure[]> {
  const settings = readLocalRuntimeSettings({ PORT: '0', LEADS_IN_MEMORY: '1', LEADS_LOG_LEVEL: 'SILENT', LEADS_SCHEDULES: '0' });
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const runtime = await startLocalRuntime(settings, rootDir);
  const raw = createDynamoDbClient(localClientSettings({ dynamodb: runtime.endpoints.dynamodb }));
  const counter = new DynamoDbRequestCounter(runtime.endpoints.dynamodb);
  process.env.LEADS_DYNAMODB_ENDPOINT = await counter.start();
  resetLambdaDependencies();
  try {
    const config = demoConfiguration();
    const schedules = manifestFunctions(config).flatMap((definition) => (definition.trigger.kind === 'schedule' ? [definition.trigger.scheduleName] : []));
    const documents = documentClientOf(raw);
    const now = new Date();
    await seedFollowUpHistory(documents, tables.leads.name, config, { prefix: 'bench-n', history, due: 0, now });
    await runtime.settle();
    // A first run leaves what later runs read (the rollup's latest version): both measured runs come after it.
    await readsPerSchedule(runtime, counter, schedules, now);
    const atN = await readsPerSchedule(runtime, counter, schedules, now);
    await seedFollowUpHistory(documents, tables.leads.name, config, { prefix: 'bench-10n', history: 9 * history, due: 0, now });
    await runtime.settle();
    const at10N = await readsPerSchedule(runtime, counter, schedules, now);
    return schedules.flatMap((schedule): Figure[] => {
      const [small, large] = [atN.get(schedule)!, at10N.get(schedule)!];
      const label = `schedule ${schedule}, nothing due`;
      const ratio = small.itemsRead ? large.itemsRead / small.itemsRead : large.itemsRead === 0 ? 1 : Infinity;
      const requestsByOperation = `requests by operation at ${history} history ${JSON.stringify(small.byOperation)}, at ${10 * history} ${JSON.stringify(large.byOperation)}`;
      return [
        { name: `${label}: items read, ${history} leads of history`, value: small.itemsRead, unit: 'items' },
        {
          name: `${label}: items read, ${10 * history} leads of history`,
          value: large.itemsRead,
          unit: 'items',
          // A zero baseline has no ratio; the figure then says "the same" by its value.
          ...(small.itemsRead ? { baseline: { name: `${history} history`, value: small.itemsRead } } : {}),
          target: 'ratio ≤ 1.1',
          met: ratio <= 1.1,
          ...(ratio > 1.1 ? { note: `reads more with more history: ${requestsByOperation}` } : {}),
        },
        { name: `${label}: DynamoDB requests, ${10 * history} leads of history`, value: large.requests, unit: 'requests', ...(small.requests ? { baseline: { name: `${history} history`, value: small.requests } } : {}) },
      ];
    });
  } finally {
    process.env.LEADS_DYNAMODB_ENDPOINT = runtime.endpoints.dynamodb;
    resetLambdaDependencies();
    raw.destroy();
    await counter.stop();
    await runtime.stop();
  }
}

/** Runs each schedule once as of `now` through the runtime's own route, one after another, and keeps what each read. */
async function readsPerSchedule(runtime: LocalRuntime, counter: DynamoDbRequestCounter, schedules: string[], now: Date): Promise<Map<string, RequestTally>> {
  const tallies = new Map<string, RequestTally>();
  for (const schedule of schedules) {
    counter.reset();
    const response = await fetch(`${runtime.url}/_local/schedules/${schedule}/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ now: now.toISOString() }) });
    const run = (await response.json()) as { outcome?: { status: string; error?: string } };
    if (run.outcome?.status !== 'succeeded') throw new Error(`schedule ${schedule} did not succeed: ${JSON.stringify(run)}`);
    // Only the schedule's own requests count, not those of the events it published.
    tallies.set(schedule, counter.reset());
    await runtime.settle();
  }
  return tallies;
}

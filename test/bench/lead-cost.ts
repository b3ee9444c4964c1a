import { readFileSync } from 'node:fs';
import { currentInvocation } from '@leadflow/local-runtime';
import { functionLimits, manifestFunctions } from '@leadflow/manifest';
import { resetLambdaDependencies } from '@leadflow/platform';
import { demoConfiguration } from '../support/demo-configuration';
import { DynamoDbRequestCounter } from './dynamodb-request-counter';
import type { Figure } from './figure';
import { LeadWatcher, postLead, startBenchmarkRuntime } from './lead-traffic';

/** The one dated price file; its `source` fields name where each price is published. */
const pricesFile = new URL('../../bench/prices-2026-11.json', import.meta.url);
const countedLeads = 20;
/** Functions whose work is telling people about leads: left out, with emails and SMS, of the cost without notifications. */
const notifying = /^notify-/;

type PriceName = 'apiRequest' | 'lambdaRequest' | 'lambdaGbSecond' | 'dynamoDbReadRequestUnit' | 'dynamoDbWriteRequestUnit' | 'event' | 'email' | 'sms';
interface Prices {
  region: string;
  writtenOn: string;
  prices: Record<PriceName, { dollars: number; per: number }>;
}

/**
 * What AWS would bill per lead, counted in a run through the local runtime (form post → assign → notify,
 * one lead at a time, with everything the lead's events trigger): API requests, Lambda invocations and
 * GB-seconds (the manifest's memory times each invocation's measured duration, rounded up to the
 * millisecond as Lambda bills), DynamoDB read and write units, events, emails and SMS, times the prices
 * in `bench/prices-2026-11.json`: dollars per million leads, with and without notifications. Durations
 * are this machine's, not Lambda's; schedules (billed per run, not per lead) are not included.
 */
export async function leadCostBenchmark(): Promise<Figure[]> {
  const { prices } = JSON.parse(readFileSync(pricesFile, 'utf8')) as Prices;
  const memoryMb = new Map(manifestFunctions(demoConfiguration()).map((definition) => [definition.name, functionLimits(definition).memoryMb]));
  const { runtime, dispose } = await startBenchmarkRuntime();
  const watcher = new LeadWatcher(runtime);
  const counter = new DynamoDbRequestCounter(runtime.endpoints.dynamodb);
  const invocations: Array<{ name: string; ms: number }> = [];
  // Every invocation runs inside `currentInvocation.run`; timing that call times the handler alone, not its wait for a slot.
  const run = currentInvocation.run.bind(currentInvocation);
  currentInvocation.run = (name: string, callback: () => unknown) => {
    const started = performance.now();
    const result = run(name, callback);
    void Promise.resolve(result).then(
      () => invocations.push({ name, ms: performance.now() - started }),
      () => invocations.push({ name, ms: performance.now() - started }),
    );
    return result;
  };
  process.env.LEADS_DYNAMODB_ENDPOINT = await counter.start();
  resetLambdaDependencies();
  try {
    for (let index = 0; index < 3; index += 1) await watcher.waitForEmail((await postLead(runtime, 'cost-warm')).leadId);
    await runtime.settle();
    const eventsBefore = new Set(runtime.activity.events);
    const notificationsBefore = new Set(runtime.activity.notifications);
    invocations.length = 0;
    counter.reset();
    for (let index = 0; index < countedLeads; index += 1) await watcher.waitForEmail((await postLead(runtime, 'cost')).leadId);
    await runtime.settle();
    const tally = counter.reset();
    const events = runtime.activity.events.filter((event) => !eventsBefore.has(event)).length;
    const sent = runtime.activity.notifications.filter((notification) => !notificationsBefore.has(notification));
    const emails = sent.filter((notification) => notification.channel === 'email').length;
    const sms = sent.length - emails;
    const gbSeconds = (only: (name: string) => boolean) => invocations.filter(({ name }) => only(name)).reduce((sum, { name, ms }) => sum + (Math.ceil(ms) / 1000) * ((memoryMb.get(name) ?? 0) / 1024), 0);
    const count = (only: (name: string) => boolean) => invocations.filter(({ name }) => only(name)).length;
    const everything = () => true;
    const notNotifying = (name: string) => !notifying.test(name);
    const perLead = {
      apiRequest: 1,
      lambdaRequest: count(everything) / countedLeads,
      lambdaGbSecond: gbSeconds(everything) / countedLeads,
      dynamoDbReadRequestUnit: tally.readUnits / countedLeads,
      dynamoDbWriteRequestUnit: tally.writeUnits / countedLeads,
      event: events / countedLeads,
      email: emails / countedLeads,
      sms: sms / countedLeads,
    } satisfies Record<PriceName, number>;
    // DynamoDB units stay whole: the counter does not split units by function, so the notifiers' reads and writes are still in.
    const withoutNotifications = { ...perLead, lambdaRequest: count(notNotifying) / countedLeads, lambdaGbSecond: gbSeconds(notNotifying) / countedLeads, email: 0, sms: 0 };
    const dollarsPerMillion = (units: Record<PriceName, number>) => (Object.keys(units) as PriceName[]).reduce((sum, price) => sum + units[price] * (prices[price].dollars / prices[price].per) * 1_000_000, 0);
    const withAll = dollarsPerMillion(perLead);
    const byFunction = new Map<string, number>();
    for (const { name } of invocations) byFunction.set(name, (byFunction.get(name) ?? 0) + 1);
    console.log(`Lambda invocations for ${countedLeads} leads: ${[...byFunction].map(([name, times]) => `${name} ${times}`).join(', ')}`);
    const label = `cost per lead (${countedLeads} leads one at a time)`;
    return [
      { name: `${label}: API requests`, value: perLead.apiRequest, unit: 'requests' },
      { name: `${label}: Lambda invocations`, value: perLead.lambdaRequest, unit: 'invocations' },
      { name: `${label}: Lambda GB-seconds (measured durations here)`, value: perLead.lambdaGbSecond, unit: 'GB-s' },
      { name: `${label}: DynamoDB read units`, value: perLead.dynamoDbReadRequestUnit, unit: 'RRU' },
      { name: `${label}: DynamoDB write units`, value: perLead.dynamoDbWriteRequestUnit, unit: 'WRU' },
      { name: `${label}: events published`, value: perLead.event, unit: 'events' },
      { name: `${label}: emails`, value: perLead.email, unit: 'emails' },
      { name: `${label}: SMS`, value: perLead.sms, unit: 'SMS' },
      { name: 'dollars per million leads, with notifications', value: withAll, unit: 'USD' },
      { name: 'dollars per million leads, without notifications', value: dollarsPerMillion(withoutNotifications), unit: 'USD', baseline: { name: 'with notifications', value: withAll } },
    ];
  } finally {
    process.env.LEADS_DYNAMODB_ENDPOINT = runtime.endpoints.dynamodb;
    resetLambdaDependencies();
    Reflect.deleteProperty(currentInvocation, 'run');
    watcher.stop();
    await counter.stop();
    await dispose();
  }
}

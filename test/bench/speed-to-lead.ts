import { tables } from '@leadflow/manifest';
import { resetLambdaDependencies } from '@leadflow/platform';
import type { LocalRuntime } from '@leadflow/local-runtime';
import type { Figure } from './figure';
import { DynamoDbRequestCounter, unattributedRequests, type RequestTally } from './dynamodb-request-counter';
import { LeadWatcher, loadLoop, percentile, postLead, postLeadsConcurrently, sleep, startBenchmarkRuntime, type PostedLead } from './lead-traffic';
import { RawCaptureWork } from './raw-capture-work';

const singleLeads = 200;
/**
 * Leads sent through the whole path before anything is measured, so that DynamoDB Local's JIT and this
 * process's are warm: after 10, the next 200 leads one at a time ran at p50 75 ms / p99 194 ms, and the
 * 200 after those at 43 / 105 ms.
 */
const warmUpLeads = 50;
const burstConcurrency = 16;
const burstSeconds = 10;
/**
 * Bursts run back to back; the last is held to the targets, the first is reported too. The first ones
 * find DynamoDB Local's JIT (and this process's) cold for concurrent work: in six bursts in a row after
 * 50 leads one at a time, the accepted rate went 11, 19, 27, 28, 24, 26 leads/s and post → email p99
 * 3.1, 2.1, 1.7, 1.6, 1.7, 1.7 s.
 */
const bursts = 3;
const catchUpSeconds = 2;
const captureSeconds = 5;
const c16Rounds = 2;
const sequentialCaptures = 100;
/** Posts sent one at a time while routing catches up on the leads captured with it held. */
const catchUpPosts = 50;
const countedSingleLeads = 20;
const countedBurstLeads = 160;
/** How long a stream may keep finding records while routing and the bookkeeping behind it catch up on a backlog. */
const catchUpTimeoutMs = 120_000;

/**
 * Speed to lead through the local runtime on DynamoDB Local (capture → stream → bus → assignment →
 * stream → bus → notifier), each case beside a baseline taken in the same run: one lead at a time, a
 * burst, capture against the same database work issued directly, and DynamoDB requests per lead.
 * Every created lead must be assigned once and emailed once; the figures report it. Figures, not assertions.
 */
export async function speedToLeadBenchmark(): Promise<Figure[]> {
  const { runtime, dispose } = await startBenchmarkRuntime();
  const watcher = new LeadWatcher(runtime);
  // Every post is a new person (`postLead`), so each answer names a lead it created.
  const created: string[] = [];
  const record = (leads: PostedLead[]) => {
    for (const lead of leads) created.push(lead.leadId);
    return leads;
  };
  const post: Post = {
    one: async (label) => record([await postLead(runtime, label)])[0],
    many: async (label, load) => record(await postLeadsConcurrently(runtime, label, load)),
  };
  try {
    for (let index = 0; index < warmUpLeads; index += 1) await watcher.waitForEmail((await post.one('warm')).leadId);
    const figures: Figure[] = [
      ...(await oneAtATime(runtime, watcher, post)),
      ...(await idleCost(runtime)),
      ...(await burst(runtime, watcher, post)),
      ...(await captureAgainstRawWork(runtime, watcher, post)),
      ...(await requestsPerLead(runtime, watcher, post)),
    ];
    await runtime.settle(catchUpTimeoutMs);
    const violations = watcher.onceOnlyViolations(created);
    figures.push({
      name: 'leads not assigned exactly once or not emailed exactly once',
      value: violations.length,
      unit: `of ${created.length}`,
      target: '= 0',
      met: violations.length === 0,
    });
    if (violations.length)
      console.error(
        `once-only violations (first 5): ${violations
          .slice(0, 5)
          .map((leadId) => `${leadId} assigned ${watcher.assignments.get(leadId) ?? 0}×, emailed ${watcher.emails.get(leadId) ?? 0}×`)
          .join('; ')}`,
      );
    return figures;
  } finally {
    watcher.stop();
    await dispose();
  }
}

/** Posts new people: one and waits for its 202, or many at once through autocannon (`postLeadsConcurrently`). */
interface Post {
  one: (label: string) => Promise<PostedLead>;
  many: (label: string, load: Parameters<typeof postLeadsConcurrently>[2]) => Promise<PostedLead[]>;
}

/** The latency one fresh lead sees on a quiet system. */
async function oneAtATime(runtime: LocalRuntime, watcher: LeadWatcher, post: Post): Promise<Figure[]> {
  const toEmail: number[] = [];
  const toAccepted: number[] = [];
  for (let index = 0; index < singleLeads; index += 1) {
    const lead = await post.one('single');
    toAccepted.push(lead.acceptedAt - lead.sentAt);
    toEmail.push((await watcher.waitForEmail(lead.leadId)) - lead.sentAt);
  }
  await runtime.settle(catchUpTimeoutMs);
  const accepted50 = percentile(toAccepted, 0.5);
  return [
    {
      name: `one at a time (${singleLeads} leads): post → rep emailed, p50`,
      value: percentile(toEmail, 0.5),
      unit: 'ms',
      baseline: { name: 'post → 202 p50', value: accepted50 },
      target: '≤ 100 ms',
      met: percentile(toEmail, 0.5) <= 100,
    },
    {
      name: 'one at a time: post → rep emailed, p99',
      value: percentile(toEmail, 0.99),
      unit: 'ms',
      baseline: { name: 'post → 202 p99', value: percentile(toAccepted, 0.99) },
      target: '≤ 250 ms',
      met: percentile(toEmail, 0.99) <= 250,
    },
  ];
}

/** CPU the runtime's process burns with nothing to do (stream polls, timers), per second of idle. */
async function idleCost(runtime: LocalRuntime): Promise<Figure[]> {
  await runtime.settle(catchUpTimeoutMs);
  await sleep(500);
  const before = process.cpuUsage();
  const seconds = 3;
  await sleep(seconds * 1000);
  const used = process.cpuUsage(before);
  return [{ name: 'idle: CPU of the runtime process', value: (used.user + used.system) / 1000 / seconds, unit: 'ms CPU/s' }];
}

/** 16 posts in flight for 10 s, then quiet: do emails keep pace with capture? */
async function burst(runtime: LocalRuntime, watcher: LeadWatcher, post: Post): Promise<Figure[]> {
  const rounds: BurstRound[] = [];
  for (let round = 0; round < bursts; round += 1) rounds.push(await burstRound(runtime, watcher, post));
  const first = rounds[0];
  const measured = rounds[rounds.length - 1];
  const label = `burst (${burstConcurrency} in flight, ${burstSeconds} s, after ${bursts - 1} warm-up bursts)`;
  return [
    { name: `${label}: leads accepted`, value: measured.leads.length, unit: 'leads' },
    { name: `burst: accepted/s over burst + ${catchUpSeconds} s`, value: measured.acceptedPerSecond, unit: 'leads/s' },
    {
      name: `burst: notified/s over burst + ${catchUpSeconds} s`,
      value: measured.notifiedPerSecond,
      unit: 'leads/s',
      baseline: { name: 'accepted/s', value: measured.acceptedPerSecond },
      target: 'ratio ≥ 0.9',
      met: measured.notifiedPerSecond >= 0.9 * measured.acceptedPerSecond,
    },
    { name: 'burst: post → 202, p50', value: percentile(measured.toAccepted, 0.5), unit: 'ms' },
    { name: 'burst: post → 202, p99', value: percentile(measured.toAccepted, 0.99), unit: 'ms' },
    { name: 'burst: post → rep emailed, p50', value: percentile(measured.toEmail, 0.5), unit: 'ms', baseline: { name: 'post → 202 p50', value: percentile(measured.toAccepted, 0.5) } },
    { name: 'burst: post → rep emailed, p99', value: percentile(measured.toEmail, 0.99), unit: 'ms', target: '≤ 2000 ms', met: percentile(measured.toEmail, 0.99) <= 2000 },
    { name: 'first burst (cold): accepted/s', value: first.acceptedPerSecond, unit: 'leads/s', baseline: { name: 'notified/s', value: first.notifiedPerSecond } },
    { name: 'first burst (cold): post → rep emailed, p99', value: percentile(first.toEmail, 0.99), unit: 'ms', baseline: { name: 'post → 202 p99', value: percentile(first.toAccepted, 0.99) } },
  ];
}

interface BurstRound {
  leads: PostedLead[];
  acceptedPerSecond: number;
  notifiedPerSecond: number;
  toAccepted: number[];
  toEmail: number[];
}

/** One burst, then the catch-up window, then quiet until every lead of it is emailed. */
async function burstRound(runtime: LocalRuntime, watcher: LeadWatcher, post: Post): Promise<BurstRound> {
  const started = Date.now();
  const leads = await post.many('burst', { connections: burstConcurrency, seconds: burstSeconds });
  const windowEnd = started + (burstSeconds + catchUpSeconds) * 1000;
  await sleep(Math.max(0, windowEnd - Date.now()));
  watcher.scan();
  const windowSeconds = (windowEnd - started) / 1000;
  const notifiedInWindow = leads.filter((lead) => (watcher.notifiedAt.get(lead.leadId) ?? Infinity) <= windowEnd).length;
  for (const lead of leads) await watcher.waitForEmail(lead.leadId, 120_000);
  await runtime.settle(catchUpTimeoutMs);
  return {
    leads,
    acceptedPerSecond: leads.length / windowSeconds,
    notifiedPerSecond: notifiedInWindow / windowSeconds,
    toAccepted: leads.map((lead) => lead.acceptedAt - lead.sentAt),
    toEmail: leads.map((lead) => watcher.notifiedAt.get(lead.leadId)! - lead.sentAt),
  };
}

/**
 * Capture through HTTP and the handler against the same DynamoDB calls issued directly, at c1 and c16.
 * Routing is held back meanwhile (the table streams paused, as if the relay's event source mapping were
 * disabled): in AWS it runs on other machines, here it would take the same two cores from capture and
 * from the raw work alike. Then it catches up, and these leads too must be assigned and emailed once.
 */
async function captureAgainstRawWork(runtime: LocalRuntime, watcher: LeadWatcher, post: Post): Promise<Figure[]> {
  // A lead captured now, after the burst has settled: its events are still in the runtime's bounded activity log.
  const template = await post.one('template');
  await watcher.waitForEmail(template.leadId);
  await runtime.settle(catchUpTimeoutMs);
  const raw = await RawCaptureWork.from(runtime, tables.leads.name, template.leadId);
  await runtime.pauseStreams();
  try {
    // Taken in turn, a post then the raw work, so that whatever DynamoDB Local is doing meanwhile (its
    // collector and compiler after the burst and the template's scan) weighs on both alike: measured one
    // after the other, the posts' p50 was 12-16 ms in some runs and 32-42 ms in others, at the same commit.
    const captureLatency: number[] = [];
    const rawLatency: number[] = [];
    const captured: PostedLead[] = [];
    for (let index = 0; index < sequentialCaptures; index += 1) {
      const lead = await post.one('c1');
      captured.push(lead);
      captureLatency.push(lead.acceptedAt - lead.sentAt);
      const sent = Date.now();
      await raw.captureOnce();
      rawLatency.push(Date.now() - sent);
    }

    // Rounds taken in turn, so that warming up (the JIT of DynamoDB Local and of this process) and any
    // drift favour neither side: a single round each moved either rate by up to 30 % with its order.
    let capturedAtC16 = 0;
    let rawAtC16 = 0;
    for (let round = 0; round < c16Rounds; round += 1) {
      const burst = await post.many('c16', { connections: burstConcurrency, seconds: captureSeconds });
      captured.push(...burst);
      capturedAtC16 += burst.length;
      const end = Date.now() + captureSeconds * 1000;
      rawAtC16 += (
        await loadLoop(
          burstConcurrency,
          () => Date.now() >= end,
          () => raw.captureOnce(),
        )
      ).length;
    }
    runtime.resumeStreams();
    // Routing now has every lead of the rounds above to catch up on: new posts, one at a time, meanwhile.
    const duringCatchUp: number[] = [];
    for (let index = 0; index < catchUpPosts; index += 1) {
      const lead = await post.one('during-catch-up');
      captured.push(lead);
      duringCatchUp.push(lead.acceptedAt - lead.sentAt);
    }
    watcher.scan();
    const backlogLeft = captured.filter((lead) => !watcher.notifiedAt.has(lead.leadId)).length;
    for (const lead of captured) await watcher.waitForEmail(lead.leadId, 120_000);
    await runtime.settle(catchUpTimeoutMs);
    const captureRate = capturedAtC16 / (c16Rounds * captureSeconds);
    const rawRate = rawAtC16 / (c16Rounds * captureSeconds);
    return [
      {
        name: `capture c1 (${sequentialCaptures} posts, routing held): post → 202, p50`,
        value: percentile(captureLatency, 0.5),
        unit: 'ms',
        baseline: { name: 'raw database work p50', value: percentile(rawLatency, 0.5) },
      },
      {
        name: `capture c${burstConcurrency} (${c16Rounds} × ${captureSeconds} s, routing held): accepted/s`,
        value: captureRate,
        unit: 'leads/s',
        baseline: { name: 'raw database work/s', value: rawRate },
        target: 'ratio ≥ 0.6',
        met: captureRate >= 0.6 * rawRate,
      },
      {
        name: `capture while routing catches up on ${capturedAtC16 + sequentialCaptures} leads (${catchUpPosts} posts one at a time; ${backlogLeft} leads not yet emailed after them): post → 202, p50`,
        value: percentile(duringCatchUp, 0.5),
        unit: 'ms',
        baseline: { name: 'capture c1 with routing held, p50', value: percentile(captureLatency, 0.5) },
        target: 'ratio ≤ 2',
        met: percentile(duringCatchUp, 0.5) <= 2 * percentile(captureLatency, 0.5),
      },
      {
        name: 'capture while routing catches up: post → 202, p99',
        value: percentile(duringCatchUp, 0.99),
        unit: 'ms',
        baseline: { name: 'capture c1 with routing held, p99', value: percentile(captureLatency, 0.99) },
      },
    ];
  } finally {
    runtime.resumeStreams();
    raw.destroy();
  }
}

/**
 * DynamoDB requests and capacity units one lead causes from post to email, counted by a proxy that the
 * handlers are pointed at for this case only: one lead at a time, and amortised over a burst.
 */
async function requestsPerLead(runtime: LocalRuntime, watcher: LeadWatcher, post: Post): Promise<Figure[]> {
  const counter = new DynamoDbRequestCounter(runtime.endpoints.dynamodb);
  const counterEndpoint = await counter.start();
  process.env.LEADS_DYNAMODB_ENDPOINT = counterEndpoint;
  resetLambdaDependencies();
  try {
    await runtime.settle(catchUpTimeoutMs);
    counter.reset();
    for (let index = 0; index < countedSingleLeads; index += 1) {
      const lead = await post.one('counted');
      await watcher.waitForEmail(lead.leadId);
      await runtime.settle(catchUpTimeoutMs);
    }
    const single = counter.reset();
    const leads = await post.many('counted-burst', { connections: burstConcurrency, amount: countedBurstLeads });
    for (const lead of leads) await watcher.waitForEmail(lead.leadId, 60_000);
    await runtime.settle(catchUpTimeoutMs);
    const amortised = counter.reset();
    console.log(`DynamoDB requests, one lead at a time (${countedSingleLeads} leads): ${breakdown(single, countedSingleLeads)}`);
    console.log(`DynamoDB requests, ${countedBurstLeads} leads ${burstConcurrency} at a time: ${breakdown(amortised, countedBurstLeads)}`);
    console.log(`DynamoDB refusals, one at a time: ${JSON.stringify(single.errors)}; ${burstConcurrency} at a time: ${JSON.stringify(amortised.errors)}`);
    return [...requestFigures(single, countedSingleLeads, 'one at a time'), ...requestFigures(amortised, countedBurstLeads, `${countedBurstLeads} leads ${burstConcurrency} at a time`)];
  } finally {
    process.env.LEADS_DYNAMODB_ENDPOINT = runtime.endpoints.dynamodb;
    resetLambdaDependencies();
    await counter.stop();
  }
}

/** The functions a lead passes through from post to email; the issue's request target is theirs. */
const pathFunctions = ['capture-form-submission', 'relay-outbox', 'assign-lead', 'notify-rep'];

/** Requests per lead on the path (the target), by every handler (other consumers of the same events too), and units. */
function requestFigures(tally: RequestTally, leads: number, label: string): Figure[] {
  const onPath = pathFunctions.reduce((sum, name) => sum + (tally.byFunction[name]?.requests ?? 0), 0) / leads;
  const unattributed = (tally.byFunction[unattributedRequests]?.requests ?? 0) / leads;
  const note = unattributed
    ? `${round(unattributed)} requests per lead (${label}) reached the counter without a function's name (the client's socket had no label when the request arrived) and are left out of the path figure, which is low by the path's share of them.`
    : undefined;
  return [
    { name: `DynamoDB requests per lead, ${label}, capture → relay → assign → notify`, value: onPath, unit: 'requests', target: '≤ 5', met: onPath <= 5, ...(note ? { note } : {}) },
    { name: `DynamoDB requests per lead, ${label}, every handler (ROI and follow-up tracking too)`, value: tally.requests / leads, unit: 'requests' },
    { name: `DynamoDB read / write units per lead, ${label}, every handler`, value: tally.readUnits / leads, unit: `RCU / ${round(tally.writeUnits / leads)} WCU` },
  ];
}

/** Requests per lead by function, and by operation within each, for the log. */
function breakdown(tally: RequestTally, leads: number): string {
  return Object.entries(tally.byFunction)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([name, counted]) =>
        `\n  ${name} ${round(counted.requests / leads)}: ${Object.entries(counted.byOperation)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([operation, count]) => `${operation} ${round(count / leads)}`)
          .join(', ')}`,
    )
    .join('');
}

const round = (value: number) => Math.round(value * 100) / 100;

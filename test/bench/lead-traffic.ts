import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { readLocalRuntimeSettings, startLocalRuntime, type LocalRuntime } from '@leadflow/local-runtime';

const rootDir = new URL('../..', import.meta.url).pathname;

/**
 * The local runtime on the benchmarks' copy of the demo configuration, in memory, schedules off. Every
 * post comes from one address here, so the copy lifts the per-IP limit. It also routes every lead round
 * robin with reps always at work: the path measured is capture → assign → notify whatever the day, not
 * the weekend's "nobody available, tell the managers".
 */
export async function startBenchmarkRuntime(): Promise<{ runtime: LocalRuntime; dispose: () => Promise<void> }> {
  const configDir = mkdtempSync(join(tmpdir(), 'leadflow-bench-'));
  const config = JSON.parse(readFileSync(join(rootDir, 'config/leads.config.json'), 'utf8')) as {
    forms: Array<Record<string, unknown>>;
    reps: Array<Record<string, unknown>>;
    routing: unknown;
  };
  for (const form of config.forms) form.rateLimitPerMinute = 10_000;
  for (const rep of config.reps) {
    delete rep.workingHours;
    rep.capacity = 100_000;
  }
  config.routing = { routes: [{ id: 'default', name: 'Every lead: round robin in its own pool', strategy: 'round_robin' }] };
  writeFileSync(join(configDir, 'leads.config.json'), JSON.stringify(config));
  const settings = readLocalRuntimeSettings({ PORT: '0', LEADS_IN_MEMORY: '1', LEADS_LOG_LEVEL: 'SILENT', LEADS_SCHEDULES: '0', LEADS_CONFIG_FILE: join(configDir, 'leads.config.json') });
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const runtime = await startLocalRuntime(settings, rootDir);
  return {
    runtime,
    dispose: async () => {
      await runtime.stop();
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

export interface PostedLead {
  leadId: string;
  sentAt: number;
  acceptedAt: number;
}

let leadNumber = 0;

/** A new person for the demo form: the email is unique to this process and count, so the post creates a lead. */
function newPersonBody(label: string): string {
  const index = (leadNumber += 1);
  return JSON.stringify({ name: `${label} Lead ${index}`, email: `${label}-${index}-${process.pid}@example.com` });
}

function demoFormUrl(runtime: LocalRuntime): string {
  return `${runtime.url}/forms/demo/submissions`;
}

/** Posts one new person to the demo form and waits for its 202. */
export async function postLead(runtime: LocalRuntime, label: string): Promise<PostedLead> {
  const sentAt = Date.now();
  const response = await fetch(demoFormUrl(runtime), { method: 'POST', headers: { 'content-type': 'application/json' }, body: newPersonBody(label) });
  const text = await response.text();
  if (response.status !== 202) throw new Error(`POST answered ${response.status}: ${text}`);
  return acceptedLead(text, sentAt);
}

function acceptedLead(body: string, sentAt: number): PostedLead {
  const { leadId } = JSON.parse(body) as { leadId: string };
  return { leadId, sentAt, acceptedAt: Date.now() };
}

/** What autocannon keeps per connection between building a request and reading its answer. */
interface PostContext {
  sentAt?: number;
}

/**
 * Posts new people to the demo form over `connections` connections at once, each posting again as soon
 * as it is answered, for `seconds` or until `amount` posts are answered. The load comes from autocannon
 * (one keep-alive connection per poster, a lean HTTP client, so the load generator takes less of the
 * two cores than fetch would). Returns every 202 with when it was sent and answered; any other answer or
 * a connection error fails the case. Posts still unanswered when the time is up are not counted.
 */
export async function postLeadsConcurrently(runtime: LocalRuntime, label: string, load: { connections: number } & ({ seconds: number } | { amount: number })): Promise<PostedLead[]> {
  const accepted: PostedLead[] = [];
  const refusals: string[] = [];
  const result = await autocannon({
    url: demoFormUrl(runtime),
    connections: load.connections,
    ...('amount' in load ? { amount: load.amount } : { duration: load.seconds }),
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request, context: PostContext) => {
          context.sentAt = Date.now();
          return { ...request, body: newPersonBody(label) };
        },
        onResponse: (status, body, context: PostContext) => {
          if (status === 202) accepted.push(acceptedLead(body, context.sentAt!));
          else refusals.push(`${status}: ${body}`);
        },
      },
    ],
  });
  if (refusals.length || result.errors) throw new Error(`posting ${label} leads: ${refusals.length} posts not answered 202 (first: ${refusals[0] ?? 'none'}), ${result.errors} connection errors`);
  return accepted;
}

/** Runs `work` on `concurrency` loops until `until` says stop; the raw database work's load loop. */
export async function loadLoop<T>(concurrency: number, until: () => boolean, work: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!until()) results.push(await work());
    }),
  );
  return results;
}

/**
 * Follows the runtime's activity log as it grows (it keeps only the newest records): when each lead's
 * email went out and how many `lead.assigned` events and emails each lead got, for the once-only check.
 */
export class LeadWatcher {
  readonly notifiedAt = new Map<string, number>();
  readonly emails = new Map<string, number>();
  readonly assignments = new Map<string, number>();
  private readonly seen = new WeakSet<object>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly runtime: LocalRuntime) {
    this.timer = setInterval(() => this.scan(), 10);
  }

  scan(): void {
    const { notifications, events } = this.runtime.activity;
    for (let index = notifications.length - 1; index >= 0 && !this.seen.has(notifications[index]); index -= 1) {
      const message = notifications[index];
      this.seen.add(message);
      if (!message.leadId || message.channel !== 'email') continue;
      this.emails.set(message.leadId, (this.emails.get(message.leadId) ?? 0) + 1);
      if (!this.notifiedAt.has(message.leadId)) this.notifiedAt.set(message.leadId, Date.parse(message.time));
    }
    for (let index = events.length - 1; index >= 0 && !this.seen.has(events[index]); index -= 1) {
      const event = events[index];
      this.seen.add(event);
      if (event.detailType !== 'lead.assigned') continue;
      const { leadId } = event.detail as { leadId: string };
      this.assignments.set(leadId, (this.assignments.get(leadId) ?? 0) + 1);
    }
  }

  async waitForEmail(leadId: string, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.scan();
      const at = this.notifiedAt.get(leadId);
      if (at !== undefined) return at;
      if (Date.now() > deadline) throw new Error(`Lead ${leadId} was not notified within ${timeoutMs} ms`);
      await sleep(1);
    }
  }

  /** Leads (created ones, not touches) that were not assigned exactly once or not emailed exactly once. */
  onceOnlyViolations(leadIds: readonly string[]): string[] {
    this.scan();
    return leadIds.filter((leadId) => this.assignments.get(leadId) !== 1 || this.emails.get(leadId) !== 1);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

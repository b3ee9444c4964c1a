import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LeadSends } from '@leadflow/local-runtime';
import { tokenFor } from './local-runtime';

const rootDir = new URL('../..', import.meta.url).pathname;

/**
 * The demo configuration for load from one address: the per-IP limit lifted, every lead routed round
 * robin to reps always at work and without quiet hours, so every acknowledged lead must end with an owner
 * and an email whatever the day and hour. Returns the file's path (for `LEADS_CONFIG_FILE`).
 */
export function writeLoadConfiguration(dir: string): string {
  const config = JSON.parse(readFileSync(join(rootDir, 'config/leads.config.json'), 'utf8')) as {
    forms: Array<Record<string, unknown>>;
    reps: Array<Record<string, unknown>>;
    routing: unknown;
    notifications?: { repPreferences?: Record<string, Record<string, unknown>> };
  };
  for (const form of config.forms) form.rateLimitPerMinute = 10_000; // the schema's highest
  for (const rep of config.reps) {
    delete rep.workingHours;
    rep.capacity = 1_000_000;
  }
  // A rep's quiet hours hold their email until morning ("wait"), so a lead routed to them at night would wait for hours.
  for (const preferences of Object.values(config.notifications?.repPreferences ?? {})) delete preferences.quietHours;
  config.routing = { routes: [{ id: 'default', name: 'Every lead: round robin', strategy: 'round_robin' }] };
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'leads.config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

export interface PostOutcome {
  status: number;
  leadId?: string;
  retryAfter?: string;
  /** A request that got no answer at all (connection refused or reset). */
  failed?: string;
}

/** Posts one new person (unique by `label` and `index`) to the demo form. */
export async function postNewPerson(url: string, label: string, index: number): Promise<PostOutcome> {
  try {
    const response = await fetch(`${url}/forms/demo/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `${label} Person ${index}`, email: `${label}-${index}@example.com` }),
    });
    const body = (await response.json()) as { leadId?: string };
    return { status: response.status, leadId: body.leadId, retryAfter: response.headers.get('retry-after') ?? undefined };
  } catch (error) {
    return { status: 0, failed: (error as Error).message };
  }
}

export interface StoredPerson {
  leadId: string;
  /** Every status the person's posts got, the last one 202. */
  statuses: number[];
}

/**
 * Posts one new person the way a well-behaved client does: after a 503 it waits the `Retry-After` it was
 * given and sends the same post again, up to `maxPosts` times. A post that was answered 503 but written
 * anyway comes back as `202` with the same lead.
 */
export async function postPersonUntilStored(url: string, label: string, index: number, maxPosts = 5): Promise<StoredPerson> {
  const statuses: number[] = [];
  for (;;) {
    const outcome = await postNewPerson(url, label, index);
    statuses.push(outcome.status);
    if (outcome.status === 202) return { leadId: outcome.leadId!, statuses };
    if (outcome.status !== 503 || statuses.length >= maxPosts) throw new Error(`${label} person ${index}: answers ${statuses.join(', ')}${outcome.failed ? ` (${outcome.failed})` : ''}`);
    await new Promise((done) => setTimeout(done, Number(outcome.retryAfter) * 1000));
  }
}

/** Runs `work(index)` (index from 1) on `concurrency` loops until `stop(started)` says so; every outcome is kept. */
export async function postUntil<T>(concurrency: number, stop: (started: number) => boolean, work: (index: number) => Promise<T>): Promise<T[]> {
  const outcomes: T[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!stop(started)) outcomes.push(await work((started += 1)));
    }),
  );
  return outcomes;
}

export interface LeadAccount {
  /** Acknowledged leads the table does not hold. */
  missing: string[];
  /** Leads whose timeline shows other than one assignment, with the count. */
  notAssignedOnce: Array<{ leadId: string; assignments: number }>;
  /** Leads the local SES was sent other than one email about, or the local SMS endpoint more than one SMS, with what went out. */
  notNotifiedOnce: Array<{ leadId: string; emails: number; sms: number; sends: LeadSends }>;
}

/**
 * Every email and SMS the runtime's local AWS endpoint accepted, counted per lead (`/_local/outbox/counts`):
 * what actually went out, however many times, and across restarts on a data directory. The send ledger
 * cannot show a second email, as it holds one record per lead, rep, reason and channel.
 */
export async function sentPerLead(url: string): Promise<Record<string, LeadSends>> {
  const response = await fetch(`${url}/_local/outbox/counts`);
  if (response.status !== 200) throw new Error(`GET /_local/outbox/counts answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Record<string, LeadSends>;
}

/**
 * Reads back, from the runtime's API and its local AWS endpoint, what happened to each acknowledged lead:
 * present, assigned once (its timeline), emailed once and sent at most one SMS (what the endpoint
 * accepted; an SMS is sent at most once, and only to some leads).
 */
export async function accountForLeads(url: string, leadIds: readonly string[]): Promise<LeadAccount> {
  const token = await tokenFor('mgr-maya', 'manager');
  const sent = await sentPerLead(url);
  const account: LeadAccount = { missing: [], notAssignedOnce: [], notNotifiedOnce: [] };
  for (const leadId of new Set(leadIds)) {
    const response = await fetch(`${url}/leads/${leadId}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status === 404) {
      account.missing.push(leadId);
      continue;
    }
    if (response.status !== 200) throw new Error(`GET /leads/${leadId} answered ${response.status}: ${await response.text()}`);
    const lead = (await response.json()) as { history: Array<{ action: string }> };
    const assignments = lead.history.filter((entry) => entry.action === 'assigned').length;
    if (assignments !== 1) account.notAssignedOnce.push({ leadId, assignments });
    const sends = sent[leadId] ?? {};
    const [emails, sms] = [sends.email?.sent ?? 0, sends.sms?.sent ?? 0];
    if (emails !== 1 || sms > 1) account.notNotifiedOnce.push({ leadId, emails, sms, sends });
  }
  return account;
}

/** The account once nothing is left in flight, or the last one read when `timeoutMs` runs out. */
export async function settledAccount(url: string, leadIds: readonly string[], timeoutMs: number): Promise<LeadAccount> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const account = await accountForLeads(url, leadIds);
    const clean = account.missing.length + account.notAssignedOnce.length + account.notNotifiedOnce.length === 0;
    // Missing leads or double work never heal by waiting; only leads still on their way do.
    const stillOnTheWay = account.notNotifiedOnce.some((lead) => lead.emails === 0) || account.notAssignedOnce.some((lead) => lead.assignments === 0);
    if (clean || !stillOnTheWay || Date.now() > deadline) return account;
    await new Promise((done) => setTimeout(done, 500));
  }
}

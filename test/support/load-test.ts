import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { localClientSettings } from '@leadflow/local-runtime';
import { tables } from '@leadflow/manifest';
import { createDynamoDbClient } from '@leadflow/platform';
import { tokenFor } from './local-runtime';

const rootDir = new URL('../..', import.meta.url).pathname;

/**
 * The demo configuration for load from one address: the per-IP limit lifted, every lead routed round
 * robin to reps always at work, so every acknowledged lead must end with an owner and an email whatever
 * the day. Returns the file's path (for `LEADS_CONFIG_FILE`).
 */
export function writeLoadConfiguration(dir: string): string {
  const config = JSON.parse(readFileSync(join(rootDir, 'config/leads.config.json'), 'utf8')) as { forms: Array<Record<string, unknown>>; reps: Array<Record<string, unknown>>; routing: unknown };
  for (const form of config.forms) form.rateLimitPerMinute = 10_000; // the schema's highest
  for (const rep of config.reps) {
    delete rep.workingHours;
    rep.capacity = 1_000_000;
  }
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
  /** Leads with other than one sent email in the durable send log, with the count. */
  notNotifiedOnce: Array<{ leadId: string; emails: number }>;
}

/**
 * Reads back, from the runtime's API and its table, what happened to each acknowledged lead: present,
 * assigned once (its timeline), emailed once (the send log, which outlives the process).
 */
export async function accountForLeads(url: string, dynamodbEndpoint: string, leadIds: readonly string[]): Promise<LeadAccount> {
  const token = await tokenFor('mgr-maya', 'manager');
  const client = createDynamoDbClient(localClientSettings({ dynamodb: dynamodbEndpoint }));
  const emails = new Map<string, number>();
  try {
    let ExclusiveStartKey: Record<string, never> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tables.leads.name,
          FilterExpression: 'entity = :send AND channel = :email AND #status = :sent',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':send': { S: 'send' }, ':email': { S: 'email' }, ':sent': { S: 'sent' } },
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) emails.set(item.leadId.S!, (emails.get(item.leadId.S!) ?? 0) + 1);
      ExclusiveStartKey = page.LastEvaluatedKey as typeof ExclusiveStartKey;
    } while (ExclusiveStartKey);
  } finally {
    client.destroy();
  }
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
    if (emails.get(leadId) !== 1) account.notNotifiedOnce.push({ leadId, emails: emails.get(leadId) ?? 0 });
  }
  return account;
}

/** The account once nothing is left in flight, or the last one read when `timeoutMs` runs out. */
export async function settledAccount(url: string, dynamodbEndpoint: string, leadIds: readonly string[], timeoutMs: number): Promise<LeadAccount> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const account = await accountForLeads(url, dynamodbEndpoint, leadIds);
    const clean = account.missing.length + account.notAssignedOnce.length + account.notNotifiedOnce.length === 0;
    // Missing leads or double work never heal by waiting; only leads still on their way do.
    const stillOnTheWay = account.notNotifiedOnce.some((lead) => lead.emails === 0) || account.notAssignedOnce.some((lead) => lead.assignments === 0);
    if (clean || !stillOnTheWay || Date.now() > deadline) return account;
    await new Promise((done) => setTimeout(done, 500));
  }
}

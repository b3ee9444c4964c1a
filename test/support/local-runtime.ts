import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readLocalRuntimeSettings } from '@leadflow/local-runtime';
import { localClientSettings, localJwtSecret, localSecretSources, signLocalToken, startLocalRuntime, type LocalRuntime } from '@leadflow/local-runtime';
import type { Role } from '@leadflow/domain';
import { createDynamoDbClient, documentClientOf } from '@leadflow/platform';

const rootDir = new URL('../..', import.meta.url).pathname;
/** The demo values and nothing else, whatever a developer keeps in config/secrets.local.json or LEADS_SECRETS. */
const demoSecretsOnly = { LEADS_SECRETS_FILE: 'config/secrets.demo.json' };

/** Boots the real local runtime on free ports; in memory unless a data directory is given. `env` adds local runtime settings. */
export async function startTestRuntime(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<LocalRuntime> {
  const settings = readLocalRuntimeSettings({ PORT: '0', LEADS_IN_MEMORY: options.dataDir ? '0' : '1', LEADS_DATA_DIR: options.dataDir, LEADS_LOG_LEVEL: 'SILENT', ...demoSecretsOnly, ...options.env });
  return startLocalRuntime(settings, rootDir);
}

export function tokenFor(sub: string, ...roles: Role[]): Promise<string> {
  const settings = readLocalRuntimeSettings(demoSecretsOnly);
  return signLocalToken(localJwtSecret(settings, localSecretSources(settings, rootDir)), { sub, roles });
}

/** Polls until `probe` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** Posts `body` to the demo form as JSON (with `headers`, if any), fails unless it answers 202, and answers the new or touched lead's id. */
export async function submitDemoForm(runtime: Pick<LocalRuntime, 'url'>, body: Record<string, string>, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${runtime.url}/forms/demo/submissions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (response.status !== 202) throw new Error(`The demo form answered ${response.status}, not 202: ${await response.text()}`);
  return ((await response.json()) as { leadId: string }).leadId;
}

let people = 0;

/**
 * A person no earlier call in this test process answered: `email` with a number added to its local part, and a
 * US phone number of their own from the fictional 555-0150…0199 range (the demo reps' are below it), so that dedup
 * merges no two cases' leads.
 */
export function uniquePerson(email: string): { email: string; phone: string } {
  people += 1;
  if (people > 49) throw new Error('uniquePerson ran out of 555-0150…0199 phone numbers');
  const [local, domain] = email.split('@');
  return { email: `${local}-${people}@${domain}`, phone: `+1415555${String(150 + people).padStart(4, '0')}` };
}

/** A JSON request to the runtime with a bearer token (a JSON body when one is given): its status and parsed answer. */
export async function callWithToken(runtime: Pick<LocalRuntime, 'url'>, method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

/** Every item of the `leads` table, page by page, as plain objects. */
export async function scanLeadsTable(table: DynamoDBDocumentClient): Promise<Array<Record<string, any>>> {
  const items: Array<Record<string, any>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await table.send(new ScanCommand({ TableName: 'leads', ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Items written whatever a request carries: the rate limiter's windows (every post counts, a refused one too) and the follow-up re-filing state (its schedule records it on its first runs). */
const itemsWrittenRegardless = new Set(['rate-window', 'follow-up-refile']);

/** The runtime's `leads` table as sorted JSON items, besides those written regardless of requests: what a refused request must leave as it found. */
export async function leadsTableItems(runtime: Pick<LocalRuntime, 'endpoints'>): Promise<string[]> {
  const client = createDynamoDbClient(localClientSettings({ dynamodb: runtime.endpoints.dynamodb }));
  try {
    const items = await scanLeadsTable(documentClientOf(client));
    return items
      .filter((item) => !itemsWrittenRegardless.has(String(item.entity)))
      .map((item) => JSON.stringify(item))
      .sort();
  } finally {
    client.destroy();
  }
}

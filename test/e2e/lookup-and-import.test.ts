import { execFile } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '@leadflow/local-runtime';
import { eventually, startTestRuntime, tokenFor } from '../support/local-runtime';
import { demoConfiguration } from '../support/demo-configuration';

let runtime: LocalRuntime;
const config = demoConfiguration();
const sample = readFileSync(new URL('../../examples/trade-show-leads.csv', import.meta.url), 'utf8');
const importQuery = 'source=trade-shows&campaign=automate-2026&pool=americas-inbound';
const rootDir = new URL('../..', import.meta.url).pathname;

beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(() => runtime?.stop());

const bearer = async (sub: string, role: 'rep' | 'manager' | 'finance' | 'admin') => ({ authorization: `Bearer ${await tokenFor(sub, role)}` });
const postCsv = (query: string, body: string, headers: Record<string, string>, contentType = 'text/csv') =>
  fetch(`${runtime.url}/imports?${query}`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
const lookup = (query: string, headers: Record<string, string>) => fetch(`${runtime.url}/leads/lookup?${query}`, { headers });

let firstImport: Promise<{ status: number; answer: unknown; from: string; to: string }> | undefined;

/**
 * The trade-show file's first import by a manager, made by the first case that needs its leads; the cases after it
 * get the same answer. Its people are the shipped sample's, so a case cannot import them afresh: they would be touched
 * or replayed. `from` and `to` bracket the request, which captures the file's leads before it answers.
 */
function tradeShowImport() {
  firstImport ??= (async () => {
    const from = new Date().toISOString();
    const response = await postCsv(importQuery, sample, await bearer('mgr-maya', 'manager'));
    const answer: unknown = await response.json();
    return { status: response.status, answer, from, to: new Date().toISOString() };
  })();
  return firstImport;
}

/**
 * The trade-show file imported, once each of its leads was captured, scored and routed to a rep or a pool, and every
 * rule of those outcomes ran: the `lead.assigned` and `lead.pooled` events. The file's leads are those captured while
 * its import was answered (other cases import leads too).
 */
async function routedTradeShowLeads(): Promise<any[]> {
  const { from, to } = await tradeShowImport();
  return eventually(async () => {
    const events = (await (await fetch(`${runtime.url}/_local/events`)).json()) as any[];
    const captured = events.filter((event) => event.detailType === 'lead.captured' && event.detail.sourceKind === 'import' && event.detail.capturedAt >= from && event.detail.capturedAt <= to);
    const routable = captured.filter((event) => event.detail.status === 'new');
    const outcomes = events.filter((event) => ['lead.assigned', 'lead.pooled'].includes(event.detailType) && routable.some((candidate) => candidate.detail.leadId === event.detail.leadId));
    const settled = outcomes.every((event) => event.rules.every((rule: any) => rule.status === 'succeeded'));
    return captured.length === 14 && routable.length === 13 && outcomes.length === 13 && settled ? outcomes : undefined;
  }, 20_000);
}

describe('lead lists and the dedup check, through the local runtime', () => {
  it('imports the trade-show file as a manager and answers the counts and row errors', async () => {
    const { status, answer } = await tradeShowImport();
    expect(status).toBe(200);
    expect(answer).toEqual({
      rows: 16,
      created: 13,
      touched: 1,
      replayed: 0,
      invalid: 1,
      errors: [{ row: 13, column: '(row)', message: 'has 12 values; the header has 11 columns (is a comma inside a value missing its quotes?)' }],
    });
  });

  it('creates nothing when the same file is imported again', async () => {
    await tradeShowImport();
    const response = await postCsv(importQuery, sample, await bearer('root', 'admin'));
    expect(await response.json()).toMatchObject({ rows: 16, created: 0, touched: 0, replayed: 15, invalid: 0 });
  });

  it('routes imported leads like any other: captured, scored, routed to a rep or a pool, the rep told', async () => {
    const routed = await routedTradeShowLeads();
    const assigned = routed.filter((event: any) => event.detailType === 'lead.assigned');
    expect(assigned.length).toBeGreaterThan(0);
    expect(assigned.every((event: any) => config.reps.some((rep) => rep.id === event.detail.ownerId))).toBe(true);
    const emails = await eventually(async () => {
      const sent = ((await (await fetch(`${runtime.url}/_local/outbox`)).json()) as any[]).filter((message) => message.channel === 'email' && assigned.some((event: any) => event.detail.leadId === message.leadId));
      return sent.length === assigned.length ? sent : undefined;
    });
    expect(emails.map((message: any) => message.subject)).toContain('New lead: Priya Raman');
  });

  it('shows a rep the masked owner of someone else’s lead without their id, and the owner and a manager the name and id', async () => {
    await routedTradeShowLeads();
    const asManager = await (await lookup('email=priya.raman@example.com', await bearer('mgr-maya', 'manager'))).json();
    expect(asManager).toMatchObject({ exists: true, status: 'assigned', heldBy: 'owner', poolId: 'americas-inbound', since: expect.any(String) });
    const owner = config.reps.find((rep) => rep.id === asManager.owner.id)!;
    expect(asManager.owner).toEqual({ id: owner.id, name: owner.name });

    const otherRep = config.pools[0].members.find((member) => member !== owner.id)!;
    const asOtherRep = await (await lookup('phone=%2B14155550134', await bearer(otherRep, 'rep'))).json();
    expect(asOtherRep).toEqual({
      ...asManager,
      owner: {
        id: null,
        name: owner.name
          .split(' ')
          .map((word) => `${word[0]}***`)
          .join(' '),
      },
    });
    expect(asOtherRep.owner.name).toMatch(/^[A-Z]\*\*\* [A-Z]\*\*\*$/);
    expect(JSON.stringify(asOtherRep)).not.toContain(owner.id);

    const asOwner = await (await lookup('phone=(415)%20555-0134&country=US', await bearer(owner.id, 'rep'))).json();
    expect(asOwner.owner.name).toBe(owner.name);
  });

  it('never answers a lookup with contact details', async () => {
    await routedTradeShowLeads();
    for (const [query, sub, role] of [
      ['email=priya.raman@example.com', 'mgr-maya', 'manager'],
      ['email=priya.raman@example.com', 'rep-ava', 'rep'],
      ['phone=%2B442079460958', 'rep-ben', 'rep'],
      ['email=nobody@example.com', 'rep-ben', 'rep'],
    ] as const) {
      const text = await (await lookup(query, await bearer(sub, role))).text();
      for (const secret of ['@example.com', '+1415', '+4420', 'Raman', "O'Brien", 'Brightline', 'Harbour', 'contact', 'answers']) expect(text).not.toContain(secret);
    }
  });

  it('takes /leads/lookup for the dedup check, not for a lead id, and still serves /leads/{leadId}', async () => {
    await routedTradeShowLeads();
    const headers = await bearer('mgr-maya', 'manager');
    const bare = await fetch(`${runtime.url}/leads/lookup`, { headers });
    expect(bare.status).toBe(400);
    expect(await bare.json()).toEqual({ error: 'The dedup check needs exactly one valid email or phone', issues: [{ path: '(query)', message: 'give exactly one of "email" or "phone"' }] });
    const { leadId } = await (await lookup('email=priya.raman@example.com', headers)).json();
    const lead = await fetch(`${runtime.url}/leads/${leadId}`, { headers });
    expect(lead.status).toBe(200);
    expect(await lead.json()).toMatchObject({ leadId, contact: { email: 'priya.raman@example.com' } });
    expect((await fetch(`${runtime.url}/leads/not-a-lead`, { headers })).status).toBe(404);
  });

  it('refuses finance a lookup, a rep an import, anybody without a token, and bad requests, writing nothing', async () => {
    expect((await lookup('email=priya.raman@example.com', await bearer('fin', 'finance'))).status).toBe(403);
    expect((await lookup('email=priya.raman@example.com', {})).status).toBe(401);
    expect((await lookup('email=nope', await bearer('rep-ava', 'rep'))).status).toBe(400);
    const fresh = 'email\nfresh@example.com\n';
    expect((await postCsv(importQuery, fresh, await bearer('rep-ava', 'rep'))).status).toBe(403);
    expect((await postCsv(importQuery, fresh, await bearer('fin', 'finance'))).status).toBe(403);
    expect((await postCsv(importQuery, fresh, {})).status).toBe(401);
    expect((await postCsv(importQuery, '{"email":"fresh@example.com"}', await bearer('mgr-maya', 'manager'), 'application/json')).status).toBe(415);
    const unknownSource = await postCsv('source=carrier-pigeon&pool=americas-inbound', fresh, await bearer('mgr-maya', 'manager'));
    expect(unknownSource.status).toBe(400);
    expect(await unknownSource.json()).toMatchObject({ issues: [{ path: 'source', message: expect.stringMatching(/^unknown channel "carrier-pigeon"/) }] });
    expect((await postCsv(importQuery, 'email\n', await bearer('mgr-maya', 'manager'))).status).toBe(400);
    expect((await postCsv(importQuery, `email,notes\n${`a@example.com,${'x'.repeat(1000)}\n`.repeat(1100)}`, await bearer('mgr-maya', 'manager'))).status).toBe(413);
    expect(await (await lookup('email=fresh@example.com', await bearer('mgr-maya', 'manager'))).json()).toEqual({ exists: false });
  });
});

describe('text that is not UTF-8 is refused or read in its named encoding, never stored with U+FFFD', () => {
  const latin1Csv = Buffer.from('name,email\nJosé Núñez,jose.latin1@example.com\n', 'latin1');
  // Asynchronous, so the runtime in this process keeps serving the CLI.
  const cli = (args: string[]) =>
    new Promise<{ status: number | null; stderr: string }>((done) => {
      execFile(process.execPath, ['--import', 'tsx', 'packages/local-runtime/src/import-cli.ts', ...args], { cwd: rootDir, env: { ...process.env, LEADS_LOG_LEVEL: 'SILENT' } }, (error, _stdout, stderr) =>
        done({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr }),
      );
    });

  const nameOfLeadWith = async (email: string) => {
    const manager = await bearer('mgr-maya', 'manager');
    const found = (await (await lookup(`email=${email}`, manager)).json()) as { leadId?: string };
    if (!found.leadId) return undefined;
    return ((await (await fetch(`${runtime.url}/leads/${found.leadId}`, { headers: manager })).json()) as { contact: { name?: string } }).contact.name;
  };

  it('POST /imports: refuses a Latin-1 file as UTF-8, and reads it with charset=windows-1252', async () => {
    const manager = await bearer('mgr-maya', 'manager');
    const post = (contentType: string) => fetch(`${runtime.url}/imports?${importQuery}`, { method: 'POST', headers: { 'content-type': contentType, ...manager }, body: latin1Csv });
    const refused = await post('text/csv');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ issues: [{ path: '(file)', message: 'is not UTF-8 (line 2)' }] });
    expect((await post('text/csv; charset=koi8-r')).status).toBe(400);
    const read = await post('text/csv; charset=windows-1252');
    expect(await read.json()).toMatchObject({ rows: 1, created: 1 });
    expect(await nameOfLeadWith('jose.latin1@example.com')).toBe('José Núñez');
  });

  it('npm run import: refuses a Latin-1 file unless --encoding windows-1252 is given', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'leadflow-import-')), 'latin1.csv');
    writeFileSync(path, Buffer.from('name,email\nRenée Faÿ,renee.latin1@example.com\n', 'latin1'));
    const common = [path, '--source', 'trade-shows', '--pool', 'americas-inbound', '--url', runtime.url];
    // The two refusals side by side (each a process of its own); the read after them, so a refusal that stored the name wrongly shows in it.
    const [refused, unknownEncoding] = await Promise.all([cli(common), cli([...common, '--encoding', 'ebcdic'])]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/is not UTF-8 \(line 2 is not\).*--encoding windows-1252/s);
    expect(unknownEncoding.status).toBe(2);
    const read = await cli([...common, '--encoding', 'windows-1252']);
    expect(read.status, read.stderr).toBe(0);
    expect(await nameOfLeadWith('renee.latin1@example.com')).toBe('Renée Faÿ');
  });

  it('npm run import: says where it stopped when the database goes away mid-file, and running it again stores the rest', async () => {
    // Between the command and DynamoDB Local: the first two lead transactions go through, every later one is answered with a server error.
    let transactions = 0;
    const target = new URL(runtime.endpoints.dynamodb);
    const proxy = createServer((request, response) => {
      const refuse = request.headers['x-amz-target'] === 'DynamoDB_20120810.TransactWriteItems' && ++transactions > 2;
      if (refuse) {
        request.resume();
        response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' }).end('{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"going away"}');
        return;
      }
      request.pipe(
        httpRequest(
          { host: target.hostname, port: target.port, path: request.url, method: request.method, headers: request.headers },
          (answer) => (response.writeHead(answer.statusCode ?? 502, answer.headers), answer.pipe(response)),
        ),
      );
    });
    await new Promise<void>((listening) => proxy.listen(0, '127.0.0.1', listening));
    const path = join(mkdtempSync(join(tmpdir(), 'leadflow-import-')), 'outage.csv');
    const emails = Array.from({ length: 6 }, (_, index) => `outage-${index}@example.com`);
    writeFileSync(path, ['name,email', ...emails.map((email, index) => `Person ${index},${email}`)].join('\n'));
    const common = [path, '--source', 'trade-shows', '--pool', 'americas-inbound'];
    try {
      const stopped = await cli([...common, '--dynamodb-endpoint', `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`]);
      expect(stopped.status).toBe(1);
      expect(stopped.stderr).toMatch(/The import stopped at line \d+: the database became unavailable/);
    } finally {
      proxy.close();
    }
    const again = await cli([...common, '--url', runtime.url]);
    expect(again.status, again.stderr).toBe(0);
    for (const email of emails) expect(await nameOfLeadWith(email)).toMatch(/^Person \d$/);
  });

  it('form posts and webhooks with bytes that are not UTF-8 are 400 naming the problem', async () => {
    const form = await fetch(`${runtime.url}/forms/demo/submissions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=Jos%E9&email=jose.form@example.com' });
    expect(form.status).toBe(400);
    expect(await form.json()).toMatchObject({ issues: [{ path: 'name', message: 'must be UTF-8 text' }] });
    const json = await fetch(`${runtime.url}/forms/demo/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"name":"José","email":"jose.json@example.com"}', 'latin1') });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ issues: [{ path: '(body)', message: 'must be UTF-8 text' }] });
  });
});

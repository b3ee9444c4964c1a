import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalRuntime, type LocalRuntime } from '@leadflow/local-runtime';
import { readLocalRuntimeSettings } from '@leadflow/local-runtime';
import { startTestRuntime, tokenFor } from '../support/local-runtime';

const rootDir = new URL('../..', import.meta.url).pathname;

/** Local addresses a TCP port listens on, from /proc/net (hex, as the kernel writes them). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A')
      .map((fields) => fields[1].split(':')[0]),
  );
}
const ipv4Loopback = '0100007F';
const ipv4MappedLoopback = '0000000000000000FFFF00000100007F';

/** A raw request, since fetch will not send a Host header of our choosing. */
function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

let runtime: LocalRuntime;
let onNetwork: LocalRuntime;
const onNetworkSettings = { PORT: '0', HOST: '0.0.0.0', LEADS_IN_MEMORY: '1', LEADS_LOG_LEVEL: 'SILENT', LEADS_SCHEDULES: '0' };
const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);

beforeAll(async () => {
  [runtime, onNetwork] = await Promise.all([startTestRuntime(), startLocalRuntime(readLocalRuntimeSettings({ ...onNetworkSettings, LEADS_LOCAL_JWT_SECRET: 'a-secret-of-this-machine-only' }), rootDir)]);
}, 180_000);
afterAll(async () => {
  await Promise.all([runtime?.stop(), onNetwork?.stop()]);
  warn.mockRestore();
});

describe('what the local runtime exposes', { timeout: 60_000 }, () => {
  it('binds DynamoDB Local and the local AWS endpoint to 127.0.0.1 only', () => {
    for (const endpoint of [runtime.endpoints.dynamodb, runtime.endpoints.eventbridge]) {
      const addresses = listeningAddresses(Number(new URL(endpoint).port));
      expect(addresses.length).toBeGreaterThan(0);
      for (const address of addresses) expect([ipv4Loopback, ipv4MappedLoopback]).toContain(address);
    }
  });

  it('gives web pages no CORS access to DynamoDB Local', async () => {
    const preflight = await send(`${runtime.endpoints.dynamodb}/`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-amz-target' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses the local AWS endpoint to a request that names another host (DNS rebinding)', async () => {
    const answer = await send(`${runtime.endpoints.eventbridge}/`, {
      method: 'POST',
      headers: { host: 'evil.example', 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ Entries: [{ Source: 'evil', DetailType: 'lead.captured', Detail: '{}', EventBusName: 'leadflow' }] }),
    });
    expect(answer.status).toBe(403);
    expect(runtime.activity.events.some((event) => (event as { source?: string }).source === 'evil')).toBe(false);
  });

  it('refuses /_local/ to a foreign Host, and a cross-site text/plain post that would run a schedule', async () => {
    const port = new URL(runtime.url).port;
    expect((await send(`${runtime.url}/_local/outbox`, { headers: { host: `rebound.evil.example:${port}` } })).status).toBe(403);
    const runsBefore = runtime.activity.scheduleRuns.length;
    const crossSite = await send(`${runtime.url}/_local/schedules/sweep-outbox/run`, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'text/plain' }, body: '{}' });
    expect(crossSite.status).toBe(403);
    expect(runtime.activity.scheduleRuns.length).toBe(runsBefore);
    expect((await send(`${runtime.url}/_local/outbox`, { headers: { host: `localhost:${port}` } })).status).toBe(200);
  });

  it('refuses the API to a request that names another host (DNS rebinding with a token made from the public demo key)', async () => {
    const port = new URL(runtime.url).port;
    const authorization = `Bearer ${await tokenFor('admin-ines', 'admin')}`;
    const rebound = await send(`${runtime.url}/reps`, { headers: { host: `rebound.evil.example:${port}`, authorization } });
    expect(rebound).toMatchObject({ status: 403, body: '{"message":"Forbidden"}' });
    expect((await send(`${runtime.url}/forms/demo/submissions`, { method: 'POST', headers: { host: `rebound.evil.example:${port}`, 'content-type': 'application/json' }, body: '{}' })).status).toBe(403);
    expect((await send(`${runtime.url}/reps`, { headers: { host: `localhost:${port}`, authorization } })).status).toBe(200);
  });

  it('will not serve beyond loopback with local tokens signed by the committed demo key', async () => {
    const refusal = /HOST=0\.0\.0\.0 makes the API reachable from other machines, and local tokens are signed with the committed demo secret/;
    await expect(startLocalRuntime(readLocalRuntimeSettings(onNetworkSettings), rootDir)).rejects.toThrow(refusal);
    // The demo value set anew (a copy of the demo file, the variable) is refused too: it is the value that everyone has.
    const demoValue = JSON.parse(readFileSync(join(rootDir, 'config/secrets.demo.json'), 'utf8'))['local/jwt-signing-secret'];
    await expect(startLocalRuntime(readLocalRuntimeSettings({ ...onNetworkSettings, LEADS_LOCAL_JWT_SECRET: demoValue }), rootDir)).rejects.toThrow(refusal);
  });

  it('warns when HOST is not a loopback address, and keeps /_local/ off while serving the API', async () => {
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('WARNING: HOST=0.0.0.0 makes the Leadflow local runtime reachable from other machines'));
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('/_local/ is off (set LEADS_EXPOSE_LOCAL_ROUTES=1 to serve it)'));
    const port = new URL(onNetwork.url).port;
    expect((await send(`http://127.0.0.1:${port}/_local/outbox`)).status).toBe(404);
    expect((await send(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  });
});

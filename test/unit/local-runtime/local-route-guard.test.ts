import { describe, expect, it } from 'vitest';
import type { IncomingHttpHeaders } from 'node:http';
import { guardLocalRoutes } from '../../../packages/local-runtime/src/local-route-guard';

const served = { status: 200, body: 'served' };
const request = (path: string, headers: IncomingHttpHeaders, method = 'GET') => ({ method, url: new URL(path, 'http://local'), body: Buffer.alloc(0), headers });

describe('guardLocalRoutes', () => {
  const onLoopback = guardLocalRoutes(async () => served, { hostName: '127.0.0.1', exposed: false });

  it.each(['127.0.0.1:3000', 'localhost:3000', 'LOCALHOST', '[::1]:3000', '127.0.0.1'])('serves /_local/ to Host %s', async (host) => {
    expect(await onLoopback(request('/_local/outbox', { host }))).toBe(served);
  });

  it.each(['evil.example:3000', 'evil.example', '127.0.0.1.evil.example:3000', '192.168.1.20:3000', ''])('refuses /_local/ to Host "%s" (DNS rebinding)', async (host) => {
    expect(await onLoopback(request('/_local/outbox', { host }))).toMatchObject({ status: 403 });
  });

  it.each(['https://evil.example', 'null', 'http://localhost.evil.example:3000'])('refuses a cross-site request from Origin %s, such as a text/plain POST that runs a schedule', async (origin) => {
    const answer = await onLoopback(request('/_local/schedules/sweep-outbox/run', { host: '127.0.0.1:3000', origin, 'content-type': 'text/plain' }, 'POST'));
    expect(answer).toMatchObject({ status: 403, body: { error: expect.stringContaining('other sites') } });
  });

  it('serves a request from a page of the runtime itself', async () => {
    expect(await onLoopback(request('/_local/schedules/sweep-outbox/run', { host: 'localhost:3000', origin: 'http://localhost:3000' }, 'POST'))).toBe(served);
  });

  it('leaves every other route alone', async () => {
    expect(await onLoopback(request('/demo', { host: 'evil.example', origin: 'https://evil.example' }))).toBe(served);
  });

  it('keeps /_local/ off when the runtime listens beyond loopback, except the stand-ins the handlers call', async () => {
    const onNetwork = guardLocalRoutes(async () => served, { hostName: '0.0.0.0', exposed: false });
    expect(await onNetwork(request('/_local/outbox', { host: '127.0.0.1:3000' }))).toMatchObject({ status: 404, body: { error: expect.stringContaining('LEADS_EXPOSE_LOCAL_ROUTES=1') } });
    expect(await onNetwork(request('/_local/stand-ins/turnstile/siteverify', { host: '127.0.0.1:3000' }, 'POST'))).toBe(served);
  });

  it.each([
    ['POST', '/_local/stand-ins/crm'],
    ['GET', '/_local/stand-ins/meta-graph/v23.0/1234567890'],
    ['GET', '/_local/stand-ins/linkedin/rest/leadFormResponses/urn%3Ali%3AleadFormResponse%3A1'],
    ['GET', '/_local/stand-ins/tiktok/open_api/v1.3/lead/get/'],
    ['POST', '/_local/stand-ins/meta-graph/v26.0/123456/events'],
    ['POST', '/_local/stand-ins/google-datamanager/v1/events:ingest'],
  ])('beyond loopback, still serves %s %s, which a handler calls', async (method, path) => {
    const onNetwork = guardLocalRoutes(async () => served, { hostName: '0.0.0.0', exposed: false });
    expect(await onNetwork(request(path, { host: '127.0.0.1:3000' }, method))).toBe(served);
  });

  it.each([
    ['GET', '/_local/stand-ins/crm'],
    ['POST', '/_local/stand-ins/crm/fail'],
    ['GET', '/_local/stand-ins/conversions'],
    ['GET', '/_local/stand-ins/outage'],
    ['POST', '/_local/stand-ins/outage'],
  ])('beyond loopback, keeps %s %s off: what the stand-ins received holds leads’ personal data', async (method, path) => {
    const onNetwork = guardLocalRoutes(async () => served, { hostName: '0.0.0.0', exposed: false });
    expect(await onNetwork(request(path, { host: '127.0.0.1:3000' }, method))).toMatchObject({ status: 404 });
    expect(await guardLocalRoutes(async () => served, { hostName: '0.0.0.0', exposed: true })(request(path, { host: '127.0.0.1:3000' }, method))).toBe(served);
  });

  it('serves /_local/ beyond loopback when exposed, still only to requests that name this host', async () => {
    const exposed = guardLocalRoutes(async () => served, { hostName: '192.168.1.20', exposed: true });
    expect(await exposed(request('/_local/outbox', { host: '192.168.1.20:3000' }))).toBe(served);
    expect(await exposed(request('/_local/outbox', { host: 'evil.example:3000' }))).toMatchObject({ status: 403 });
  });
});

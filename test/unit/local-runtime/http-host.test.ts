import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { manifestFunctions } from '@leadflow/manifest';
import { demoConfiguration } from '../../support/demo-configuration';
import type { FunctionHost } from '../../../packages/local-runtime/src/function-host';
import { HttpHost } from '../../../packages/local-runtime/src/http-host';
import { localTokenAudience, localTokenIssuer, signLocalToken } from '../../../packages/local-runtime/src/local-jwt';

/** The functions of the demo configuration, as `npm start` hosts them. */
const functions = manifestFunctions(demoConfiguration());

/** The local HTTP host in front of a recording function host: what reaches a handler, and what is refused before. */

const secret = 'test-only-local-jwt-secret';
const invoked: Array<{ name: string; event: any }> = [];
const recordingHost = { invoke: async (name: string, event: unknown) => (invoked.push({ name, event }), { statusCode: 200, body: '{}' }) } as unknown as FunctionHost;
const host = new HttpHost(functions, recordingHost, secret, async () => undefined);
let url: string;

beforeAll(async () => {
  url = await host.start(0, '127.0.0.1');
});
afterAll(() => host.stop());

const token = (claims: Record<string, unknown>, exp: boolean) => {
  const jwt = new SignJWT({ username: 'mgr-maya', ...claims }).setProtectedHeader({ alg: 'HS256' }).setSubject('mgr-maya').setIssuer(localTokenIssuer).setAudience(localTokenAudience).setIssuedAt();
  return (exp ? jwt.setExpirationTime('1h') : jwt).sign(new TextEncoder().encode(secret));
};
const getLead = (bearer: string) => fetch(`${url}/leads/lead-1`, { headers: { authorization: `Bearer ${bearer}` } });

describe('paths with malformed percent-escapes', () => {
  it('are 400 before any route or authorizer runs, as API Gateway answers them', async () => {
    invoked.length = 0;
    for (const path of ['/leads/%E0%A4%A', '/leads/%ZZ', '/webhooks/generic/%C3', '/_local/schedules/%E0/run']) {
      const response = await fetch(`${url}${path}`);
      expect({ path, status: response.status, body: await response.json() }).toEqual({ path, status: 400, body: { message: 'Bad Request' } });
    }
    expect(invoked).toEqual([]);
  });

  it('still decodes well-formed escapes into path parameters', async () => {
    invoked.length = 0;
    const response = await fetch(`${url}/leads/lead%2D%C3%A9`, { headers: { authorization: `Bearer ${await signLocalToken(secret, { sub: 'mgr-maya', roles: ['manager'] })}` } });
    expect(response.status).toBe(200);
    expect(invoked[0].event.pathParameters).toEqual({ leadId: 'lead-é' });
  });
});

/** A request sent exactly as written: path not normalised, headers repeated as given (fetch would tidy both). */
function rawRequest(method: string, path: string, headers: Array<[string, string]>, body = ''): Promise<number> {
  return new Promise((answered, failed) => {
    const target = new URL(url);
    const sent = httpRequest({ host: target.hostname, port: target.port, method, path, headers: [['host', target.host], ...headers].flat() }, (response) => {
      response.resume();
      response.on('end', () => answered(response.statusCode ?? 0));
    });
    sent.on('error', failed);
    sent.end(body);
  });
}

describe('what API Gateway would route and hand over', () => {
  it('matches the path as sent: "//x/…" and "%2e%2e" segments reach no route (404), as deployed', async () => {
    invoked.length = 0;
    for (const path of ['//x/forms/demo/submissions', '/forms/%2e%2e/forms/demo/submissions', '/forms/x/../demo/submissions']) {
      expect({ path, status: await rawRequest('POST', path, [['content-type', 'application/json']], '{}') }).toEqual({ path, status: 404 });
    }
    expect(invoked).toEqual([]);
  });

  it('joins every value of a repeated header with commas, content-type too, and keeps query keys named like Object members', async () => {
    invoked.length = 0;
    const headers: Array<[string, string]> = [
      ['content-type', 'application/json'],
      ['content-type', 'text/plain'],
      ['x-a', '1'],
      ['x-a', '2'],
    ];
    await rawRequest('POST', '/forms/demo/submissions?constructor=1&toString=2&toString=3&__proto__=x', headers, '{}');
    expect(invoked[0].event.headers).toMatchObject({ 'content-type': 'application/json,text/plain', 'x-a': '1,2' });
    // Entries, not an object literal: `{ __proto__: 'x' }` in a literal would set no key to compare with.
    expect(Object.entries(invoked[0].event.queryStringParameters ?? {})).toEqual([
      ['constructor', '1'],
      ['toString', '2,3'],
      ['__proto__', 'x'],
    ]);
  });

  it('takes a token with or without the Bearer prefix, as the JWT authorizer does', async () => {
    const jwt = await signLocalToken(secret, { sub: 'mgr-maya', roles: ['manager'] });
    expect((await fetch(`${url}/leads/lead-1`, { headers: { authorization: jwt } })).status).toBe(200);
    expect((await fetch(`${url}/leads/lead-1`, { headers: { authorization: `Bearer ${jwt}` } })).status).toBe(200);
  });
});

describe('request bodies', () => {
  it('hands text that is not UTF-8 to the handler base64-encoded, byte for byte, so it can refuse it', async () => {
    invoked.length = 0;
    const body = Buffer.from('{"name":"José"}', 'latin1');
    await fetch(`${url}/forms/demo/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(invoked[0].event).toMatchObject({ isBase64Encoded: true, body: body.toString('base64') });
    await fetch(`${url}/forms/demo/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"José"}' });
    expect(invoked[1].event).toMatchObject({ isBase64Encoded: false, body: '{"name":"José"}' });
  });

  it("refuses an event over Lambda's 6 MiB before the handler runs, counting a binary body base64-encoded, as deployed", async () => {
    invoked.length = 0;
    const binary = Buffer.alloc(5 * 1024 * 1024, 0xff);
    const refused = await fetch(`${url}/forms/demo/submissions`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: binary });
    expect({ status: refused.status, body: await refused.json() }).toEqual({ status: 413, body: { message: 'Request Entity Too Large' } });
    expect(invoked).toEqual([]);
    const text = 'a'.repeat(5 * 1024 * 1024);
    expect((await fetch(`${url}/forms/demo/submissions`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: text })).status).toBe(200);
    expect(invoked[0].event.body).toHaveLength(text.length);
  });

  it("answers 500 when a handler's result is over Lambda's limit, as API Gateway does when the invocation fails", async () => {
    const answers = (body: string) => ({ invoke: async () => ({ statusCode: 200, body }) }) as unknown as FunctionHost;
    for (const [size, status] of [
      [6 * 1024 * 1024 + 100, 500],
      [6 * 1024 * 1024 - 100, 200],
    ] as const) {
      const answering = new HttpHost(functions, answers('b'.repeat(size)), secret, async () => undefined);
      const answeringUrl = await answering.start(0, '127.0.0.1');
      try {
        const response = await fetch(`${answeringUrl}/health`);
        expect({ size, status: response.status }).toEqual({ size, status });
        await response.arrayBuffer();
      } finally {
        await answering.stop();
      }
    }
  });
});

describe('local JWTs', () => {
  it('refuses a signed token without exp', async () => {
    invoked.length = 0;
    expect((await getLead(await token({ 'cognito:groups': ['manager'] }, false))).status).toBe(401);
    expect(invoked).toEqual([]);
  });

  it('refuses cognito:groups that is not a list of group names, such as "x,manager"', async () => {
    invoked.length = 0;
    for (const groups of ['x,manager', 'manager', ['manager rep'], [1]]) expect((await getLead(await token({ 'cognito:groups': groups }, true))).status).toBe(401);
    expect(invoked).toEqual([]);
  });

  it('hands the handler cognito:groups as API Gateway does: "[manager rep]"', async () => {
    invoked.length = 0;
    expect((await getLead(await token({ 'cognito:groups': ['manager', 'rep'] }, true))).status).toBe(200);
    expect(invoked[0].event.requestContext.authorizer.jwt.claims['cognito:groups']).toBe('[manager rep]');
  });
});

describe('a halted HTTP host', () => {
  it('answers 503 to every request but the stand-in calls the handlers still running make, which it serves until it stops', async () => {
    const standIns = async ({ url: requested }: { url: URL }) => ({ status: 200, body: { standIn: requested.pathname } });
    const halting = new HttpHost(functions, recordingHost, secret, standIns);
    const haltingUrl = await halting.start(0, '127.0.0.1');
    try {
      halting.halt();
      invoked.length = 0;
      const answers = await Promise.all(
        [
          fetch(`${haltingUrl}/forms/demo/submissions`, { method: 'POST', body: '{}' }),
          fetch(`${haltingUrl}/_local/events`),
          fetch(`${haltingUrl}/_local/stand-ins/crm`, { method: 'POST', body: '{}' }),
          fetch(`${haltingUrl}/_local/stand-ins/turnstile/siteverify`, { method: 'POST', body: 'secret=s&response=r' }),
        ].map(async (answer) => ({ status: (await answer).status, body: await (await answer).json() })),
      );
      expect(answers).toEqual([
        { status: 503, body: { message: 'Service Unavailable' } },
        { status: 503, body: { message: 'Service Unavailable' } },
        { status: 200, body: { standIn: '/_local/stand-ins/crm' } },
        { status: 200, body: { standIn: '/_local/stand-ins/turnstile/siteverify' } },
      ]);
      expect(invoked).toEqual([]);
    } finally {
      await halting.stop();
    }
  });
});

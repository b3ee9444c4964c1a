import { HttpWebhookSender } from '@leadflow/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedHttpServer } from '../../support/scripted-http-server';

/** A `lead.scored` delivery's body, holding what the person answered (and, in a free-text answer, an address and a line break). */
const scoredBody = JSON.stringify({
  id: 'evt-1',
  type: 'lead.scored',
  occurredAt: '2026-03-02T10:00:00.000Z',
  data: { eventId: 'evt-1', leadId: 'lead-1', points: 60, country: 'FR', region: 'Île-de-France', answers: { budget: 'Ask my CFO first', message: 'Call me on Tuesday\nafter 5, or write to ada@example.com' } },
});
/** What a CRM may answer a refused event with: the values it objects to, the event it got, or the body quoted as a string. */
const refusals: Record<string, string> = {
  '/refuses': 'answers.budget "Ask my CFO first" is not one of the allowed values; region Île-de-France is unknown',
  '/echoes': `rejected ${JSON.stringify(JSON.parse(scoredBody))}`,
  '/quotes': `{"error":"invalid payload","payload":${JSON.stringify(scoredBody)}}`,
  '/cuts': `${'x'.repeat(190)} Ask my CFO first`,
};

/** A receiver that answers each path as the test scripted it. */
let receiver: Awaited<ReturnType<typeof scriptedHttpServer>>;
let base: string;
beforeAll(async () => {
  receiver = await scriptedHttpServer((request, response) => {
    if (request.url === '/busy') response.writeHead(503, { 'retry-after': '120' }).end('busy');
    else if (request.url && Object.hasOwn(refusals, request.url)) response.writeHead(422).end(refusals[request.url]);
    else if (request.url === '/moved') response.writeHead(302, { location: '/elsewhere' }).end();
    else response.writeHead(204).end();
  });
  base = receiver.base;
});
afterAll(() => receiver.close());

describe('HttpWebhookSender', () => {
  const post = (path: string) => new HttpWebhookSender().post(new URL(path, base), '{}', { 'content-type': 'application/json' }, 2_000);

  it('passes on the receiver’s Retry-After with its failure, so the next attempt waits as asked', async () => {
    expect(await post('/busy')).toEqual({ ok: false, status: 503, error: `${base} answered HTTP 503: busy`, retryAfter: '120' });
  });

  it('counts a 2xx as delivered and a redirect as a failure, without following it', async () => {
    expect(await post('/ok')).toEqual({ ok: true, status: 204 });
    expect(await post('/moved')).toMatchObject({ ok: false, status: 302 });
    expect(await post('/moved')).not.toHaveProperty('retryAfter');
  });

  it("keeps the receiver's status and reason, without what the person answered when the receiver quotes the event back", async () => {
    const refused = (path: string) => new HttpWebhookSender().post(new URL(path, base), scoredBody, { 'content-type': 'application/json' }, 2_000);
    expect(await refused('/refuses')).toEqual({ ok: false, status: 422, error: `${base} answered HTTP 422: answers.budget "[redacted]" is not one of the allowed values; region [redacted] is unknown` });
    for (const path of ['/echoes', '/quotes', '/cuts']) {
      const { error } = (await refused(path)) as { error: string };
      expect(error.startsWith(`${base} answered HTTP 422: `)).toBe(true);
      // Not even the start of an answer cut at the 200 characters kept.
      for (const personal of ['Ask my', 'Tuesday', 'after 5', 'ada@example.com', 'Île-de-France']) expect(error).not.toContain(personal);
    }
    expect(((await refused('/echoes')) as { error: string }).error).toContain('"leadId":"lead-1"');
  });

  it('names the receiver by its origin when the request fails, never with the rest of its URL', async () => {
    const withCredentials = new URL('/hooks?token=abc', base);
    withCredentials.username = 'user';
    withCredentials.password = 'secret';
    const failed = await new HttpWebhookSender().post(withCredentials, '{}', {}, 2_000);
    expect(failed).toMatchObject({ ok: false, status: 0, error: expect.stringContaining(`${withCredentials.origin} could not be reached`) });
    expect(JSON.stringify(failed)).not.toMatch(/secret|token/);
  });
});

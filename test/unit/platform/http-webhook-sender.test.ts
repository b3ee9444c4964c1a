import { HttpWebhookSender } from '@leadflow/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedHttpServer } from '../../support/scripted-http-server';

/** A receiver that answers each path as the test scripted it. */
let receiver: Awaited<ReturnType<typeof scriptedHttpServer>>;
let base: string;
beforeAll(async () => {
  receiver = await scriptedHttpServer((request, response) => {
    if (request.url === '/busy') response.writeHead(503, { 'retry-after': '120' }).end('busy');
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

  it('names the receiver by its origin when the request fails, never with the rest of its URL', async () => {
    const withCredentials = new URL('/hooks?token=abc', base);
    withCredentials.username = 'user';
    withCredentials.password = 'secret';
    const failed = await new HttpWebhookSender().post(withCredentials, '{}', {}, 2_000);
    expect(failed).toMatchObject({ ok: false, status: 0, error: expect.stringContaining(`${withCredentials.origin} could not be reached`) });
    expect(JSON.stringify(failed)).not.toMatch(/secret|token/);
  });
});

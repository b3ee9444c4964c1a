import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHandler, handler } from '../../../functions/serve-embed-script/handler';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';

const script = readFileSync(new URL('../../../functions/serve-embed-script/embed.js', import.meta.url), 'utf8');
const etag = `"${createHash('sha256').update(script).digest('hex')}"`;

const get = (headers: Record<string, string> = {}, serve = handler) => serve(httpEvent({ method: 'GET', path: '/embed.js', headers }), lambdaContext) as Promise<any>;

describe('serve-embed-script handler', () => {
  it('serves embed.js as cacheable, cross-origin JavaScript', async () => {
    const response = await get();
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(script);
    expect(response.headers).toEqual({
      'content-type': 'application/javascript; charset=utf-8',
      'cache-control': 'public, max-age=300, stale-while-revalidate=86400',
      'access-control-allow-origin': '*',
      etag,
    });
  });

  it('has a strong etag: the sha256 of the content, changing with it', async () => {
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const other = await get({}, createHandler('console.log(1);'));
    expect(other.headers.etag).toBe(`"${createHash('sha256').update('console.log(1);').digest('hex')}"`);
    expect(other.headers.etag).not.toBe(etag);
  });

  it('answers 304 without a body when If-None-Match holds the current etag, weak, listed or *', async () => {
    for (const ifNoneMatch of [etag, `W/${etag}`, `"stale", ${etag}`, '*']) {
      const response = await get({ 'If-None-Match': ifNoneMatch });
      expect(response.statusCode, ifNoneMatch).toBe(304);
      expect(response.body).toBeUndefined();
      expect(response.headers).toMatchObject({ etag, 'cache-control': 'public, max-age=300, stale-while-revalidate=86400', 'access-control-allow-origin': '*' });
    }
  });

  it('serves the script again for a stale etag', async () => {
    const response = await get({ 'if-none-match': '"0000"' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(script);
  });
});

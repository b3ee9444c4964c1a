import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/serve-openapi-document/handler';

const document = readFileSync(new URL('../../../functions/serve-openapi-document/openapi.json', import.meta.url), 'utf8');

describe('serve-openapi-document handler', () => {
  it('serves the generated document as cacheable JSON any origin may read', async () => {
    const response = await handler();
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(document);
    expect(JSON.parse(response.body ?? '')).toMatchObject({ openapi: '3.1.0', paths: { '/openapi.json': { get: { operationId: 'serve-openapi-document' } } } });
    expect(response.headers).toEqual({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' });
  });
});

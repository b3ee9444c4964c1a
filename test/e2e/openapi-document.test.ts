import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '@leadflow/local-runtime';
import { startTestRuntime } from '../support/local-runtime';

const committed = readFileSync(new URL('../../functions/serve-openapi-document/openapi.json', import.meta.url), 'utf8');

describe('GET /openapi.json through the local runtime', () => {
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime();
  }, 120_000);
  afterAll(async () => {
    await runtime?.stop();
  });

  it('serves the generated document, without a token, cacheable and readable from any origin', async () => {
    const response = await fetch(`${runtime.url}/openapi.json`, { headers: { origin: 'https://tools.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.text()).toBe(committed);
  });
});

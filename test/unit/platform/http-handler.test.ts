import { describe, expect, it } from 'vitest';
import { httpHandler, jsonResponse, notFound } from '@leadflow/platform';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';

describe('httpHandler', () => {
  it('answers HEAD as it answers GET, without the body, a thrown error included', async () => {
    const found = httpHandler(async () => jsonResponse(200, { ok: true }));
    const page = await found(httpEvent({ method: 'GET', path: '/things/1' }), lambdaContext);
    expect(page).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
    expect(await found(httpEvent({ method: 'HEAD', path: '/things/1' }), lambdaContext)).toEqual({ ...(page as object), body: '' });

    const missing = httpHandler(async () => {
      throw notFound('Thing 2 does not exist');
    });
    const refused = await missing(httpEvent({ method: 'GET', path: '/things/2' }), lambdaContext);
    expect(refused).toMatchObject({ statusCode: 404, body: expect.stringContaining('Thing 2 does not exist') });
    expect(await missing(httpEvent({ method: 'HEAD', path: '/things/2' }), lambdaContext)).toEqual({ ...(refused as object), body: '' });
  });

  it('refuses each query parameter by name before the handler runs, unless the route reads or ignores its query', async () => {
    let ran = 0;
    const handle = async () => {
      ran += 1;
      return jsonResponse(200, { ok: true });
    };
    const query = { dryRun: 'true', fields: 'status' };
    const refused = (await httpHandler(handle)(httpEvent({ method: 'DELETE', path: '/things/1', query }), lambdaContext)) as { statusCode: number; body: string };
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(refused.body).issues).toEqual([expect.objectContaining({ path: 'dryRun' }), expect.objectContaining({ path: 'fields' })]);
    expect(ran).toBe(0);
    expect(await httpHandler(handle)(httpEvent({ method: 'DELETE', path: '/things/1' }), lambdaContext)).toMatchObject({ statusCode: 200 });
    for (const use of ['read', 'ignored'] as const) expect(await httpHandler(handle, { query: use })(httpEvent({ path: '/things/1', query }), lambdaContext), use).toMatchObject({ statusCode: 200 });
    expect(ran).toBe(3);
  });
});

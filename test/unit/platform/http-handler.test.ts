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
});

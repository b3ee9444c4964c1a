import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError, principalFrom, readFormBody } from '@leadflow/platform';

function event(body: string | undefined, contentType?: string, extra: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  return { headers: contentType ? { 'content-type': contentType } : {}, body, isBase64Encoded: false, requestContext: {}, ...extra } as APIGatewayProxyEventV2;
}

async function errorOf(run: () => unknown): Promise<HttpError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an HttpError');
}

describe('readFormBody', () => {
  it('reads JSON, urlencoded and multipart bodies alike, repeated keys as arrays', async () => {
    expect(await readFormBody(event('{"name":"Ada","size":5}', 'application/json; charset=utf-8'))).toEqual({ name: 'Ada', size: 5 });
    expect(await readFormBody(event('name=Ada+Lovelace&tag=a&tag=b', 'application/x-www-form-urlencoded'))).toEqual({ name: 'Ada Lovelace', tag: ['a', 'b'] });
    expect(await readFormBody(event(Buffer.from('name=Ada').toString('base64'), 'application/x-www-form-urlencoded', { isBase64Encoded: true }))).toEqual({ name: 'Ada' });
    const multipart = ['--b', 'Content-Disposition: form-data; name="tag"', '', 'x', '--b', 'Content-Disposition: form-data; name="tag"', '', 'y', '--b', 'Content-Disposition: form-data; name="cv"; filename="cv.pdf"', 'Content-Type: application/pdf', '', '%PDF', '--b--', ''].join('\r\n');
    expect(await readFormBody(event(multipart, 'multipart/form-data; boundary=b'))).toEqual({ tag: ['x', 'y'] });
  });

  it('answers malformed bodies, unknown types and oversize bodies with clear 4xx errors', async () => {
    expect(await errorOf(() => readFormBody(event('{"name":', 'application/json')))).toMatchObject({ statusCode: 400, details: { issues: [{ path: '(body)', message: 'must be valid JSON' }] } });
    expect(await errorOf(() => readFormBody(event('[1,2]', 'application/json')))).toMatchObject({ statusCode: 400, message: 'Body must be a JSON object' });
    expect(await errorOf(() => readFormBody(event('no boundary here', 'multipart/form-data; boundary=zz')))).toMatchObject({ statusCode: 400 });
    expect(await errorOf(() => readFormBody(event('x', 'text/plain')))).toMatchObject({ statusCode: 415 });
    expect(await errorOf(() => readFormBody(event('x')))).toMatchObject({ statusCode: 415, message: expect.stringContaining('"(none)"') });
    expect(await errorOf(() => readFormBody(event('a'.repeat(64 * 1024 + 1), 'application/json')))).toMatchObject({ statusCode: 413 });
  });
});

describe('principalFrom', () => {
  const withClaims = (claims: Record<string, unknown>) => event(undefined, undefined, { requestContext: { authorizer: { jwt: { claims } } } } as never);

  it('reads roles from cognito:groups as API Gateway passes them, and the rep id from username or sub', () => {
    expect(principalFrom(withClaims({ sub: 'u-1', username: 'rep-ava', 'cognito:groups': '[rep manager]' }))).toEqual({ id: 'rep-ava', roles: ['rep', 'manager'] });
    expect(principalFrom(withClaims({ sub: 'rep-ben', 'cognito:groups': ['rep', 'pirate'] }))).toEqual({ id: 'rep-ben', roles: ['rep'] });
    expect(principalFrom(withClaims({ sub: 'someone' }))).toEqual({ id: 'someone', roles: [] });
  });

  it('reads groups strictly: a comma is part of a group name, and a string not in API Gateway\'s "[a b]" form is no group', () => {
    for (const groups of ['x,manager', '[x,manager]', 'manager', '[manager', '[ manager]', '[rep  manager]', 'manager]']) {
      expect({ groups, principal: principalFrom(withClaims({ sub: 'mallory', 'cognito:groups': groups })) }).toEqual({ groups, principal: { id: 'mallory', roles: [] } });
    }
    expect(principalFrom(withClaims({ sub: 'mallory', 'cognito:groups': ['x,manager', ' manager'] }))).toEqual({ id: 'mallory', roles: [] });
    expect(principalFrom(withClaims({ sub: 'maya', 'cognito:groups': '[manager]' }))).toEqual({ id: 'maya', roles: ['manager'] });
  });

  it('is a 401 without verified claims', async () => {
    expect(await errorOf(() => principalFrom(event(undefined)))).toMatchObject({ statusCode: 401 });
  });
});

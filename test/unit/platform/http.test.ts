import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError, principalFrom, readCsvBody, readFormBody } from '@leadflow/platform';

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
  it('keeps fields named after Object.prototype members as plain fields, as JSON bodies do', async () => {
    const fields = await readFormBody(event('__proto__=x&email=a%40b.c&toString=1&constructor=y&constructor=z', 'application/x-www-form-urlencoded'));
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.entries(fields)).toEqual([
      ['__proto__', 'x'],
      ['email', 'a@b.c'],
      ['toString', '1'],
      ['constructor', ['y', 'z']],
    ]);
  });

  it('reads JSON, urlencoded and multipart bodies alike, repeated keys as arrays', async () => {
    expect(await readFormBody(event('{"name":"Ada","size":5}', 'application/json; charset=utf-8'))).toEqual({ name: 'Ada', size: 5 });
    expect(await readFormBody(event('name=Ada+Lovelace&tag=a&tag=b', 'application/x-www-form-urlencoded'))).toEqual({ name: 'Ada Lovelace', tag: ['a', 'b'] });
    expect(await readFormBody(event(Buffer.from('name=Ada').toString('base64'), 'application/x-www-form-urlencoded', { isBase64Encoded: true }))).toEqual({ name: 'Ada' });
    const multipart = [
      '--b',
      'Content-Disposition: form-data; name="tag"',
      '',
      'x',
      '--b',
      'Content-Disposition: form-data; name="tag"',
      '',
      'y',
      '--b',
      'Content-Disposition: form-data; name="cv"; filename="cv.pdf"',
      'Content-Type: application/pdf',
      '',
      '%PDF',
      '--b--',
      '',
    ].join('\r\n');
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

describe('bodies that are not UTF-8', () => {
  const latin1 = (text: string) => Buffer.from(text, 'latin1').toString('base64');
  const bytes = (text: string, contentType: string) => event(latin1(text), contentType, { isBase64Encoded: true });

  it('are a 400 naming the problem, for JSON, urlencoded and multipart fields, instead of U+FFFD in the lead', async () => {
    expect(await errorOf(() => readFormBody(bytes('{"name":"José"}', 'application/json')))).toMatchObject({
      statusCode: 400,
      message: 'Body is not valid UTF-8 (line 1); send UTF-8 text',
      details: { issues: [{ path: '(body)', message: 'must be UTF-8 text' }] },
    });
    expect(await errorOf(() => readFormBody(event('email=a%40example.com&name=Jos%E9', 'application/x-www-form-urlencoded')))).toMatchObject({
      statusCode: 400,
      details: { issues: [{ path: 'name', message: 'must be UTF-8 text' }] },
    });
    expect(await errorOf(() => readFormBody(bytes('name=José', 'application/x-www-form-urlencoded')))).toMatchObject({ statusCode: 400, details: { issues: [{ path: '(body)', message: 'must be UTF-8 text' }] } });
    const multipart = ['--b', 'Content-Disposition: form-data; name="name"', '', 'José', '--b--', ''].join('\r\n');
    expect(await errorOf(() => readFormBody(bytes(multipart, 'multipart/form-data; boundary=b')))).toMatchObject({ statusCode: 400, details: { issues: [{ path: 'name', message: 'must be UTF-8 text' }] } });
  });

  it('leave UTF-8 alone: percent-escaped UTF-8, a stray "%", and files with any bytes', async () => {
    expect(await readFormBody(event('name=Jos%C3%A9&discount=50%&x=%zz', 'application/x-www-form-urlencoded'))).toEqual({ name: 'José', discount: '50%', x: '%zz' });
    const withFile = Buffer.concat([
      Buffer.from('--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nJosé\r\n--b\r\nContent-Disposition: form-data; name="cv"; filename="cv.bin"\r\n\r\n'),
      Buffer.from([0xff, 0xfe, 0xe9]),
      Buffer.from('\r\n--b--\r\n'),
    ]);
    expect(await readFormBody(event(withFile.toString('base64'), 'multipart/form-data; boundary=b', { isBase64Encoded: true }))).toEqual({ name: 'José' });
  });

  it('CSV: UTF-8 unless charset names windows-1252 (latin1); other charsets and undecodable files are a 400', async () => {
    const file = 'name,email\nJosé,jose@example.com\n';
    expect(readCsvBody(event(file, 'text/csv'))).toBe(file);
    expect(readCsvBody(bytes(file, 'text/csv; charset=windows-1252'))).toBe(file);
    expect(readCsvBody(bytes(file, 'text/csv; charset="ISO-8859-1"'))).toBe(file);
    expect(await errorOf(() => readCsvBody(bytes(file, 'text/csv')))).toMatchObject({ statusCode: 400, details: { issues: [{ path: '(file)', message: 'is not UTF-8 (line 2)' }] } });
    expect(await errorOf(() => readCsvBody(bytes(file, 'text/csv; charset=koi8-r')))).toMatchObject({ statusCode: 400, details: { issues: [{ path: 'content-type', message: expect.stringContaining('charset') }] } });
    expect(await errorOf(() => readCsvBody(bytes(file, 'text/csv; charset=constructor')))).toMatchObject({ statusCode: 400, details: { issues: [{ path: 'content-type', message: expect.stringContaining('charset') }] } });
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

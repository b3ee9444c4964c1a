import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError, principalFrom, readCsvBody, readFormBody } from '@leadflow/platform';
import { handler as health } from '../../../functions/health/handler';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';

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
    const multipart = ['--b', 'Content-Disposition: form-data; name="tag"', '', 'x', '--b', 'Content-Disposition: form-data; name="tag"', '', 'y', '--b--', ''].join('\r\n');
    expect(await readFormBody(event(multipart, 'multipart/form-data; boundary=b'))).toEqual({ tag: ['x', 'y'] });
  });

  // A complexity guard, not a timing target: the list was copied on every repeat, and 32,000 repeats took minutes.
  it('reads a 64 KB post of one name repeated 32,000 times as one list, in time linear in its size', { timeout: 10_000 }, async () => {
    const repeats = 32 * 1024 - 1;
    const fields = await readFormBody(event('a&'.repeat(repeats), 'application/x-www-form-urlencoded'));
    expect(fields.a).toHaveLength(repeats);
    const multipart = `${'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n\r\n'.repeat(1000)}--b--\r\n`;
    expect((await readFormBody(event(multipart, 'multipart/form-data; boundary=b'))).a).toHaveLength(1000);
  });

  describe('file parts the parser reads', () => {
    const post = (...parts: string[][]) => event([...parts.flatMap((part) => ['--b', ...part]), '--b--', ''].join('\r\n'), 'multipart/form-data; boundary=b');
    const name = ['Content-Disposition: form-data; name="name"', '', 'Ada'];
    const email = ['Content-Disposition: form-data; name="email"', '', 'ada@example.com'];

    it('refuses a file with content with a 400 naming its field, rather than dropping it unseen', async () => {
      const cv = ['Content-Disposition: form-data; name="cv"; filename="cv.pdf"', 'Content-Type: application/pdf', '', '%PDF'];
      expect(await errorOf(() => readFormBody(post(name, cv, email)))).toMatchObject({
        statusCode: 400,
        message: 'File uploads are not accepted: send "cv" as a text field, not a file',
        details: { issues: [{ path: 'cv', message: 'must be a text field, not a file' }] },
      });
      // A zero-byte file that was chosen is as good as none; one byte is content.
      const brief = ['Content-Disposition: form-data; name="brief"; filename="brief.txt"', 'Content-Type: text/plain', '', 'x'];
      const photos = (file: string) => ['Content-Disposition: form-data; name="photos"; filename="' + file + '"', 'Content-Type: image/png', '', 'PNG'];
      expect(await errorOf(() => readFormBody(post(photos('a.png'), name, brief, photos('b.png'))))).toMatchObject({
        statusCode: 400,
        message: 'File uploads are not accepted: send "photos", "brief" as text fields, not files',
        details: {
          issues: [
            { path: 'photos', message: 'must be a text field, not a file' },
            { path: 'brief', message: 'must be a text field, not a file' },
          ],
        },
      });
    });

    it('reads the post without an empty file part, as browsers send an optional file input left empty', async () => {
      const leftEmpty = ['Content-Disposition: form-data; name="cv"; filename=""', 'Content-Type: application/octet-stream', '', ''];
      const emptyFile = ['Content-Disposition: form-data; name="brief"; filename="brief.txt"', 'Content-Type: text/plain', '', ''];
      expect(await readFormBody(post(name, leftEmpty, email, emptyFile))).toEqual({ name: 'Ada', email: 'ada@example.com' });
    });

    it('names only the files with content, not an empty file input beside them, though their bytes hold the boundary text', async () => {
      // "b" in "ab@example.com": Node's own parser trips on the boundary's text in content.
      const leftEmpty = ['Content-Disposition: form-data; name="cv"; filename=""', 'Content-Type: application/octet-stream', '', ''];
      const asFile = ['Content-Disposition: form-data; name="email"; filename="a.txt"', 'Content-Type: text/plain', '', 'ab@example.com'];
      expect(await errorOf(() => readFormBody(post(leftEmpty, name, asFile)))).toMatchObject({
        statusCode: 400,
        message: 'File uploads are not accepted: send "email" as a text field, not a file',
        details: { issues: [{ path: 'email', message: 'must be a text field, not a file' }] },
      });
    });
  });

  it('answers malformed bodies, unknown types and oversize bodies with clear 4xx errors', async () => {
    expect(await errorOf(() => readFormBody(event('{"name":', 'application/json')))).toMatchObject({ statusCode: 400, details: { issues: [{ path: '(body)', message: 'must be valid JSON' }] } });
    expect(await errorOf(() => readFormBody(event('[1,2]', 'application/json')))).toMatchObject({ statusCode: 400, message: 'Body must be a JSON object' });
    expect(await errorOf(() => readFormBody(event('no boundary here', 'multipart/form-data; boundary=zz')))).toMatchObject({ statusCode: 400 });
    expect(await errorOf(() => readFormBody(event('x', 'text/plain')))).toMatchObject({ statusCode: 415 });
    expect(await errorOf(() => readFormBody(event('x')))).toMatchObject({ statusCode: 415, message: expect.stringContaining('"(none)"') });
    expect(await errorOf(() => readFormBody(event('a'.repeat(64 * 1024 + 1), 'application/json')))).toMatchObject({ statusCode: 413 });
  });

  it('reads fields holding the boundary text as the text they are; only a delimiter line ends a part', async () => {
    const field = (value: string) => ['--b0', 'Content-Disposition: form-data; name="message"', '', value, '--b0', 'Content-Disposition: form-data; name="email"', '', 'b0@example.com', '--b0--', ''].join('\r\n');
    // Node's own parser (undici, in 20 and 22) refuses each of these well-formed bodies.
    for (const message of ['see --b0 here', 'b0', 'ab0--b0--']) {
      expect(await readFormBody(event(field(message), 'multipart/form-data; boundary=b0'))).toEqual({ message, email: 'b0@example.com' });
    }
    // Transport padding after a delimiter, a preamble and an epilogue are not content; a name's escaped quote is a quote.
    const padded = ['preamble', '--b0 \t', 'Content-Disposition: form-data; name="say %22hi%22"', '', 'x', '--b0--', 'epilogue'].join('\r\n');
    expect(await readFormBody(event(padded, 'multipart/form-data; boundary="b0"'))).toEqual({ 'say "hi"': 'x' });
    // A part with no blank line after its head, or with no name, is not form data.
    for (const part of [['Content-Disposition: form-data; name="name"'], ['Content-Disposition: form-data', '', 'x']]) {
      expect(await errorOf(() => readFormBody(event(['--b0', ...part, '--b0--', ''].join('\r\n'), 'multipart/form-data; boundary=b0')))).toMatchObject({
        statusCode: 400,
        details: { issues: [{ path: '(body)', message: 'must be valid multipart/form-data' }] },
      });
    }
  });

  it('answers a multipart post with a file whose bytes hold the boundary text with a 400 naming that part, not the boundary', async () => {
    const multipart = [
      '--x',
      'Content-Disposition: form-data; name="name"',
      '',
      'A',
      '--x',
      'Content-Disposition: form-data; name="email"; filename="a.txt"',
      'Content-Type: text/plain',
      '',
      'mp@acme.example.com',
      '--x--',
      '',
    ].join('\r\n');
    expect(await errorOf(() => readFormBody(event(multipart, 'multipart/form-data; boundary=x')))).toMatchObject({
      statusCode: 400,
      message: 'File uploads are not accepted: send "email" as a text field, not a file',
      details: { issues: [{ path: 'email', message: 'must be a text field, not a file' }] },
    });
    // No closing delimiter: a body that does not parse is about the boundary.
    expect(await errorOf(() => readFormBody(event('--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nA', 'multipart/form-data; boundary=x')))).toMatchObject({
      statusCode: 400,
      details: { issues: [{ path: '(body)', message: 'must be valid multipart/form-data' }] },
    });
  });

  it('refuses JSON declared in a charset other than UTF-8 with a 415 naming the charset; UTF-8 in any spelling is read', async () => {
    for (const contentType of ['application/json; charset=utf-16', 'application/json; charset=iso-8859-1', 'Application/JSON; Charset="Windows-1252"']) {
      const error = await errorOf(() => readFormBody(event('{"name":"Ada"}', contentType)));
      expect({ contentType, status: error.statusCode, issues: error.details.issues }).toEqual({
        contentType,
        status: 415,
        issues: [{ path: 'content-type', message: expect.stringMatching(/^charset must be utf-8, not "/) }],
      });
      expect(error.message).toContain('is not read; send JSON as UTF-8');
    }
    for (const contentType of ['application/json; charset=UTF-8', 'application/json;charset="utf-8"', 'application/json; charset=utf8']) {
      expect(await readFormBody(event('{"name":"Ada"}', contentType))).toEqual({ name: 'Ada' });
    }
    // Other types keep their own charset rules (a CSV may be windows-1252).
    expect(readCsvBody(event('a,b', 'text/csv; charset=windows-1252'))).toBe('a,b');
  });
});

describe('GET /health', () => {
  it('answers ok, and refuses a query parameter by name as every route that takes none does', async () => {
    const call = async (query?: Record<string, string>) => (await health(httpEvent({ path: '/health', query }), lambdaContext)) as { statusCode: number; body: string };
    expect(await call()).toMatchObject({ statusCode: 200, body: '{"status":"ok"}' });
    const answer = await call({ x: '1' });
    expect({ status: answer.statusCode, issues: JSON.parse(answer.body).issues }).toEqual({ status: 400, issues: [{ path: 'x', message: 'is not a parameter of this request; it takes none' }] });
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

  it('leave UTF-8 alone: percent-escaped UTF-8 and a stray "%"; a file of any bytes is refused as a file', async () => {
    expect(await readFormBody(event('name=Jos%C3%A9&discount=50%&x=%zz', 'application/x-www-form-urlencoded'))).toEqual({ name: 'José', discount: '50%', x: '%zz' });
    const withFile = Buffer.concat([
      Buffer.from('--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nJosé\r\n--b\r\nContent-Disposition: form-data; name="cv"; filename="cv.bin"\r\n\r\n'),
      Buffer.from([0xff, 0xfe, 0xe9]),
      Buffer.from('\r\n--b--\r\n'),
    ]);
    // The file is refused as a file, whatever its bytes, never as text that is not UTF-8.
    expect(await errorOf(() => readFormBody(event(withFile.toString('base64'), 'multipart/form-data; boundary=b', { isBase64Encoded: true })))).toMatchObject({
      statusCode: 400,
      details: { issues: [{ path: 'cv', message: 'must be a text field, not a file' }] },
    });
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

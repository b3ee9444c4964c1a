import { secretRefs } from '@leadflow/domain';
import { TurnstileVerifier } from '@leadflow/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/capture-form-submission/handler';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { fakeDependencies } from '../../support/fakes';
import { scriptedHttpServer } from '../../support/scripted-http-server';

/** A siteverify stand-in that answers each path as the test scripted it. */
let siteverify: Awaited<ReturnType<typeof scriptedHttpServer>>;
let base: string;
beforeAll(async () => {
  siteverify = await scriptedHttpServer((request, response) => {
    if (request.url === '/bad-gateway') response.writeHead(502, { 'content-type': 'text/html' }).end('<h1>502 Bad Gateway</h1>');
    else if (request.url === '/not-json') response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Maintenance</h1>');
    else response.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
  });
  base = siteverify.base;
});
afterAll(() => siteverify.close());

function submitVerifiedAt(path: string) {
  const deps = fakeDependencies();
  deps.config.forms[0].turnstile = true;
  deps.secrets.values[secretRefs.turnstileSecretKey('demo').name] = { current: 'turnstile-secret' };
  deps.humanVerifier = new TurnstileVerifier(`${base}${path}`);
  const body = JSON.stringify({ name: 'Ada', email: 'ada@example.com', 'cf-turnstile-response': 'token' });
  const event = httpEvent({ method: 'POST', path: '/forms/demo/submissions', pathParameters: { formId: 'demo' }, headers: { 'content-type': 'application/json' }, body });
  return createHandler(() => deps)(event, lambdaContext) as Promise<any>;
}

describe('TurnstileVerifier behind the capture handler', () => {
  it('answers 503 with Retry-After when siteverify fails on its side or answers something not JSON, as when it cannot be reached', async () => {
    for (const path of ['/bad-gateway', '/not-json']) {
      const response = await submitVerifiedAt(path);
      expect(response.statusCode, path).toBe(503);
      expect(response.headers['retry-after'], path).toBe('5');
    }
  });

  it('stores the lead when siteverify accepts the token', async () => {
    expect((await submitVerifiedAt('/ok')).statusCode).toBe(202);
  });
});

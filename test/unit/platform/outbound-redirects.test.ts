import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { afterFailedFeedback, feedbackRefusal, secretRefs } from '@leadflow/domain';
import { HttpConversionFeedbackSender, HttpWebhookSender, LinkedInLeadReader, logger, MetaGraphLeadReader, TikTokLeadReader, TurnstileVerifier } from '@leadflow/platform';
import { createHandler as createCapture } from '../../../functions/capture-form-submission/handler';
import { createHandler as createReceiveTikTok } from '../../../functions/receive-tiktok-leads/handler';
import { exampleDelivery } from '../../../scripts/webhook-examples';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { signWithDemoSecrets } from '../../support/demo-secrets';
import { fakeDependencies } from '../../support/fakes';
import { scriptedHttpServer } from '../../support/scripted-http-server';

/**
 * Every outbound call carries a credential (a token header, a token or secret in the body, a signature),
 * so none follows a redirect: `configured` answers every request with a 307 (or 308) to `elsewhere`, on
 * another port (another origin, where fetch would drop only `Authorization`), which must see nothing.
 */
let configured: Awaited<ReturnType<typeof scriptedHttpServer>>;
let elsewhere: Awaited<ReturnType<typeof scriptedHttpServer>>;
beforeAll(async () => {
  // Were a redirect followed, what `elsewhere` answers would make each call succeed.
  elsewhere = await scriptedHttpServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"code":0,"data":{},"success":true}'));
  configured = await scriptedHttpServer((request, response) => {
    const status = request.url?.startsWith('/308') ? 308 : 307;
    response.writeHead(status, { location: `${elsewhere.base}/collect?access_token=leaked` }).end();
  });
});
afterAll(async () => {
  await configured.close();
  await elsewhere.close();
});

const notFollowed = (status = 307) => `answered HTTP ${status}: a redirect to ${elsewhere.base}, not followed`;

describe('outbound calls refuse redirects', () => {
  it('platform read-backs (TikTok, Meta, LinkedIn) reject with the redirect named, and the token goes nowhere else', async () => {
    const reads = [
      ['The TikTok Business API', () => new TikTokLeadReader(configured.base).readLead({ leadId: 'L1', pageId: 'P1', advertiserId: 'A1', accessToken: 'tt-token' })],
      ['The Meta Graph API', () => new MetaGraphLeadReader(configured.base).readLead({ leadgenId: '1', accessToken: 'page-token' })],
      ['The LinkedIn API', () => new LinkedInLeadReader(configured.base).readLead({ responseId: 'r', accessToken: 'li-token', apiVersion: '202505' })],
    ] as const;
    for (const [platform, read] of reads) await expect(read(), platform).rejects.toThrow(`${platform} ${notFollowed()}`);
    expect(elsewhere.requests()).toBe(0);
  });

  it('a signed TikTok delivery whose read is redirected stays pending with that reason, to be retried like any failed read', async () => {
    const deps = fakeDependencies();
    deps.platformLeads.tiktok = new TikTokLeadReader(configured.base);
    const delivery = exampleDelivery('tiktok', deps.config, signWithDemoSecrets, { id: 'T-redirected', now: deps.now() });
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const response = (await createReceiveTikTok(() => deps)(httpEvent({ method: 'POST', path: delivery.path, headers: delivery.headers, body: delivery.body }), lambdaContext)) as { statusCode: number };
    warn.mockRestore();
    expect(response.statusCode).toBe(200);
    expect(deps.intakes.records.get('INTAKE#tiktok#T-redirected')).toMatchObject({ status: 'pending_fetch', attempts: 1, lastError: `The TikTok Business API ${notFollowed()}`, nextAttemptAt: expect.any(String) });
    expect(elsewhere.requests()).toBe(0);
  });

  it('conversion sends (Meta CAPI, whose body holds the access token, and Google) fail with the 3xx, which waits and retries rather than dead-lettering', async () => {
    const sender = new HttpConversionFeedbackSender({ metaGraph: `${configured.base}/308`, googleDataManager: configured.base });
    const meta = await sender.meta('{"data":[],"access_token":"capi-token"}', '1122334455667788', 'v26.0');
    const google = await sender.google({ events: [] }, 'google-token');
    expect(meta).toEqual({ ok: false, status: 308, error: `Meta Conversions API ${notFollowed(308)}` });
    expect(google).toEqual({ ok: false, status: 307, error: `Google Data Manager API ${notFollowed()}` });
    expect(elsewhere.requests()).toBe(0);
    // A redirect is a base URL someone can correct, not a bad event: the conversion is kept for the next run.
    expect(feedbackRefusal('meta', meta as { status: number })).toBe('transient');
    const item = { platform: 'meta', occurredAt: '2026-03-20T17:00:00.000Z', attempts: 0 } as Parameters<typeof afterFailedFeedback>[0];
    expect(afterFailedFeedback(item, { error: 'redirected', refusal: 'transient' }, new Date('2026-03-20T18:00:00.000Z'))).toHaveProperty('retry');
  });

  it('Turnstile: the secret key is not posted elsewhere, and the capture fails as for a misconfigured verify URL', async () => {
    await expect(new TurnstileVerifier(`${configured.base}/siteverify`).verify({ secretKey: 'turnstile-secret', token: 'token' })).rejects.toThrow(`Turnstile verification ${notFollowed()}`);
    const deps = fakeDependencies();
    deps.config.forms[0].turnstile = true;
    deps.secrets.values[secretRefs.turnstileSecretKey('demo').name] = { current: 'turnstile-secret' };
    deps.humanVerifier = new TurnstileVerifier(`${configured.base}/siteverify`);
    const body = JSON.stringify({ name: 'Ada', email: 'ada@example.com', 'cf-turnstile-response': 'token' });
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const response = (await createCapture(() => deps)(
      httpEvent({ method: 'POST', path: '/forms/demo/submissions', pathParameters: { formId: 'demo' }, headers: { 'content-type': 'application/json' }, body }),
      lambdaContext,
    )) as {
      statusCode: number;
    };
    error.mockRestore();
    expect(response.statusCode).toBe(500);
    expect(deps.store.leads.size).toBe(0);
    expect(elsewhere.requests()).toBe(0);
  });

  it('outbound webhooks: a failed attempt naming the redirect, the signed body sent nowhere else', async () => {
    const attempt = await new HttpWebhookSender().post(new URL('/hooks', configured.base), '{}', { 'x-leadflow-signature': 'sig' }, 2_000);
    expect(attempt).toEqual({ ok: false, status: 307, error: `${configured.base} ${notFollowed()}` });
    expect(elsewhere.requests()).toBe(0);
  });

  it('no code calls fetch but the one place that refuses redirects (the local runtime talks only to its own DynamoDB Local)', () => {
    const root = join(__dirname, '../../..');
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.name === 'node_modules' ? [] : entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []));
    const callers = [...sources(join(root, 'packages')), ...sources(join(root, 'functions'))]
      .map((file) => relative(root, file))
      .filter((file) => !file.startsWith('packages/local-runtime/') && /(^|[^.\w])fetch\(/.test(readFileSync(join(root, file), 'utf8')));
    expect(callers).toEqual(['packages/platform/src/adapters/outbound-http.ts']);
  });
});

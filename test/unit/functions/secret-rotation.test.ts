import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { linkedInChallengeResponse, secretRefs, type SecretRef } from '@leadflow/domain';
import { manifestFunctions } from '@leadflow/manifest';
import { demoConfiguration } from '../../support/demo-configuration';
import { createHandler as createVerifyMeta } from '../../../functions/verify-meta-webhook/handler';
import { createHandler as createReceiveMeta } from '../../../functions/receive-meta-leads/handler';
import { createHandler as createReceiveGoogle } from '../../../functions/receive-google-leads/handler';
import { createHandler as createVerifyLinkedIn } from '../../../functions/verify-linkedin-webhook/handler';
import { createHandler as createReceiveLinkedIn } from '../../../functions/receive-linkedin-leads/handler';
import { createHandler as createReceiveTikTok } from '../../../functions/receive-tiktok-leads/handler';
import { createHandler as createReceiveGeneric } from '../../../functions/receive-generic-webhook/handler';
import { createHandler as createRetry } from '../../../functions/retry-pending-fetches/handler';
import { exampleDelivery, type SigningSecrets, type WebhookChannel } from '../../../scripts/webhook-examples';
import { fakeDependencies } from '../../support/fakes';
import { signWithDemoSecrets } from '../../support/demo-secrets';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';

/** The functions of the demo configuration, as `npm start` hosts them. */
const functions = manifestFunctions(demoConfiguration());

type Deps = ReturnType<typeof fakeDependencies>;
type Handler = (event: APIGatewayProxyEventV2, context: typeof lambdaContext) => Promise<unknown>;
type Response = { statusCode: number; body: string };

/** Each signed channel: the function that receives it and the secret its sender signs with. */
const channels: Record<WebhookChannel, { functionName: string; create: (deps: () => Deps) => Handler; secret: SecretRef }> = {
  meta: { functionName: 'receive-meta-leads', create: createReceiveMeta, secret: secretRefs.metaAppSecret },
  google: { functionName: 'receive-google-leads', create: createReceiveGoogle, secret: secretRefs.googleFormKey('349080077126') },
  linkedin: { functionName: 'receive-linkedin-leads', create: createReceiveLinkedIn, secret: secretRefs.linkedInClientSecret },
  tiktok: { functionName: 'receive-tiktok-leads', create: createReceiveTikTok, secret: secretRefs.tikTokAppSecret },
  generic: { functionName: 'receive-generic-webhook', create: createReceiveGeneric, secret: secretRefs.genericSourceSecret('partner-acme') },
};

const newValue = 'rotated-value-of-2027-0123456789';

/** Signs the channel's secret with `value` and every other secret as the demo sender does. */
const signingWith =
  (channel: WebhookChannel, value: string): SigningSecrets =>
  (secret) =>
    secret.name === channels[channel].secret.name ? value : signWithDemoSecrets(secret);

async function deliver(deps: Deps, channel: WebhookChannel, signWith: SigningSecrets): Promise<Response> {
  const delivery = exampleDelivery(channel, deps.config, signWith, { now: deps.now() });
  const pathParameters = channel === 'generic' ? { sourceId: 'partner-acme' } : undefined;
  const event = httpEvent({ method: 'POST', path: delivery.path, pathParameters, headers: delivery.headers, body: delivery.body });
  return (await channels[channel].create(() => deps)(event, lambdaContext)) as Response;
}

async function handshake(create: (deps: () => Deps) => Handler, deps: Deps, query: Record<string, string>): Promise<Response> {
  const event = { ...httpEvent({ method: 'GET' }), queryStringParameters: query } as APIGatewayProxyEventV2;
  return (await create(() => deps)(event, lambdaContext)) as Response;
}

describe("while a signed channel's secret rotates, the current and the previous value are accepted", () => {
  for (const channel of Object.keys(channels) as WebhookChannel[]) {
    it(`${channel}: previous and current accepted, anything else refused; once the previous is dropped, it is refused`, async () => {
      const deps = fakeDependencies();
      const previousValue = signWithDemoSecrets(channels[channel].secret);
      deps.secrets.rotate(channels[channel].secret, newValue);

      expect((await deliver(deps, channel, signingWith(channel, previousValue))).statusCode, 'signed with the previous value').toBe(200);
      expect((await deliver(deps, channel, signingWith(channel, newValue))).statusCode, 'signed with the current value').toBe(200);
      expect((await deliver(deps, channel, signingWith(channel, 'neither-current-nor-previous-value'))).statusCode).toBe(401);

      deps.secrets.values[channels[channel].secret.name] = newValue;
      expect((await deliver(deps, channel, signingWith(channel, previousValue))).statusCode, 'rotation finished').toBe(401);
      expect((await deliver(deps, channel, signingWith(channel, newValue))).statusCode).toBe(200);
    });
  }

  it('Meta handshake: the previous and the current verify token are accepted, no other', async () => {
    const deps = fakeDependencies();
    const previousValue = signWithDemoSecrets(secretRefs.metaVerifyToken);
    deps.secrets.rotate(secretRefs.metaVerifyToken, newValue);
    const answer = (token: string) => handshake(createVerifyMeta, deps, { 'hub.mode': 'subscribe', 'hub.verify_token': token, 'hub.challenge': '1158201444' });
    expect((await answer(previousValue)).statusCode).toBe(200);
    expect((await answer(newValue)).statusCode).toBe(200);
    expect((await answer('another-verify-token')).statusCode).toBe(403);
  });

  it('LinkedIn validation is answered with the current client secret, the one LinkedIn now holds', async () => {
    const deps = fakeDependencies();
    deps.secrets.rotate(secretRefs.linkedInClientSecret, newValue);
    const response = await handshake(createVerifyLinkedIn, deps, { challengeCode: 'f3bd3e6b-2c1d-4e0a' });
    expect(JSON.parse(response.body)).toEqual({ challengeCode: 'f3bd3e6b-2c1d-4e0a', challengeResponse: linkedInChallengeResponse(newValue, 'f3bd3e6b-2c1d-4e0a') });
  });
});

describe('outbound calls use the current value only', () => {
  it('reads leads back with the current access token of each platform', async () => {
    const deps = fakeDependencies();
    const tokens = { meta: secretRefs.metaPageAccessToken, linkedin: secretRefs.linkedInAccessToken, tiktok: secretRefs.tikTokAccessToken };
    for (const [platform, token] of Object.entries(tokens)) deps.secrets.rotate(token, `${newValue}-${platform}`);
    for (const channel of ['meta', 'linkedin', 'tiktok'] as const) expect((await deliver(deps, channel, signWithDemoSecrets)).statusCode).toBe(200);
    expect(deps.platformLeads.calls.map(({ platform, query }) => [platform, query.accessToken])).toEqual([
      ['meta', `${newValue}-meta`],
      ['linkedin', `${newValue}-linkedin`],
      ['tiktok', `${newValue}-tiktok`],
    ]);
  });
});

describe('each handler reads only the secret kinds its manifest entry declares (what CDK grants it)', () => {
  const declared = (name: string) => functions.find((definition) => definition.name === name)?.secrets ?? [];
  const kindsRead = (deps: Deps) => [...new Set(deps.secrets.read.map((secret) => secret.kind))];

  for (const channel of Object.keys(channels) as WebhookChannel[]) {
    it(channels[channel].functionName, async () => {
      const deps = fakeDependencies();
      expect((await deliver(deps, channel, signWithDemoSecrets)).statusCode).toBe(200);
      expect(kindsRead(deps).length).toBeGreaterThan(0);
      expect(declared(channels[channel].functionName)).toEqual(expect.arrayContaining(kindsRead(deps)));
    });
  }

  it('verify-meta-webhook, verify-linkedin-webhook and retry-pending-fetches', async () => {
    const meta = fakeDependencies();
    await handshake(createVerifyMeta, meta, { 'hub.mode': 'subscribe', 'hub.verify_token': 'x-verify-token', 'hub.challenge': '1' });
    expect(kindsRead(meta)).toEqual(declared('verify-meta-webhook'));
    const linkedin = fakeDependencies();
    await handshake(createVerifyLinkedIn, linkedin, { challengeCode: 'abc' });
    expect(kindsRead(linkedin)).toEqual(declared('verify-linkedin-webhook'));

    const retry = fakeDependencies();
    for (const platform of ['meta', 'linkedin', 'tiktok'] as const) retry.platformLeads.down.add(platform);
    for (const channel of ['meta', 'linkedin', 'tiktok'] as const) await deliver(retry, channel, signWithDemoSecrets);
    for (const platform of ['meta', 'linkedin', 'tiktok'] as const) retry.platformLeads.down.delete(platform);
    retry.secrets.read.length = 0;
    expect(await createRetry(() => retry)({ scheduleName: 'retry-pending-fetches', time: '2026-03-02T10:20:00.000Z' }, lambdaContext)).toMatchObject({ fetched: 3 });
    expect(kindsRead(retry).sort()).toEqual([...declared('retry-pending-fetches')].sort());
  });
});

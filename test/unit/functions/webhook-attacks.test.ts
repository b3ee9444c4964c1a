import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { leadSignature, maxTikTokLeadsPerDelivery, secretRefs, tikTokSignature } from '@leadflow/domain';
import { createHandler as createVerifyLinkedIn } from '../../../functions/verify-linkedin-webhook/handler';
import { createHandler as createReceiveLinkedIn } from '../../../functions/receive-linkedin-leads/handler';
import { createHandler as createReceiveTikTok } from '../../../functions/receive-tiktok-leads/handler';
import { createHandler as createReceiveGeneric } from '../../../functions/receive-generic-webhook/handler';
import { createHandler as createReceiveMeta } from '../../../functions/receive-meta-leads/handler';
import { exampleDelivery } from '../../../scripts/webhook-examples';
import { fakeDependencies } from '../../support/fakes';
import { signWithDemoSecrets } from '../../support/demo-secrets';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';

/** The attacks of issue 6 (items 1, 2 and 8), replayed against the handlers: each must fail. */

type Deps = ReturnType<typeof fakeDependencies>;
type Answer = { statusCode: number; headers: Record<string, string>; body: string };
type Handler = (event: APIGatewayProxyEventV2, context: typeof lambdaContext) => Promise<unknown>;

async function call(handler: Handler, event: APIGatewayProxyEventV2) {
  const answer = (await handler(event, lambdaContext)) as Answer;
  return { ...answer, json: JSON.parse(answer.body || 'null') };
}

function post(path: string, body: string, headers: Record<string, string>, pathParameters?: Record<string, string>) {
  return httpEvent({ method: 'POST', path, pathParameters, headers: { 'content-type': 'application/json', ...headers }, body });
}

describe('LinkedIn: the challenge cannot sign a delivery', () => {
  it('a DELETED notification sent as challengeCode gets no answer, and no answer the challenge gives signs a delivery: the lead keeps its data', async () => {
    const deps = fakeDependencies();
    const receive = createReceiveLinkedIn(() => deps) as unknown as Handler;
    const verify = createVerifyLinkedIn(() => deps) as unknown as Handler;
    const created = await call(receive, postSigned(deps, 'victim-1', 'CREATED'));
    expect(created.statusCode).toBe(200);
    const leadId = created.json.deliveries[0].leadId as string;

    // The attacker's body, and the two ways the old code let the challenge sign it.
    const forged = exampleDelivery('linkedin', deps.config, signWithDemoSecrets, { id: 'victim-1', leadAction: 'DELETED', now: deps.now() }).body;
    for (const challengeCode of [forged, `hmacsha256=${forged}`]) {
      const challenge = await call(verify, { ...httpEvent({ method: 'GET', path: '/webhooks/linkedin' }), queryStringParameters: { challengeCode } });
      expect(challenge.statusCode).toBe(400);
      expect(challenge.json.issues).toEqual([{ path: 'challengeCode', message: 'is required: letters, digits and "-" only, at most 64 (LinkedIn sends a uuid4)' }]);
    }
    // What the challenge does answer, a code, is refused as a delivery with that answer as its signature.
    const code = 'f3bd3e6b-2c1d-4e0a';
    const challenge = await call(verify, { ...httpEvent({ method: 'GET', path: '/webhooks/linkedin' }), queryStringParameters: { challengeCode: code } });
    for (const signature of [challenge.json.challengeResponse as string, `hmacsha256=${challenge.json.challengeResponse}`]) {
      const attack = await call(receive, post('/webhooks/linkedin', code, { 'x-li-signature': signature }));
      expect(attack.statusCode).toBe(401);
    }
    expect(deps.store.leads.get(leadId)).toMatchObject({ status: 'new', contact: { email: expect.any(String) } });
    expect([...deps.store.outbox.values()].map((event) => event.detailType)).toEqual(['lead.captured', 'lead.scored']);
  });
});

function postSigned(deps: Deps, id: string, leadAction: 'CREATED' | 'DELETED') {
  const delivery = exampleDelivery('linkedin', deps.config, signWithDemoSecrets, { id, leadAction, now: deps.now() });
  return post(delivery.path, delivery.body, delivery.headers);
}

describe('TikTok: unsigned triggers do nothing', () => {
  const unix = (deps: Deps) => Math.floor(deps.now().getTime() / 1000);
  const manyLeads = (count: number) => JSON.stringify({ advertiser_id: '666', entry: Array.from({ length: count }, (_, index) => ({ id: `attacker-${index}`, page_id: '7410000000000000001', advertiser_id: '666' })) });

  it('an unsigned body naming 20 leads and an attacker advertiser is 401, writing nothing and reading nothing', async () => {
    const deps = fakeDependencies();
    const receive = createReceiveTikTok(() => deps) as unknown as Handler;
    const attack = await call(receive, post('/webhooks/tiktok', manyLeads(20), {}));
    expect(attack.statusCode).toBe(401);
    expect({ intakes: deps.intakes.records.size, reads: deps.platformLeads.calls.length }).toEqual({ intakes: 0, reads: 0 });
  });

  it(`a signed delivery may name at most ${maxTikTokLeadsPerDelivery} leads, and the advertiser in the body is never used`, async () => {
    const deps = fakeDependencies();
    const receive = createReceiveTikTok(() => deps) as unknown as Handler;
    const secret = signWithDemoSecrets(secretRefs.tikTokAppSecret);
    const tooMany = manyLeads(maxTikTokLeadsPerDelivery + 1);
    const refused = await call(receive, post('/webhooks/tiktok', tooMany, { 'tiktok-signature': tikTokSignature(tooMany, secret, unix(deps)) }));
    expect(refused.statusCode).toBe(400);
    expect(deps.intakes.records.size).toBe(0);

    const one = manyLeads(1);
    const accepted = await call(receive, post('/webhooks/tiktok', one, { 'tiktok-signature': tikTokSignature(one, secret, unix(deps)) }));
    expect(accepted.statusCode).toBe(200);
    expect(deps.platformLeads.calls.map((read) => (read.query as { advertiserId: string }).advertiserId)).toEqual([deps.config.integrations.tiktok!.advertiserId]);
  });

  it('allowUnsigned on one form does not open the others', async () => {
    const deps = fakeDependencies();
    deps.config.integrations.tiktok!.forms.push({ ...deps.config.integrations.tiktok!.forms[0], pageId: '7410000000000000002', allowUnsigned: true });
    const receive = createReceiveTikTok(() => deps) as unknown as Handler;
    const mixed = JSON.stringify({
      entry: [
        { id: 'a', page_id: '7410000000000000002' },
        { id: 'b', page_id: '7410000000000000001' },
      ],
    });
    expect((await call(receive, post('/webhooks/tiktok', mixed, {}))).statusCode).toBe(401);
    const open = JSON.stringify({ entry: [{ id: 'a', page_id: '7410000000000000002' }] });
    expect((await call(receive, post('/webhooks/tiktok', open, {}))).statusCode).toBe(200);
  });
});

describe('webhook intake is rate-limited per endpoint and sender', () => {
  it('answers 429 with retry-after once a sender is over the limit, before reading the body; other endpoints are counted apart', async () => {
    const deps = fakeDependencies();
    deps.config.integrations.webhookRateLimitPerMinute = 3;
    const tiktok = createReceiveTikTok(() => deps) as unknown as Handler;
    const meta = createReceiveMeta(() => deps) as unknown as Handler;
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) statuses.push((await call(tiktok, post('/webhooks/tiktok', '{}', {}))).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const limited = await call(tiktok, post('/webhooks/tiktok', '{}', {}));
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect((await call(meta, post('/webhooks/meta', '{}', {}))).statusCode).toBe(401);
  });
});

describe('generic webhook: a delivery without event_id cannot be replayed as new', () => {
  it('the same signed request with another Idempotency-Key is a replay of the same lead', async () => {
    const deps = fakeDependencies();
    const receive = createReceiveGeneric(() => deps) as unknown as Handler;
    const source = deps.config.integrations.generic!.sources[0];
    const body = JSON.stringify({ fields: { email: 'replayed@example.com', name: 'Replay Target' } });
    const headers = { 'x-lead-signature': leadSignature(body, signWithDemoSecrets(secretRefs.genericSourceSecret(source.id)), Math.floor(deps.now().getTime() / 1000)) };
    const first = await call(receive, post(`/webhooks/generic/${source.id}`, body, { ...headers, 'idempotency-key': 'k-1' }, { sourceId: source.id }));
    const replay = await call(receive, post(`/webhooks/generic/${source.id}`, body, { ...headers, 'idempotency-key': 'k-2' }, { sourceId: source.id }));
    expect(first.statusCode).toBe(200);
    expect(replay.json).toEqual({ leadId: first.json.leadId, duplicate: true });
    const lead = deps.store.leads.get(first.json.leadId)!;
    expect({ leads: deps.store.leads.size, touches: lead.touches }).toEqual({ leads: 1, touches: 1 });
  });
});

describe('webhook bodies that are not UTF-8', () => {
  it('are a 400 naming the problem, even when correctly signed, and nothing is written', async () => {
    const deps = fakeDependencies();
    const receive = createReceiveGeneric(() => deps) as unknown as Handler;
    const source = deps.config.integrations.generic!.sources[0];
    const bytes = Buffer.from('{"event_id":"latin1-1","fields":{"name":"José","email":"jose@example.com"}}', 'latin1');
    const event = {
      ...post(
        `/webhooks/generic/${source.id}`,
        bytes.toString('base64'),
        { 'x-lead-signature': leadSignature(bytes, signWithDemoSecrets(secretRefs.genericSourceSecret(source.id)), Math.floor(deps.now().getTime() / 1000)) },
        { sourceId: source.id },
      ),
      isBase64Encoded: true,
    };
    const answer = await call(receive, event);
    expect(answer.statusCode).toBe(400);
    expect(answer.json).toEqual({ error: 'Body is not valid UTF-8 (line 1); send UTF-8 text', issues: [{ path: '(body)', message: 'must be UTF-8 text' }] });
    expect(deps.store.leads.size).toBe(0);
  });
});

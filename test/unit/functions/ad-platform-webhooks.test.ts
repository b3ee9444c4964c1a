import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { leadSchema, leadSignature, linkedInSignature, maxMetaDeliveryBytes, metaSignature, secretRefs, tikTokSignature } from '@leadflow/domain';
import { logger } from '@leadflow/platform';
import { createHandler as createVerifyMeta } from '../../../functions/verify-meta-webhook/handler';
import { createHandler as createReceiveMeta } from '../../../functions/receive-meta-leads/handler';
import { createHandler as createReceiveGoogle } from '../../../functions/receive-google-leads/handler';
import { createHandler as createVerifyLinkedIn } from '../../../functions/verify-linkedin-webhook/handler';
import { createHandler as createReceiveLinkedIn } from '../../../functions/receive-linkedin-leads/handler';
import { createHandler as createReceiveTikTok } from '../../../functions/receive-tiktok-leads/handler';
import { createHandler as createReceiveGeneric } from '../../../functions/receive-generic-webhook/handler';
import { createHandler as createRetry } from '../../../functions/retry-pending-fetches/handler';
import { exampleDelivery, type ExampleDelivery, type ExampleOptions, type WebhookChannel } from '../../../scripts/webhook-examples';
import { fakeDependencies } from '../../support/fakes';
import { signWithDemoSecrets } from '../../support/demo-secrets';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { sampleTikTokLead } from '../../support/fake-platforms';

type Deps = ReturnType<typeof fakeDependencies>;
type Factory = (deps: () => Deps) => (event: APIGatewayProxyEventV2, context: typeof lambdaContext) => Promise<unknown>;

const receivers: Record<WebhookChannel, Factory> = {
  meta: createReceiveMeta,
  google: createReceiveGoogle,
  linkedin: createReceiveLinkedIn,
  tiktok: createReceiveTikTok,
  generic: createReceiveGeneric,
};

async function send(deps: Deps, delivery: ExampleDelivery, change: { body?: string; headers?: Record<string, string> } = {}) {
  const pathParameters = delivery.channel === 'generic' ? { sourceId: delivery.path.split('/').pop()! } : undefined;
  const event = httpEvent({ method: 'POST', path: delivery.path, pathParameters, headers: { ...delivery.headers, ...change.headers }, body: change.body ?? delivery.body });
  const response = (await receivers[delivery.channel](() => deps)(event, lambdaContext)) as { statusCode: number; headers: Record<string, string>; body: string };
  return { ...response, json: JSON.parse(response.body || 'null') };
}

/** `send`, with the warnings of leads that could not be read muted. */
async function sendWarningsMuted(deps: Deps, delivery: ExampleDelivery) {
  const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
  try {
    return await send(deps, delivery);
  } finally {
    warn.mockRestore();
  }
}

function example(deps: Deps, channel: WebhookChannel, options: ExampleOptions = {}) {
  return exampleDelivery(channel, deps.config, signWithDemoSecrets, { now: deps.now(), ...options });
}

async function get(factory: Factory, deps: Deps, path: string, query: Record<string, string>) {
  const event = { ...httpEvent({ method: 'GET', path }), queryStringParameters: query } as APIGatewayProxyEventV2;
  return (await factory(() => deps)(event, lambdaContext)) as { statusCode: number; headers: Record<string, string>; body: string };
}

function nothingWritten(deps: Deps) {
  expect({ leads: deps.store.leads.size, outbox: deps.store.outbox.size, keys: deps.store.keys.size, intakes: deps.intakes.records.size }).toEqual({ leads: 0, outbox: 0, keys: 0, intakes: 0 });
}

/** A body signed as each platform signs, for the 400 cases (so the signature is not what fails). */
function signedBody(deps: Deps, channel: WebhookChannel, body: string): ExampleDelivery {
  const base = example(deps, channel);
  const unix = Math.floor(deps.now().getTime() / 1000);
  const headers = { ...base.headers };
  if (channel === 'meta') headers['x-hub-signature-256'] = metaSignature(body, signWithDemoSecrets(secretRefs.metaAppSecret));
  if (channel === 'tiktok') headers['tiktok-signature'] = tikTokSignature(body, signWithDemoSecrets(secretRefs.tikTokAppSecret), unix);
  if (channel === 'generic') headers['x-lead-signature'] = leadSignature(body, signWithDemoSecrets(secretRefs.genericSourceSecret('partner-acme')), unix);
  if (channel === 'linkedin') headers['x-li-signature'] = linkedInSignature(body, signWithDemoSecrets(secretRefs.linkedInClientSecret));
  return { ...base, headers, body };
}

const platformsWithFetch = ['meta', 'linkedin', 'tiktok'] as const;

describe('every webhook endpoint refuses bad deliveries with a clear 4xx, writing nothing', () => {
  for (const channel of ['meta', 'google', 'linkedin', 'tiktok', 'generic'] as const) {
    it(`${channel}: a tampered signature (or key) is 401`, async () => {
      const deps = fakeDependencies();
      const response = await send(deps, example(deps, channel, { tamper: true }));
      expect(response.statusCode).toBe(401);
      expect(response.json.error).toMatch(/signature|google_key/i);
      nothingWritten(deps);
    });

    it(`${channel}: malformed JSON is 400 naming the body`, async () => {
      const deps = fakeDependencies();
      const response = await send(deps, signedBody(deps, channel, '{"object":'));
      expect(response.statusCode).toBe(400);
      expect(response.json).toMatchObject({ error: expect.stringMatching(/^Body is not valid JSON/), issues: [{ path: '(body)', message: 'must be valid JSON' }] });
      nothingWritten(deps);
    });

    // Meta's batches of up to 1,000 changes get a limit of their own.
    const limitBytes = channel === 'meta' ? maxMetaDeliveryBytes : 64 * 1024;
    it(`${channel}: a body over ${limitBytes / 1024} KB is 413`, async () => {
      const deps = fakeDependencies();
      const response = await send(deps, signedBody(deps, channel, `{"padding":"${'x'.repeat(limitBytes)}"}`));
      expect(response.statusCode).toBe(413);
      expect(response.json).toEqual({ error: `Request body is larger than ${limitBytes} bytes` });
      nothingWritten(deps);
    });

    it(`${channel}: an endpoint whose platform is not configured is 404`, async () => {
      const deps = fakeDependencies();
      const delivery = example(deps, channel);
      deps.config.integrations = {};
      const response = await send(deps, delivery);
      expect(response.statusCode).toBe(404);
      nothingWritten(deps);
    });
  }

  it('wrong types and missing fields are 400 naming each field', async () => {
    const deps = fakeDependencies();
    const cases: Array<[WebhookChannel, unknown, Array<{ path: string; message: string }>]> = [
      ['meta', { object: 'page', entry: [{ changes: [{ field: 'leadgen', value: { page_id: '1' } }] }] }, [{ path: 'entry[0].changes[0].value.leadgen_id', message: 'must be an id (a string or a whole number)' }]],
      ['google', { form_id: '349080077126', google_key: 'local-only-google-key', lead_id: 'L', user_column_data: 'x' }, [{ path: 'user_column_data', message: 'must be a list of {column_id, string_value}' }]],
      ['google', { google_key: 'k' }, [{ path: 'form_id', message: 'must be an id (a string or a whole number)' }]],
      ['linkedin', { leadAction: 'CREATED' }, [{ path: 'leadGenFormResponse', message: 'is required: the URN of the lead form response' }]],
      ['tiktok', { entry: [{ id: 'L1' }] }, [{ path: 'entry[0].page_id', message: 'is required: the instant form (page) the lead was submitted on' }]],
      ['generic', { event_id: 'e1', fields: [{ value: 'x' }] }, [{ path: 'fields', message: 'must be a list of {key, value} or an object of keys to values' }]],
    ];
    for (const [channel, body, issues] of cases) {
      const response = await send(deps, signedBody(deps, channel, JSON.stringify(body)));
      expect({ channel, status: response.statusCode, issues: response.json.issues }).toEqual({ channel, status: 400, issues });
    }
    const notAnObject = await send(deps, signedBody(deps, 'meta', '[1,2]'));
    expect(notAnObject.json).toEqual({ error: 'Body must be a JSON object', issues: [{ path: '(body)', message: 'must be a JSON object' }] });
    nothingWritten(deps);
  });

  it('old and future timestamps are 401 naming the problem (generic and TikTok)', async () => {
    const deps = fakeDependencies();
    const stale = await send(deps, example(deps, 'generic', { now: new Date(deps.now().getTime() - 301_000) }));
    expect(stale.statusCode).toBe(401);
    expect(stale.json.error).toBe('The X-Lead-Signature timestamp is 301 s old, outside the 300 s allowed (a replay or a wrong clock)');
    const future = await send(deps, example(deps, 'tiktok', { now: new Date(deps.now().getTime() + 400_000) }));
    expect(future.statusCode).toBe(401);
    expect(future.json.error).toMatch(/TikTok-Signature timestamp is 400 s in the future/);
    const missing = await send(deps, example(deps, 'generic'), { headers: { 'x-lead-signature': '' } });
    expect(missing.json.error).toBe('The X-Lead-Signature header is missing');
    nothingWritten(deps);
  });

  it('Google: an unknown form is 403, a missing key 401', async () => {
    const deps = fakeDependencies();
    const delivery = example(deps, 'google');
    expect((await send(deps, delivery, { body: delivery.body.replace('"form_id":349080077126', '"form_id":111') })).statusCode).toBe(403);
    const noKey = await send(deps, delivery, { body: delivery.body.replace(/"google_key":"[^"]*",/, '') });
    expect(noKey.statusCode).toBe(401);
    expect(noKey.json.error).toBe('google_key is missing or does not match the key configured for this form');
    nothingWritten(deps);
  });

  it('generic: an unknown source is 404', async () => {
    const deps = fakeDependencies();
    const delivery = example(deps, 'generic');
    const response = await send(deps, { ...delivery, path: '/webhooks/generic/nobody' });
    expect(response.statusCode).toBe(404);
    expect(response.json).toEqual({ error: 'Webhook source "nobody" does not exist' });
    nothingWritten(deps);
  });
});

describe('handshakes', () => {
  it('Meta: echoes hub.challenge as text/plain when the verify token matches, else 403', async () => {
    const deps = fakeDependencies();
    const factory = createVerifyMeta as unknown as Factory;
    const ok = await get(factory, deps, '/webhooks/meta', { 'hub.mode': 'subscribe', 'hub.verify_token': 'local-only-meta-verify-token', 'hub.challenge': '1158201444' });
    expect(ok).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '1158201444' });
    expect((await get(factory, deps, '/webhooks/meta', { 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': '1' })).statusCode).toBe(403);
    expect((await get(factory, deps, '/webhooks/meta', { 'hub.mode': 'unsubscribe', 'hub.verify_token': 'local-only-meta-verify-token', 'hub.challenge': '1' })).statusCode).toBe(403);
    expect((await get(factory, deps, '/webhooks/meta', {})).statusCode).toBe(403);
    expect((await get(factory, deps, '/webhooks/meta', { 'hub.mode': 'subscribe', 'hub.verify_token': 'local-only-meta-verify-token' })).statusCode).toBe(400);
  });

  it('LinkedIn: answers {challengeCode, challengeResponse}; 400 without a code', async () => {
    const deps = fakeDependencies();
    const factory = createVerifyLinkedIn as unknown as Factory;
    const ok = await get(factory, deps, '/webhooks/linkedin', { challengeCode: '890e4665-4dfe-4ab1-b689-ed553bceeed4' });
    expect(ok.statusCode).toBe(200);
    const { createHmac } = await import('node:crypto');
    expect(JSON.parse(ok.body)).toEqual({
      challengeCode: '890e4665-4dfe-4ab1-b689-ed553bceeed4',
      challengeResponse: createHmac('sha256', 'local-only-linkedin-client-secret').update('890e4665-4dfe-4ab1-b689-ed553bceeed4').digest('hex'),
    });
    expect((await get(factory, deps, '/webhooks/linkedin', {})).statusCode).toBe(400);
  });
});

describe('Meta, LinkedIn and TikTok: store the delivery, then read the lead back', () => {
  for (const channel of platformsWithFetch) {
    it(`${channel}: stores the intake record, reads the lead and marks the record fetched`, async () => {
      const deps = fakeDependencies();
      const delivery = example(deps, channel, { id: '55459717045641545' });
      const response = await send(deps, delivery);
      expect(response.statusCode).toBe(200);
      const [result] = response.json.deliveries;
      expect(result).toEqual({ platformLeadId: '55459717045641545', status: 'fetched', leadId: expect.any(String) });
      const lead = deps.store.leads.get(result.leadId)!;
      expect(lead).toMatchObject({ status: 'new', source: { kind: channel, platformLeadId: '55459717045641545' }, isTest: false });
      expect(lead.attribution.lastTouch?.platform_form_id).toBeDefined();
      expect(deps.intakes.records.get(`INTAKE#${channel}#55459717045641545`)).toMatchObject({ status: 'fetched', leadId: result.leadId, attempts: 0 });
      expect(deps.intakes.records.get(`INTAKE#${channel}#55459717045641545`)).not.toHaveProperty('nextAttemptAt');
      expect([...deps.store.outbox.values()].map((event) => event.detailType)).toEqual(['lead.captured', 'lead.scored']);
    });

    it(`${channel}: a redelivery is a duplicate of the same lead, read once`, async () => {
      const deps = fakeDependencies();
      const delivery = example(deps, channel);
      const first = await send(deps, delivery);
      const again = await send(deps, delivery);
      expect(again.json.deliveries).toEqual([{ ...first.json.deliveries[0], duplicate: true }]);
      expect(deps.store.leads.size).toBe(1);
      expect(deps.platformLeads.calls).toHaveLength(1);
    });

    it(`${channel}: a platform outage leaves the record pending with its error and backoff, and announces lead.fetch_failed`, async () => {
      const deps = fakeDependencies();
      deps.platformLeads.down.add(channel);
      const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
      const delivery = example(deps, channel);
      const response = await send(deps, delivery);
      expect(response.statusCode).toBe(200);
      expect(response.json.deliveries).toEqual([{ platformLeadId: delivery.platformLeadId, status: 'pending_fetch' }]);
      expect(deps.store.leads.size).toBe(0);
      expect(deps.intakes.records.get(`INTAKE#${channel}#${delivery.platformLeadId}`)).toMatchObject({
        status: 'pending_fetch',
        rawDelivery: delivery.body,
        attempts: 1,
        lastError: `The ${channel} API answered HTTP 503: Service temporarily unavailable`,
        nextAttemptAt: '2026-03-02T10:16:00.000Z',
      });
      expect([...deps.store.outbox.values()]).toEqual([
        expect.objectContaining({ detailType: 'lead.fetch_failed', detail: expect.objectContaining({ sourceKind: channel, platformLeadId: delivery.platformLeadId, attempts: 1 }) }),
      ]);
      expect(warn).toHaveBeenCalledWith('Could not read a platform lead; it stays pending and is retried', expect.objectContaining({ platform: channel }));
      expect(deps.metrics.counted).toEqual([{ name: 'PlatformLeadFetchFailed', dimensions: { platform: channel } }]);
      warn.mockRestore();
    });
  }

  it('Meta: reads with the configured Page token, keeps a numeric leadgen_id exact, and batches several changes', async () => {
    const deps = fakeDependencies();
    const response = await send(deps, example(deps, 'meta', { id: '55459717045641545', numericLeadgenId: true }));
    expect(response.json.deliveries[0]).toMatchObject({ platformLeadId: '55459717045641545', status: 'fetched' });
    expect(deps.platformLeads.calls[0]).toEqual({ platform: 'meta', query: { leadgenId: '55459717045641545', accessToken: 'local-only-meta-page-access-token' } });

    const body = JSON.stringify({ object: 'page', entry: [{ id: '1', time: 1, changes: [1, 2, 3].map((n) => ({ field: 'leadgen', value: { leadgen_id: `batch-${n}`, form_id: '172036835026334' } })) }] });
    const batch = await send(deps, signedBody(deps, 'meta', body));
    expect(batch.json.deliveries.map((item: { status: string }) => item.status)).toEqual(['fetched', 'fetched', 'fetched']);
    expect(deps.intakes.records.get('INTAKE#meta#batch-1')).not.toHaveProperty('rawDelivery');
  });

  it('Meta: a change naming no readable lead does not cost the batch its good leads: 200, it is answered as unreadable, logged and counted', async () => {
    const deps = fakeDependencies();
    const body = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: '1',
          time: 1,
          changes: [
            { field: 'leadgen', value: { leadgen_id: 'good-1', form_id: '172036835026334' } },
            { field: 'leadgen', value: { form_id: '172036835026334' } },
            { field: 'leadgen', value: { leadgen_id: 'good-2', form_id: '172036835026334', created_time: 1.5 } },
          ],
        },
      ],
    });
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      const response = await send(deps, signedBody(deps, 'meta', body));
      expect(response.statusCode).toBe(200);
      expect(response.json).toEqual({
        deliveries: [expect.objectContaining({ platformLeadId: 'good-1', status: 'fetched' }), expect.objectContaining({ platformLeadId: 'good-2', status: 'fetched' })],
        unreadable: [{ path: 'entry[0].changes[1].value.leadgen_id', message: 'must be an id (a string or a whole number)' }],
        ignored: [{ path: 'entry[0].changes[2].value.created_time', message: 'must be a unix time in whole seconds' }],
      });
      expect(error).toHaveBeenCalledWith(expect.stringContaining('naming no readable lead'), { platform: 'meta', unreadable: response.json.unreadable });
    } finally {
      error.mockRestore();
    }
    expect(deps.metrics.counted).toEqual([{ name: 'PlatformDeliveryUnreadable', dimensions: { platform: 'meta' } }]);
    expect([...deps.intakes.records.keys()].sort()).toEqual(['INTAKE#meta#good-1', 'INTAKE#meta#good-2']);
    expect(deps.store.leads.size).toBe(2);
  });

  it('Meta: takes a batch of 330 changes, over the 64 KB other webhooks take, storing every lead', async () => {
    const deps = fakeDependencies();
    const change = (n: number) => ({
      field: 'leadgen',
      value: { leadgen_id: `2333700420${String(n).padStart(5, '0')}`, page_id: '138124712925158', form_id: '172036835026334', ad_id: '23850000000000001', adgroup_id: '23850000000000001', created_time: 1729999999 },
    });
    const body = JSON.stringify({ object: 'page', entry: [{ id: '138124712925158', time: 1730000000, changes: Array.from({ length: 330 }, (_, n) => change(n)) }] });
    expect(body.length).toBeGreaterThan(64 * 1024);
    const response = await send(deps, signedBody(deps, 'meta', body));
    expect(response.statusCode).toBe(200);
    expect(response.json.deliveries).toHaveLength(330);
    expect(deps.intakes.records.size).toBe(330);
  });

  it('Meta: a lead from a form that is not configured stays pending with the reason, to be read once it is', async () => {
    const deps = fakeDependencies();
    const body = JSON.stringify({ object: 'page', entry: [{ id: '1', time: 1, changes: [{ field: 'leadgen', value: { leadgen_id: 'L-unrouted', form_id: '404' } }] }] });
    const response = await sendWarningsMuted(deps, signedBody(deps, 'meta', body));
    expect(response.json.deliveries).toEqual([{ platformLeadId: 'L-unrouted', status: 'pending_fetch' }]);
    expect(deps.intakes.records.get('INTAKE#meta#L-unrouted')).toMatchObject({ lastError: 'Meta form 404 is not listed in integrations.meta.forms' });
  });

  it('TikTok: a signed delivery naming a form that is not configured stores its lead pending with the reason, and the others as usual', async () => {
    const deps = fakeDependencies();
    const body = JSON.stringify({
      entry: [
        { id: 'T-routed', page_id: '7410000000000000001' },
        { id: 'T-unrouted', page_id: '999' },
      ],
    });
    const response = await sendWarningsMuted(deps, signedBody(deps, 'tiktok', body));
    expect(response.statusCode).toBe(200);
    expect(response.json.deliveries).toEqual([
      { platformLeadId: 'T-routed', status: 'fetched', leadId: expect.any(String) },
      { platformLeadId: 'T-unrouted', status: 'pending_fetch' },
    ]);
    expect(deps.store.leads.get(response.json.deliveries[0].leadId)).toMatchObject({ source: { kind: 'tiktok', platformLeadId: 'T-routed' } });
    expect(deps.intakes.records.get('INTAKE#tiktok#T-unrouted')).toMatchObject({ status: 'pending_fetch', lastError: 'TikTok instant form 999 is not listed in integrations.tiktok.forms' });
    expect(deps.platformLeads.calls.map((read) => (read.query as { advertiserId: string }).advertiserId)).toEqual(['7000000000000000001', '7000000000000000001']);
  });

  it("TikTok: a delivery naming several leads keeps only each one's ids on its record, never the body holding the others", async () => {
    const deps = fakeDependencies();
    const body = JSON.stringify({
      entry: [
        { id: 'T-ada', page_id: '7410000000000000001', full_name: 'Ada Lovelace' },
        { id: 'T-bob', page_id: '7410000000000000001', full_name: 'Bob Babbage' },
      ],
    });
    const response = await send(deps, signedBody(deps, 'tiktok', body));
    expect(response.json.deliveries.map((item: { status: string }) => item.status)).toEqual(['fetched', 'fetched']);
    for (const id of ['T-ada', 'T-bob']) {
      const record = deps.intakes.records.get(`INTAKE#tiktok#${id}`)!;
      expect(record).toMatchObject({ request: { platform: 'tiktok', leadId: id, pageId: '7410000000000000001' } });
      expect(record).not.toHaveProperty('rawDelivery');
    }
  });

  it('TikTok, signed: an item naming no readable lead does not cost the delivery its good leads: 200, it is answered as unreadable, logged and counted', async () => {
    const deps = fakeDependencies();
    const body = JSON.stringify({ entry: [{ id: 'T-good', page_id: '7410000000000000001' }, { id: 'T-formless' }] });
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      const response = await send(deps, signedBody(deps, 'tiktok', body));
      expect(response.statusCode).toBe(200);
      expect(response.json).toEqual({
        deliveries: [{ platformLeadId: 'T-good', status: 'fetched', leadId: expect.any(String) }],
        unreadable: [{ path: 'entry[1].page_id', message: 'is required: the instant form (page) the lead was submitted on' }],
      });
      expect(error).toHaveBeenCalledWith(expect.stringContaining('naming no readable lead'), { platform: 'tiktok', unreadable: response.json.unreadable });
    } finally {
      error.mockRestore();
    }
    expect(deps.metrics.counted).toEqual([{ name: 'PlatformDeliveryUnreadable', dimensions: { platform: 'tiktok' } }]);
    expect([...deps.intakes.records.keys()]).toEqual(['INTAKE#tiktok#T-good']);
    expect(deps.store.leads.size).toBe(1);
  });

  it('TikTok, unsigned: anyone may send it, so an item naming no readable lead refuses the delivery whole (400, nothing read or written, no alarm)', async () => {
    const deps = fakeDependencies();
    deps.config.integrations.tiktok!.forms[0].allowUnsigned = true;
    const { 'tiktok-signature': _signature, ...headers } = example(deps, 'tiktok').headers;
    const response = await send(deps, { ...example(deps, 'tiktok'), headers, body: JSON.stringify({ entry: [{ id: 'T-good', page_id: '7410000000000000001' }, { id: 'T-formless' }] }) });
    expect(response.statusCode).toBe(400);
    expect(response.json.issues).toEqual([{ path: 'entry[1].page_id', message: 'is required: the instant form (page) the lead was submitted on' }]);
    expect(deps.platformLeads.calls).toEqual([]);
    expect(deps.metrics.counted).toEqual([]);
    nothingWritten(deps);
  });

  it('TikTok: reads with the configured advertiser and token; unsigned triggers only for forms that allowUnsigned', async () => {
    const deps = fakeDependencies();
    const delivery = example(deps, 'tiktok', { id: 'T-unsigned' });
    const { 'tiktok-signature': _signature, ...unsigned } = delivery.headers;
    const refused = await send(deps, { ...delivery, headers: unsigned });
    expect(refused.statusCode).toBe(401);
    expect(refused.json.error).toBe('The TikTok-Signature header is missing (required unless every instant form the delivery names has allowUnsigned)');
    nothingWritten(deps);

    deps.config.integrations.tiktok!.forms[0].allowUnsigned = true;
    const unknownForm = await send(deps, { ...delivery, headers: unsigned }, { body: delivery.body.replace('"page_id":"7410000000000000001"', '"page_id":"999"') });
    expect(unknownForm.statusCode).toBe(401);
    nothingWritten(deps);
    const response = await send(deps, { ...delivery, headers: unsigned });
    expect(response.json.deliveries).toEqual([expect.objectContaining({ status: 'fetched' })]);
    expect(deps.platformLeads.calls[0]).toEqual({ platform: 'tiktok', query: { leadId: 'T-unsigned', pageId: '7410000000000000001', advertiserId: '7000000000000000001', accessToken: 'local-only-tiktok-access-token' } });
  });

  it('LinkedIn: takes X-LI-Signature in either reading of the docs, "hmacsha256=" + hex HMAC of the bare body included', async () => {
    const deps = fakeDependencies();
    const delivery = example(deps, 'linkedin', { id: 'li-bare-1' });
    const bareBodyHmac = createHmac('sha256', signWithDemoSecrets(secretRefs.linkedInClientSecret)).update(delivery.body).digest('hex');
    const response = await send(deps, delivery, { headers: { 'x-li-signature': `hmacsha256=${bareBodyHmac}` } });
    expect(response.statusCode).toBe(200);
    expect(response.json.deliveries).toEqual([expect.objectContaining({ platformLeadId: 'li-bare-1', status: 'fetched' })]);
  });

  it('LinkedIn: a malformed time or form does not cost the lead: left out, answered under ignored, and the lead read back is routed by its own form', async () => {
    const deps = fakeDependencies();
    const body = JSON.stringify({ ...JSON.parse(example(deps, 'linkedin', { id: 'li-odd-1' }).body), occurredAt: 1730000000000.5, leadGenForm: 1234567 });
    const response = await send(deps, signedBody(deps, 'linkedin', body));
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({
      deliveries: [expect.objectContaining({ platformLeadId: 'li-odd-1', status: 'fetched' })],
      ignored: [
        { path: 'leadGenForm', message: expect.any(String) },
        { path: 'occurredAt', message: 'must be a unix time in whole milliseconds' },
      ],
    });
    expect(deps.store.leads.get(response.json.deliveries[0].leadId)).toMatchObject({ source: { kind: 'linkedin', platformLeadId: 'li-odd-1' } });
    expect(deps.intakes.records.get('INTAKE#linkedin#li-odd-1')).toMatchObject({ status: 'fetched' });
    expect(deps.intakes.records.get('INTAKE#linkedin#li-odd-1')?.request).toMatchObject({ platform: 'linkedin', occurredAt: undefined });
  });

  it('LinkedIn: a test lead is left out unless the form includes test leads', async () => {
    const deps = fakeDependencies();
    const skipped = await send(deps, example(deps, 'linkedin', { id: 'test-1' }));
    expect(skipped.json.deliveries).toEqual([{ platformLeadId: 'test-1', status: 'skipped' }]);
    expect(deps.store.leads.size).toBe(0);
    deps.config.integrations.linkedin!.forms[0].includeTestLeads = true;
    const kept = await send(deps, example(deps, 'linkedin', { id: 'test-2' }));
    expect(deps.store.leads.get(kept.json.deliveries[0].leadId)).toMatchObject({ isTest: true });
  });
});

describe('TikTok: an unsigned trigger is read from the Lead API before anything is stored', () => {
  const formP = '7410000000000000001';
  const formQ = '7410000000000000002';

  /** Fake dependencies whose configured form P takes unsigned triggers; `unsigned` sends a delivery without its signature. */
  function allowingUnsigned() {
    const deps = fakeDependencies();
    deps.config.integrations.tiktok!.forms[0].allowUnsigned = true;
    const unsigned = (body: string) => {
      const { 'tiktok-signature': _signature, ...headers } = example(deps, 'tiktok').headers;
      return send(deps, { ...example(deps, 'tiktok'), headers, body });
    };
    return { deps, unsigned };
  }

  const trigger = (...ids: string[]) => JSON.stringify({ entry: ids.map((id) => ({ id, page_id: formP })) });

  it('a lead the Lead API cannot read is 503 with Retry-After, and leaves no intake record, pending fetch, lead or event behind', async () => {
    const { deps, unsigned } = allowingUnsigned();
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    deps.platformLeads.down.add('tiktok');
    const outage = await unsigned(trigger('T-forged-1'));
    deps.platformLeads.down.delete('tiktok');
    deps.platformLeads.answers.set('T-forged-2', { code: 40001, message: 'lead not found' });
    const unknown = await unsigned(trigger('T-forged-2'));
    warn.mockRestore();
    for (const response of [outage, unknown]) {
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('60');
      expect(response.json).toEqual({ error: expect.stringMatching(/^Not confirmed by the TikTok Lead API, so not stored: lead T-forged-\d; retry in 60 s$/), retryAfterSeconds: 60 });
    }
    nothingWritten(deps);
    expect(await deps.intakes.listDue('2100-01-01T00:00:00.000Z', { limit: 25 })).toEqual({ due: [] });
    expect(deps.metrics.counted).toEqual([]);
    expect(deps.platformLeads.calls).toHaveLength(2);
  });

  it('a lead the Lead API reads is 200 and stored, read once, and only after the read; a redelivery is a duplicate, not read again', async () => {
    const { deps, unsigned } = allowingUnsigned();
    const recordsWhenRead: number[] = [];
    const tiktok = deps.platformLeads.tiktok;
    deps.platformLeads.tiktok = { readLead: (query) => (recordsWhenRead.push(deps.intakes.records.size), tiktok.readLead(query)) };
    const response = await unsigned(trigger('T-real'));
    expect(response.statusCode).toBe(200);
    expect(response.json.deliveries).toEqual([{ platformLeadId: 'T-real', status: 'fetched', leadId: expect.any(String) }]);
    expect(deps.store.leads.get(response.json.deliveries[0].leadId)).toMatchObject({ source: { kind: 'tiktok', platformLeadId: 'T-real' }, poolId: 'americas-inbound' });
    expect(deps.intakes.records.get('INTAKE#tiktok#T-real')).toMatchObject({ status: 'fetched', attempts: 0, rawDelivery: trigger('T-real') });
    expect(recordsWhenRead).toEqual([0]);

    const again = await unsigned(trigger('T-real'));
    expect(again.json.deliveries).toEqual([{ ...response.json.deliveries[0], duplicate: true }]);
    expect(deps.platformLeads.calls).toHaveLength(1);
    expect(deps.store.leads.size).toBe(1);
  });

  it('stores the leads of a delivery that were read, answers 503 for the others, and the redelivery finds the stored ones as duplicates', async () => {
    const { deps, unsigned } = allowingUnsigned();
    deps.platformLeads.answers.set('T-forged', { code: 40001, message: 'lead not found' });
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const first = await unsigned(trigger('T-real', 'T-forged'));
    expect(first.statusCode).toBe(503);
    expect(first.json.error).toBe('Not confirmed by the TikTok Lead API, so not stored: lead T-forged; retry in 60 s');
    expect([...deps.intakes.records.keys()]).toEqual(['INTAKE#tiktok#T-real']);
    expect(deps.intakes.records.get('INTAKE#tiktok#T-real')).toMatchObject({ status: 'fetched' });
    expect(deps.intakes.records.get('INTAKE#tiktok#T-real')).not.toHaveProperty('rawDelivery');

    deps.platformLeads.answers.delete('T-forged');
    const redelivery = await unsigned(trigger('T-real', 'T-forged'));
    warn.mockRestore();
    expect(redelivery.statusCode).toBe(200);
    expect(redelivery.json.deliveries).toEqual([
      { platformLeadId: 'T-real', status: 'fetched', leadId: expect.any(String), duplicate: true },
      { platformLeadId: 'T-forged', status: 'fetched', leadId: expect.any(String) },
    ]);
    expect(deps.platformLeads.calls.map((read) => (read.query as { leadId: string }).leadId)).toEqual(['T-real', 'T-forged', 'T-forged']);
    expect(deps.store.leads.size).toBe(2);
  });

  it("routes by the form of the lead read back, not the trigger's: a trigger naming allowUnsigned form P for a lead of form Q goes to Q's pool and channel", async () => {
    const { deps, unsigned } = allowingUnsigned();
    deps.config.channels.push({ id: 'tiktok-emea', name: 'TikTok instant forms (EMEA)', kind: 'tiktok' });
    deps.config.integrations.tiktok!.forms.push({ ...deps.config.integrations.tiktok!.forms[0], pageId: formQ, poolId: 'emea-inbound', channel: 'tiktok-emea', allowUnsigned: false });
    deps.platformLeads.answers.set('T-of-Q', sampleTikTokLead('T-of-Q', formQ));
    const response = await unsigned(trigger('T-of-Q'));
    expect(response.statusCode).toBe(200);
    const lead = deps.store.leads.get(response.json.deliveries[0].leadId)!;
    expect(lead).toMatchObject({ poolId: 'emea-inbound', channel: 'tiktok-emea', attribution: { lastTouch: { platform_form_id: formQ } } });

    // A lead of a form that is not configured is not routed by the trigger's form either: nothing is stored.
    deps.platformLeads.answers.set('T-of-R', sampleTikTokLead('T-of-R', '999'));
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const unrouted = await unsigned(trigger('T-of-R'));
    expect(warn).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ platformLeadId: 'T-of-R', error: 'TikTok instant form 999 is not listed in integrations.tiktok.forms' }));
    warn.mockRestore();
    expect(unrouted.statusCode).toBe(503);
    expect(deps.intakes.records.has('INTAKE#tiktok#T-of-R')).toBe(false);
  });

  it('a signed delivery still stores the record first and keeps an unreadable lead pending, and is routed by the lead read back', async () => {
    const deps = fakeDependencies();
    deps.config.integrations.tiktok!.forms.push({ ...deps.config.integrations.tiktok!.forms[0], pageId: formQ, poolId: 'emea-inbound' });
    deps.platformLeads.answers.set('T-of-Q', sampleTikTokLead('T-of-Q', formQ));
    deps.platformLeads.answers.set('T-gone', { code: 40001, message: 'lead not found' });
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const body = JSON.stringify({ entry: ['T-of-Q', 'T-gone'].map((id) => ({ id, page_id: formP })) });
    const response = await send(deps, signedBody(deps, 'tiktok', body));
    warn.mockRestore();
    expect(response.statusCode).toBe(200);
    expect(response.json.deliveries).toEqual([
      { platformLeadId: 'T-of-Q', status: 'fetched', leadId: expect.any(String) },
      { platformLeadId: 'T-gone', status: 'pending_fetch' },
    ]);
    expect(deps.store.leads.get(response.json.deliveries[0].leadId)).toMatchObject({ poolId: 'emea-inbound' });
    expect(deps.intakes.records.get('INTAKE#tiktok#T-gone')).toMatchObject({ status: 'pending_fetch', attempts: 1, lastError: 'the TikTok Lead API answered code 40001: lead not found' });
  });
});

describe('LinkedIn leadAction DELETED erases the person', () => {
  it('clears contact and answers, marks the lead invalid with the reason, releases the person keys and announces lead.erased', async () => {
    const deps = fakeDependencies();
    const created = await send(deps, example(deps, 'linkedin', { id: 'r-77' }));
    const leadId = created.json.deliveries[0].leadId;
    const email = deps.store.leads.get(leadId)!.contact.email!;
    expect(deps.store.keys.has(`email#${email}`)).toBe(true);

    const deleted = await send(deps, example(deps, 'linkedin', { id: 'r-77', leadAction: 'DELETED' }));
    expect(deleted.json.deliveries).toEqual([{ platformLeadId: 'r-77', status: 'erased', leadId }]);
    expect(deps.store.leads.get(leadId)).toMatchObject({ contact: {}, answers: {}, status: 'invalid', statusReason: "erased at the person's request" });
    expect(deps.store.keys.has(`email#${email}`)).toBe(false);
    expect(deps.store.keys.get('delivery#linkedin##r-77')).toBe(leadId);
    expect([...deps.store.outbox.values()].map((event) => event.detailType)).toEqual(['lead.captured', 'lead.scored', 'lead.erased']);
    expect(deps.intakes.records.get('INTAKE#linkedin#r-77')).toMatchObject({ status: 'erased' });

    // A redelivered deletion changes nothing more.
    await send(deps, example(deps, 'linkedin', { id: 'r-77', leadAction: 'DELETED' }));
    expect(deps.store.outbox.size).toBe(3);
  });

  it('a deletion that arrives before the lead keeps the lead from ever being read', async () => {
    const deps = fakeDependencies();
    const deleted = await send(deps, example(deps, 'linkedin', { id: 'r-88', leadAction: 'DELETED' }));
    expect(deleted.json.deliveries).toEqual([{ platformLeadId: 'r-88', status: 'erased' }]);
    // Kept only to recognise the lead's delivery: the deletion notice (with the advertiser's account) is not stored.
    expect(deps.intakes.records.get('INTAKE#linkedin#r-88')).toMatchObject({ status: 'erased', request: { responseId: 'r-88' } });
    expect(deps.intakes.records.get('INTAKE#linkedin#r-88')).not.toHaveProperty('rawDelivery');
    const created = await send(deps, example(deps, 'linkedin', { id: 'r-88' }));
    expect(created.json.deliveries).toEqual([{ platformLeadId: 'r-88', status: 'erased', duplicate: true }]);
    expect(deps.platformLeads.calls).toHaveLength(0);
    expect(deps.store.leads.size).toBe(0);
  });

  it('a deletion that arrives while the lead is being read erases the lead that read then stores', async () => {
    const deps = fakeDependencies();
    const reader = deps.platformLeads.linkedin;
    // The person deletes the lead on LinkedIn while we read it: the deletion finds no lead yet.
    deps.platformLeads.linkedin = {
      readLead: async (query) => {
        const deleted = await send(deps, example(deps, 'linkedin', { id: 'r-99', leadAction: 'DELETED' }));
        expect(deleted.json.deliveries).toEqual([{ platformLeadId: 'r-99', status: 'erased' }]);
        return reader.readLead(query);
      },
    };
    const created = await send(deps, example(deps, 'linkedin', { id: 'r-99' }));
    expect(created.json.deliveries).toEqual([{ platformLeadId: 'r-99', status: 'erased' }]);
    const [lead] = [...deps.store.leads.values()];
    expect(lead).toMatchObject({ contact: {}, answers: {}, status: 'invalid', statusReason: "erased at the person's request" });
    expect([...deps.store.outbox.values()].map((event) => event.detailType)).toContain('lead.erased');
  });

  it('other lead actions are acknowledged and ignored', async () => {
    const deps = fakeDependencies();
    const delivery = example(deps, 'linkedin');
    const body = delivery.body.replace('"CREATED"', '"UPDATED"');
    const response = await send(deps, signedBody(deps, 'linkedin', body));
    expect(response.json).toEqual({ deliveries: [], ignored: 'leadAction "UPDATED" needs no action' });
    nothingWritten(deps);
  });
});

describe('Google and generic: the answers are in the delivery', () => {
  it('Google: stores the lead with gclid and exact int64 ids; a redelivery is a duplicate', async () => {
    const deps = fakeDependencies();
    const delivery = example(deps, 'google', { id: 'G-1' });
    const response = await send(deps, delivery);
    expect(response.statusCode).toBe(200);
    const lead = deps.store.leads.get(response.json.leadId)!;
    expect(lead).toMatchObject({
      status: 'new',
      channel: 'google-ads',
      source: { kind: 'google', formId: '349080077126', platformLeadId: 'G-1' },
      contact: { name: 'Riley Park', company: 'Tyrell Corp' },
      answers: { postal_code: '94043', how_many_robots: '10-50' },
      attribution: { lastTouch: { gclid: 'Cj0KCQjw-example-gclid', campaign_id: '23729418209', adgroup_id: '195583084496', creative_id: '9007199254740993', platform_form_id: '349080077126' } },
    });
    expect(JSON.parse((await send(deps, delivery)).body)).toEqual({ leadId: response.json.leadId, duplicate: true });
    expect(deps.store.leads.size).toBe(1);
  });

  it('Google: is_test leads are stored flagged when the form includes them, acknowledged and dropped when not', async () => {
    const deps = fakeDependencies();
    const delivery = example(deps, 'google', { id: 'TeSter-123' });
    const testBody = delivery.body.replace('"is_test":false', '"is_test":true');
    const stored = await send(deps, delivery, { body: testBody });
    expect(deps.store.leads.get(stored.json.leadId)).toMatchObject({ isTest: true, status: 'new' });
    expect([...deps.store.outbox.values()][0].detail).toMatchObject({ isTest: true });

    const strict = fakeDependencies();
    strict.config.integrations.google!.forms[0].includeTestLeads = false;
    const skipped = await send(strict, delivery, { body: testBody });
    expect(skipped.json).toEqual({ skipped: 'test lead (is_test), and the form does not include test leads' });
    nothingWritten(strict);
  });

  it('generic: stores the lead with its attribution; event_id, or else the signed content, makes redeliveries replays', async () => {
    const deps = fakeDependencies();
    const delivery = example(deps, 'generic', { id: 'evt-1' });
    const first = await send(deps, delivery);
    expect(first.statusCode).toBe(200);
    expect(deps.store.leads.get(first.json.leadId)).toMatchObject({
      channel: 'partner-webhook',
      source: { kind: 'webhook', sourceId: 'partner-acme', platformLeadId: 'evt-1', formId: 'acme-referral' },
      contact: { name: 'Riley Partner', company: 'Wayne Enterprises' },
      answers: { company_size: '51-200' },
      attribution: { lastTouch: { utm_source: 'acme', utm_medium: 'referral', utm_campaign: 'spring-2026' } },
    });
    expect((await send(deps, delivery)).json).toEqual({ leadId: first.json.leadId, duplicate: true });

    // Without event_id, the signed timestamp and body are the identity: the same signed request is a replay.
    const keyed = signedBody(deps, 'generic', JSON.stringify({ fields: { email: 'keyed@example.com' } }));
    const a = await send(deps, keyed);
    const b = await send(deps, keyed);
    expect(b.json).toEqual({ leadId: a.json.leadId, duplicate: true });
    expect(deps.store.leads.size).toBe(2);
  });

  it('generic: an event_id or Idempotency-Key sent again with other content is a 409 naming it, writing nothing; a redelivery saying the same is a duplicate', async () => {
    const deps = fakeDependencies();
    const signedAt = (body: string, secondsAgo: number) => leadSignature(body, signWithDemoSecrets(secretRefs.genericSourceSecret('partner-acme')), Math.floor(deps.now().getTime() / 1000) - secondsAgo);
    const deliver = (body: string, secondsAgo: number, headers: Record<string, string> = {}) => send(deps, example(deps, 'generic'), { body, headers: { 'x-lead-signature': signedAt(body, secondsAgo), ...headers } });
    const ann = await deliver('{"event_id":"evt-7","fields":{"email":"ann@example.com","name":"Ann"}}', 60);
    // Re-signed, its keys in another order: the same delivery.
    expect((await deliver('{"fields":{"name":"Ann","email":"ann@example.com"},"event_id":"evt-7"}', 0)).json).toEqual({ leadId: ann.json.leadId, duplicate: true });
    const outbox = deps.store.outbox.size;
    const bob = await deliver('{"event_id":"evt-7","fields":{"email":"bob@example.com","name":"Bob"}}', 0);
    expect(bob.statusCode).toBe(409);
    expect(bob.json.issues).toEqual([{ path: 'event_id', message: expect.stringContaining('was sent before with other content') }]);
    expect({ leads: deps.store.leads.size, outbox: deps.store.outbox.size }).toEqual({ leads: 1, outbox });

    const keyed = await deliver('{"fields":{"email":"cy@example.com"}}', 60, { 'idempotency-key': 'order-9' });
    expect((await deliver('{"fields":{"email":"cy@example.com"}}', 0, { 'idempotency-key': 'order-9' })).json).toEqual({ leadId: keyed.json.leadId, duplicate: true });
    const other = await deliver('{"fields":{"email":"dee@example.com"}}', 0, { 'idempotency-key': 'order-9' });
    expect(other.statusCode).toBe(409);
    expect(other.json.issues).toEqual([{ path: 'Idempotency-Key', message: expect.stringContaining('was sent before with other content') }]);
    expect(deps.store.leads.size).toBe(2);
  });

  it('generic: the Idempotency-Key header makes a re-signed retry a replay; another key is another delivery; a bad key is a 400 naming it', async () => {
    const deps = fakeDependencies();
    const body = JSON.stringify({ fields: { email: 'retried@example.com' } });
    const signedAt = (secondsAgo: number) => leadSignature(body, signWithDemoSecrets(secretRefs.genericSourceSecret('partner-acme')), Math.floor(deps.now().getTime() / 1000) - secondsAgo);
    const delivery = example(deps, 'generic');
    const attempt = (secondsAgo: number, key: string) => send(deps, delivery, { body, headers: { 'x-lead-signature': signedAt(secondsAgo), 'idempotency-key': key } });
    const first = await attempt(60, 'order-42');
    expect(first.json).toEqual({ leadId: expect.any(String) });
    expect((await attempt(0, 'order-42')).json).toEqual({ leadId: first.json.leadId, duplicate: true });
    expect(deps.store.leads.get(first.json.leadId)).toMatchObject({ touches: 1, source: { platformLeadId: 'order-42' } });
    // The first request, resent as signed under another key, is still a replay (its signed identity was taken too) …
    expect((await attempt(60, 'order-43')).json).toEqual({ leadId: first.json.leadId, duplicate: true });
    expect(deps.store.leads.get(first.json.leadId)?.touches).toBe(1);
    // … while another key on a request signed afresh is another delivery: a touch.
    expect((await attempt(30, 'order-43')).json).toEqual({ leadId: first.json.leadId, duplicate: true });
    expect(deps.store.leads.get(first.json.leadId)?.touches).toBe(2);

    const bad = fakeDependencies();
    const refused = await send(bad, signedBody(bad, 'generic', body), { headers: { 'idempotency-key': 'ключ' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json.issues).toEqual([{ path: 'Idempotency-Key', message: 'must be 1 to 200 printable ASCII characters' }]);
    nothingWritten(bad);
  });

  it('generic: an attribution value that is not text or a number is a 400 naming it, as other fields are, and nothing is written; null is none given', async () => {
    const refusing = fakeDependencies();
    const refused = await send(refusing, signedBody(refusing, 'generic', JSON.stringify({ fields: { email: 'ann@example.com' }, attribution: { utm_source: true, utm_medium: 'cpc' }, first_touch: { gclid: {} } })));
    expect(refused.statusCode).toBe(400);
    expect(refused.json.issues).toEqual([
      { path: 'attribution.utm_source', message: 'must be text or a number' },
      { path: 'first_touch.gclid', message: 'must be text or a number' },
    ]);
    nothingWritten(refusing);

    const deps = fakeDependencies();
    const stored = await send(deps, signedBody(deps, 'generic', JSON.stringify({ fields: { email: 'ann@example.com' }, attribution: { utm_source: null, utm_campaign: 2026, utm_medium: 'cpc' } })));
    expect(stored.statusCode).toBe(200);
    expect(deps.store.leads.get(stored.json.leadId)?.attribution.lastTouch).toEqual({ utm_campaign: '2026', utm_medium: 'cpc' });
  });

  it('generic: field keys named like Object.prototype members are kept as answers, and the lead reads back', async () => {
    const deps = fakeDependencies();
    const body = '{"fields":{"email":"proto@example.com","constructor":"x","valueOf":"y","toString":"z","__proto__":{"polluted":true}}}';
    const response = await send(deps, signedBody(deps, 'generic', body));
    expect(response.statusCode).toBe(200);
    const lead = deps.store.leads.get(response.json.leadId)!;
    expect(leadSchema.parse(lead)).toEqual(lead);
    expect(lead).toMatchObject({ contact: { email: 'proto@example.com' }, answers: { constructor: 'x', valueOf: 'y', toString: 'z' } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('retry-pending-fetches', () => {
  it('retries only what is due, backs off while the platform is down, and reads the lead once it is back', async () => {
    const deps = fakeDependencies();
    deps.platformLeads.down.add('meta');
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const delivery = example(deps, 'meta');
    await send(deps, delivery);
    const retry = createRetry(() => deps);
    const run = (at: string) => retry({ scheduleName: 'retry-pending-fetches', time: at }, lambdaContext);

    expect(await run('2026-03-02T10:15:30.000Z')).toEqual({ due: 0, fetched: 0, skipped: 0, stillPending: 0, unrecorded: 0 });
    expect(await run('2026-03-02T10:16:00.000Z')).toEqual({ due: 1, fetched: 0, skipped: 0, stillPending: 1, unrecorded: 0 });
    expect(deps.intakes.records.get(`INTAKE#meta#${delivery.platformLeadId}`)).toMatchObject({ attempts: 2, nextAttemptAt: '2026-03-02T10:18:00.000Z' });

    deps.platformLeads.down.delete('meta');
    expect(await run('2026-03-02T10:18:00.000Z')).toEqual({ due: 1, fetched: 1, skipped: 0, stillPending: 0, unrecorded: 0 });
    const record = deps.intakes.records.get(`INTAKE#meta#${delivery.platformLeadId}`)!;
    expect(record).toMatchObject({ status: 'fetched', leadId: expect.any(String) });
    expect(deps.store.leads.get(record.leadId!)).toMatchObject({ capturedAt: '2026-03-02T10:18:00.000Z', source: { platformLeadId: delivery.platformLeadId } });
    expect(await run('2026-03-02T11:00:00.000Z')).toMatchObject({ due: 0 });
    expect([...deps.store.outbox.values()].map((event) => event.detailType)).toEqual(['lead.fetch_failed', 'lead.fetch_failed', 'lead.captured', 'lead.scored']);
    vi.restoreAllMocks();
  });

  it('never drops a record: after many failures it keeps it at the hourly cap and logs an error', async () => {
    const deps = fakeDependencies();
    deps.platformLeads.down.add('tiktok');
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const delivery = example(deps, 'tiktok');
    await send(deps, delivery);
    const retry = createRetry(() => deps);
    let at = deps.now().getTime();
    for (let run = 0; run < 12; run += 1) {
      at += 61 * 60_000;
      await retry({ scheduleName: 'retry-pending-fetches', time: new Date(at).toISOString() }, lambdaContext);
    }
    const record = deps.intakes.records.get(`INTAKE#tiktok#${delivery.platformLeadId}`)!;
    expect(record).toMatchObject({ status: 'pending_fetch', attempts: 13, nextAttemptAt: new Date(at + 60 * 60_000).toISOString() });
    expect(error).toHaveBeenCalledWith('A platform lead still cannot be read; it stays pending and is retried', expect.objectContaining({ attempts: 13 }));
    vi.restoreAllMocks();
  });

  it('leaves a record due when its outcome cannot be recorded, and says so', async () => {
    const deps = fakeDependencies();
    deps.platformLeads.down.add('meta');
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    await send(deps, example(deps, 'meta'));
    deps.intakes.recordFailure = async () => {
      throw new Error('DynamoDB is down');
    };
    const result = await createRetry(() => deps)({ scheduleName: 'retry-pending-fetches', time: '2026-03-02T10:20:00.000Z' }, lambdaContext);
    expect(result).toMatchObject({ due: 1, unrecorded: 1 });
    expect(error).toHaveBeenCalled();
    vi.restoreAllMocks();
  });
});

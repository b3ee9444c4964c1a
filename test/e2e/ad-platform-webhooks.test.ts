import { localClientSettings } from '@leadflow/local-runtime';
import { createDynamoDbClient } from '@leadflow/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalRuntime } from '@leadflow/local-runtime';
import { exampleDelivery, type ExampleDelivery, type ExampleOptions, type WebhookChannel } from '../../scripts/webhook-examples';
import { demoConfiguration } from '../support/demo-configuration';
import { eventually, leadsTableItems, scanLeadsTable, startTestRuntime, tokenFor } from '../support/local-runtime';
import { signWithDemoSecrets } from '../support/demo-secrets';
import { secretRefs } from '@leadflow/domain';

let runtime: LocalRuntime;
let raw: DynamoDBClient;
let table: DynamoDBDocumentClient;
let managerToken: string;
const config = demoConfiguration();

beforeAll(async () => {
  // Schedules run only when a test runs them: one firing on the clock (send-conversion-feedback, every minute, moving
  // the Meta leads' queued feedback to sent) would change the table between a "writes nothing" test's two reads.
  runtime = await startTestRuntime({ env: { LEADS_SCHEDULES: '0' } });
  raw = createDynamoDbClient(localClientSettings({ dynamodb: runtime.endpoints.dynamodb }));
  table = DynamoDBDocumentClient.from(raw);
  managerToken = await tokenFor('mgr-maya', 'manager');
});
afterAll(async () => {
  raw?.destroy();
  await runtime?.stop();
});

let sequence = 0;
/** A fresh platform id per test, numeric and above 2^53 like the platforms' own. */
const freshId = () => `${9_100_000_000_000_000 + Date.now() * 100 + (sequence += 1)}`;
const example = (channel: WebhookChannel, options: ExampleOptions = {}) => exampleDelivery(channel, config, signWithDemoSecrets, { id: freshId(), ...options });

async function send(delivery: ExampleDelivery): Promise<{ status: number; body: any }> {
  const response = await fetch(`${runtime.url}${delivery.path}`, { method: delivery.method, headers: delivery.headers, body: delivery.body });
  return { status: response.status, body: await response.json() };
}

async function readLead(leadId: string) {
  const response = await fetch(`${runtime.url}/leads/${leadId}`, { headers: { authorization: `Bearer ${managerToken}` } });
  expect(response.status).toBe(200);
  return await response.json();
}

const scanAll = () => scanLeadsTable(table);

const leadsFor = async (platformLeadId: string) => (await scanAll()).filter((item) => item.entity === 'lead' && item.source?.platformLeadId === platformLeadId);
const intakeRecord = async (channel: WebhookChannel, id: string) => (await table.send(new GetCommand({ TableName: 'leads', Key: { pk: `INTAKE#${channel}#${id}`, sk: 'INTAKE' }, ConsistentRead: true }))).Item;
const leadIdOf = (channel: WebhookChannel, body: any): string => (channel === 'google' || channel === 'generic' ? body.leadId : body.deliveries[0].leadId);

const metaForm = config.integrations.meta!.forms[0];
const expectedTouch: Record<WebhookChannel, (id: string) => Promise<Record<string, unknown>>> = {
  meta: async () => ({ platform_form_id: metaForm.formId, campaign_id: expect.stringMatching(/^2385\d{13}$/), adset_id: expect.stringMatching(/^2385\d{13}$/), ad_id: expect.stringMatching(/^2385\d{13}$/) }),
  google: async () => ({ gclid: 'Cj0KCQjw-example-gclid', campaign_id: '23729418209', adgroup_id: '195583084496', creative_id: '9007199254740993', platform_form_id: '349080077126' }),
  linkedin: async () => ({ campaign_id: expect.stringMatching(/^\d{9}$/), creative_id: expect.stringMatching(/^\d{9}$/), platform_form_id: '1234567' }),
  tiktok: async (id) => {
    // The stand-in sends the ids as bare 19-digit JSON numbers; the lead must hold exactly those digits.
    const form = config.integrations.tiktok!;
    const text = await (await fetch(`${runtime.url}/_local/stand-ins/tiktok/open_api/v1.3/lead/get/?advertiser_id=${form.advertiserId}&page_id=${form.forms[0].pageId}&lead_id=${id}`)).text();
    const bare = (name: string) => new RegExp(`"${name}":(\\d{19})[,}]`).exec(text)![1];
    return { campaign_id: bare('campaign_id'), adgroup_id: bare('adgroup_id'), ad_id: bare('ad_id'), platform_form_id: form.forms[0].pageId };
  },
  generic: async () => ({ utm_source: 'acme', utm_medium: 'referral', utm_campaign: 'spring-2026', landing_url: 'https://acme.example/robots' }),
};

describe.each(['meta', 'google', 'linkedin', 'tiktok', 'generic'] as const)('%s leads through the local runtime', (channel) => {
  it('turns the example delivery into exactly one lead with its attribution, readable by a manager', async () => {
    const delivery = example(channel);
    const response = await send(delivery);
    expect(response.status).toBe(200);
    if (channel === 'google' || channel === 'generic') expect(response.body).toEqual({ leadId: expect.any(String) });
    else expect(response.body).toEqual({ deliveries: [{ platformLeadId: delivery.platformLeadId, status: 'fetched', leadId: expect.any(String) }] });

    const lead = await readLead(leadIdOf(channel, response.body));
    const sourceKind = channel === 'generic' ? 'webhook' : channel;
    // Routed or not yet: a cold lead is left in its pool (the demo nurtures cold leads there).
    expect(lead).toMatchObject({
      status: expect.stringMatching(/^(new|assigned|in_pool)$/),
      source: { kind: sourceKind, platformLeadId: delivery.platformLeadId },
      contact: { email: expect.stringContaining('@example.com') },
    });
    expect(lead.attribution.lastTouch).toEqual(await expectedTouch[channel](delivery.platformLeadId));
    expect(await leadsFor(delivery.platformLeadId)).toHaveLength(1);
  });

  it('makes one lead of five identical deliveries sent at once', async () => {
    const delivery = example(channel);
    const responses = await Promise.all(Array.from({ length: 5 }, () => send(delivery)));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    if (channel === 'google' || channel === 'generic') {
      expect(new Set(responses.map((response) => response.body.leadId)).size).toBe(1);
      expect(responses.filter((response) => !response.body.duplicate)).toHaveLength(1);
    } else {
      const results = responses.map((response) => response.body.deliveries[0]);
      expect(results.filter((result) => !result.duplicate)).toEqual([expect.objectContaining({ status: 'fetched' })]);
    }
    await runtime.settle();
    expect(await leadsFor(delivery.platformLeadId)).toHaveLength(1);
  });

  it('answers a tampered signature with 401 and writes nothing', async () => {
    // Every POST is counted against the per-minute rate limit before its signature is checked (by design:
    // forged posts are limited too), so a new minute's counter may appear; nothing else may.
    await runtime.settle();
    const before = await leadsTableItems(runtime);
    const response = await send(example(channel, { tamper: true }));
    expect(response.status).toBe(401);
    expect(response.body.error).toMatch(/signature|google_key/i);
    await runtime.settle();
    expect(await leadsTableItems(runtime)).toEqual(before);
  });
});

describe.each(['meta', 'linkedin', 'tiktok'] as const)('a %s outage loses nothing', (channel) => {
  it('keeps a visible pending_fetch record, announces lead.fetch_failed, and stores the lead once the retry schedule runs after the platform is back', async () => {
    const outage = (down: boolean) => fetch(`${runtime.url}/_local/stand-ins/outage`, { method: 'POST', body: JSON.stringify({ platform: channel, down }) });
    expect((await outage(true)).status).toBe(200);
    const delivery = example(channel);
    let response: { status: number; body: any };
    try {
      response = await send(delivery);
    } finally {
      await outage(false);
    }
    expect(response.status).toBe(200);
    expect(response.body.deliveries).toEqual([{ platformLeadId: delivery.platformLeadId, status: 'pending_fetch' }]);
    expect(await intakeRecord(channel, delivery.platformLeadId)).toMatchObject({
      status: 'pending_fetch',
      rawDelivery: delivery.body,
      attempts: 1,
      lastError: expect.stringContaining('HTTP 503'),
      pendingFetchPartition: expect.stringMatching(/^pending#\d+$/),
    });
    expect(await leadsFor(delivery.platformLeadId)).toHaveLength(0);
    const failedEvent = await eventually(async () =>
      ((await (await fetch(`${runtime.url}/_local/events`)).json()) as any[]).find((event) => event.detailType === 'lead.fetch_failed' && event.detail.platformLeadId === delivery.platformLeadId),
    );
    expect(failedEvent.detail).toMatchObject({ sourceKind: channel, attempts: 1, error: expect.stringContaining('HTTP 503') });

    // Well past any backoff the clock-driven runs may have added meanwhile.
    const later = new Date(Date.now() + 65 * 60_000).toISOString();
    const run = await fetch(`${runtime.url}/_local/schedules/retry-pending-fetches/run`, { method: 'POST', body: JSON.stringify({ now: later }) });
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ scheduleName: 'retry-pending-fetches', outcome: { status: 'succeeded' } });
    const record = await intakeRecord(channel, delivery.platformLeadId);
    expect(record).toMatchObject({ status: 'fetched', leadId: expect.any(String) });
    expect(record).not.toHaveProperty('pendingFetchPartition');
    expect(await readLead(record!.leadId)).toMatchObject({ source: { platformLeadId: delivery.platformLeadId } });
    expect(await leadsFor(delivery.platformLeadId)).toHaveLength(1);
  });
});

describe('handshakes and erasure through the local runtime', () => {
  it('answers Meta’s subscription handshake and LinkedIn’s validation challenge', async () => {
    const verifyToken = signWithDemoSecrets(secretRefs.metaVerifyToken);
    const ok = await fetch(`${runtime.url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=${verifyToken}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('1158201444');
    expect((await fetch(`${runtime.url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`)).status).toBe(403);
    const challenge = await fetch(`${runtime.url}/webhooks/linkedin?challengeCode=890e4665-4dfe-4ab1-b689-ed553bceeed4`);
    expect(await challenge.json()).toEqual({ challengeCode: '890e4665-4dfe-4ab1-b689-ed553bceeed4', challengeResponse: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('erases the person from a LinkedIn lead when LinkedIn says it was deleted', async () => {
    const id = freshId();
    const created = await send(example('linkedin', { id }));
    const leadId = created.body.deliveries[0].leadId;
    expect((await readLead(leadId)).contact.email).toBeDefined();
    const deleted = await send(example('linkedin', { id, leadAction: 'DELETED' }));
    expect(deleted.body).toEqual({ deliveries: [{ platformLeadId: id, status: 'erased', leadId }] });
    expect(await readLead(leadId)).toMatchObject({ contact: {}, answers: {}, status: 'invalid', statusReason: "erased at the person's request" });
    await eventually(async () => ((await (await fetch(`${runtime.url}/_local/events`)).json()) as any[]).find((event) => event.detailType === 'lead.erased' && event.detail.leadId === leadId));
  });

  it('refuses the LinkedIn forgery: a DELETED body sent as challengeCode gets no answer, and no answer the challenge gives is accepted as a signature', async () => {
    const id = freshId();
    const leadId = (await send(example('linkedin', { id }))).body.deliveries[0].leadId;
    const forged = example('linkedin', { id, leadAction: 'DELETED' }).body;
    for (const challengeCode of [forged, `hmacsha256=${forged}`]) {
      const challenge = await fetch(`${runtime.url}/webhooks/linkedin?challengeCode=${encodeURIComponent(challengeCode)}`);
      expect(challenge.status).toBe(400);
    }
    const code = 'f3bd3e6b-2c1d-4e0a';
    const { challengeResponse } = (await (await fetch(`${runtime.url}/webhooks/linkedin?challengeCode=${code}`)).json()) as { challengeResponse: string };
    const attack = await send({ ...example('linkedin', { id }), body: code, headers: { 'content-type': 'application/json', 'x-li-signature': challengeResponse } });
    expect(attack.status).toBe(401);
    expect(await readLead(leadId)).toMatchObject({ status: expect.not.stringMatching(/^invalid$/), contact: { email: expect.any(String) } });
  });

  it('refuses an unsigned TikTok trigger naming many leads, storing nothing', async () => {
    const ids = Array.from({ length: 20 }, () => freshId());
    const body = JSON.stringify({ advertiser_id: '666', entry: ids.map((id) => ({ id, page_id: config.integrations.tiktok!.forms[0].pageId })) });
    const attack = await send({ ...example('tiktok'), body, headers: { 'content-type': 'application/json' } });
    expect(attack.status).toBe(401);
    for (const id of ids.slice(0, 3)) expect(await intakeRecord('tiktok', id)).toBeUndefined();
  });

  it('lists the retry schedule', async () => {
    const { schedules } = await (await fetch(`${runtime.url}/_local/schedules`)).json();
    expect(schedules).toContainEqual(expect.objectContaining({ scheduleName: 'retry-pending-fetches', expression: 'rate(1 minute)', target: 'retry-pending-fetches' }));
  });
});

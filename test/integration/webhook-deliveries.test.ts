import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  expiresAfterDays,
  replayedWebhookDelivery,
  retentionSchema,
  verifyLeadSignature,
  webhookRetryJitter,
  webhookSecretRef,
  type Configuration,
  type WebhookAttemptResult,
  type WebhookRuleInput,
} from '@leadflow/domain';
import { DynamoDbWebhookDeliveryStore, replayWebhookDeliveries, webhookRetryBatchSize, type WebhookSender } from '@leadflow/platform';
import { createHandler as createDeliver } from '../../functions/deliver-webhook/handler';
import { createHandler as createRetry } from '../../functions/retry-webhook-deliveries/handler';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestDatabase, type TestDatabase } from '../support/dynamodb';
import { lambdaContext } from '../support/api-gateway-events';
import { RecordingSecretStore, signWithDemoSecrets } from '../support/demo-secrets';

/** Unlike the default, so every expiry below is shown to come from the configuration. */
const retention = retentionSchema.parse({ webhookDeliveryDays: 9 });

let database: TestDatabase;
let store: DynamoDbWebhookDeliveryStore;

beforeAll(async () => {
  database = await startTestDatabase();
  store = new DynamoDbWebhookDeliveryStore(database.client, database.tableName, retention);
});
afterAll(() => database?.stop());
// A retry run sends every due delivery of the table, whichever case queued it.
beforeEach(() => database.reset());

/** A receiver that answers from a script (then 200), recording each request. */
class ScriptedReceiver implements WebhookSender {
  readonly requests: Array<{ url: string; body: string; headers: Record<string, string> }> = [];
  constructor(readonly answers: number[] = []) {}
  async post(url: URL, body: string, headers: Record<string, string>): Promise<WebhookAttemptResult> {
    this.requests.push({ url: url.href, body, headers });
    const status = this.answers.shift() ?? 200;
    return status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `answered HTTP ${status}` };
  }
}

const start = new Date('2026-03-02T10:00:00.000Z');
const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
let eventCounter = 0;

function world(receiver: ScriptedReceiver, clock: { now: Date } = { now: start }) {
  const config: Configuration = demoConfiguration();
  const deps = { config, webhooks: store, webhookSender: receiver, secrets: new RecordingSecretStore(), publicBaseUrl: 'http://127.0.0.1:3999', now: () => clock.now };
  return { config, clock, deliver: createDeliver(() => deps), retry: createRetry(() => deps) };
}

function assignedEvent(): WebhookRuleInput {
  eventCounter += 1;
  // Zero-padded: deliveries queued at the same time list by id, so in the order they were made, whatever cases ran before.
  const eventId = `evt-int-${String(eventCounter).padStart(6, '0')}-${Date.now()}`;
  return {
    destinationId: 'crm',
    event: {
      'detail-type': 'lead.assigned',
      time: start.toISOString(),
      detail: { eventId, leadId: `lead-${eventCounter}`, ownerId: 'rep-ava', poolId: 'americas-inbound', rule: 'round_robin', assignedAt: start.toISOString() },
    },
  };
}

const crmSecret = () => signWithDemoSecrets(webhookSecretRef({ id: 'crm' }));
const runAt = (retry: ReturnType<typeof world>['retry'], now: Date, context: Pick<typeof lambdaContext, 'getRemainingTimeInMillis'> = lambdaContext) =>
  retry({ scheduleName: 'retry-webhook-deliveries', time: now.toISOString() }, context);

describe('webhook deliveries on DynamoDB Local', () => {
  it('delivers an event once, however often the bus delivers it, signed over the exact body', async () => {
    const receiver = new ScriptedReceiver();
    const { deliver } = world(receiver);
    const input = assignedEvent();
    await Promise.all([deliver(input, lambdaContext), deliver(input, lambdaContext), deliver(input, lambdaContext)]);
    await deliver(input, lambdaContext);
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request.url).toBe('http://127.0.0.1:3999/_local/stand-ins/crm');
    expect(request.headers['idempotency-key']).toBe(input.event.detail.eventId);
    expect(verifyLeadSignature(request.body, request.headers['x-lead-signature'], [crmSecret()], start).ok).toBe(true);
    const [logged] = await store.list('crm', { states: ['delivered'] }).then((found) => found.filter((delivery) => delivery.eventId === input.event.detail.eventId));
    expect(logged).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 200 });
  });

  it('retries a failing receiver from the due-time index with backoff, and only when due', async () => {
    const receiver = new ScriptedReceiver([503, 500]);
    const { deliver, retry } = world(receiver);
    const input = assignedEvent();
    await deliver(input, lambdaContext);
    const pending = (await store.list('crm', { states: ['pending'] })).find((delivery) => delivery.eventId === input.event.detail.eventId)!;
    // One minute, and that attempt's jitter.
    const firstRetryAt = new Date(pending.nextAttemptAt!);
    expect(pending).toMatchObject({ attempts: 1, lastStatus: 503 });
    expect(firstRetryAt.getTime()).toBeCloseTo(at(1 + webhookRetryJitter(pending, 1)).getTime(), -1);

    // Not due yet: nothing is sent.
    await runAt(retry, at(0.5));
    expect(receiver.requests).toHaveLength(1);
    await runAt(retry, firstRetryAt);
    expect(receiver.requests).toHaveLength(2);
    const second = (await store.list('crm', { states: ['pending'] })).find((delivery) => delivery.eventId === input.event.detail.eventId)!;
    expect(second).toMatchObject({ attempts: 2 });
    expect(Date.parse(second.nextAttemptAt!)).toBeCloseTo(firstRetryAt.getTime() + 2 * 60_000 * (1 + webhookRetryJitter(pending, 2)), -1);
    await runAt(retry, new Date(second.nextAttemptAt!));
    expect(receiver.requests.map((request) => request.headers['x-lead-delivery-attempt'])).toEqual(['1', '2', '3']);
    expect(new Set(receiver.requests.map((request) => request.body)).size).toBe(1);
    expect((await store.list('crm', { states: ['delivered'] })).map((delivery) => delivery.eventId)).toContain(input.event.detail.eventId);
    // Gone from the index: later runs send nothing.
    await runAt(retry, at(600));
    expect(receiver.requests).toHaveLength(3);
  });

  it('lets one of three racing retry runs attempt a due delivery', async () => {
    const receiver = new ScriptedReceiver([503]);
    const { deliver, retry } = world(receiver);
    const input = assignedEvent();
    await deliver(input, lambdaContext);
    await Promise.all([runAt(retry, at(2)), runAt(retry, at(2)), runAt(retry, at(2))]);
    expect(receiver.requests.filter((request) => request.headers['idempotency-key'] === input.event.detail.eventId)).toHaveLength(2);
  });

  it('dead-letters after the retry window, keeps it in the log, and a replay sends it again with the same key', async () => {
    const receiver = new ScriptedReceiver(Array.from({ length: 100 }, () => 503));
    const { deliver, retry, config } = world(receiver);
    const input = assignedEvent();
    await deliver(input, lambdaContext);
    const run = await runAt(retry, at(25 * 60));
    expect(run.deadLettered).toBeGreaterThanOrEqual(1);
    const dead = (await store.list('crm', { states: ['dead'] })).find((delivery) => delivery.eventId === input.event.detail.eventId)!;
    expect(dead).toMatchObject({ attempts: 2, lastStatus: 503, lastError: 'answered HTTP 503' });
    expect(dead.nextAttemptAt).toBeUndefined();
    expect((await database.items()).find((item) => item.eventId === input.event.detail.eventId)).not.toHaveProperty('webhookDuePartition');

    const replayed = await replayWebhookDeliveries({ destinationIds: ['crm'] }, { config, webhooks: store }, at(26 * 60));
    expect(replayed.map((delivery) => delivery.eventId)).toContain(input.event.detail.eventId);
    receiver.requests.length = 0;
    receiver.answers.length = 0;
    await runAt(retry, at(26 * 60));
    const resent = receiver.requests.filter((request) => request.headers['idempotency-key'] === input.event.detail.eventId);
    expect(resent).toHaveLength(1);
    expect(resent[0].body).toBe(dead.body);
    expect((await store.list('crm', { states: ['delivered'] })).find((delivery) => delivery.eventId === input.event.detail.eventId)).toMatchObject({ replays: 1, attempts: 1 });
    // A second replay without --since finds no dead letter of it.
    expect((await replayWebhookDeliveries({ destinationIds: ['crm'] }, { config, webhooks: store }, at(27 * 60))).map((delivery) => delivery.eventId)).not.toContain(input.event.detail.eventId);
  });

  it('replays with --since what was delivered since then, also when it was first queued before', async () => {
    const receiver = new ScriptedReceiver([503]);
    const { deliver, retry, config } = world(receiver);
    const retried = assignedEvent();
    await deliver(retried, lambdaContext);
    const onFirstTry = assignedEvent();
    await deliver(onFirstTry, lambdaContext);
    await runAt(retry, at(2));
    const ids = [retried, onFirstTry].map((input) => input.event.detail.eventId);
    expect((await store.list('crm', { states: ['delivered'] })).filter((delivery) => ids.includes(delivery.eventId))).toEqual([
      expect.objectContaining({ eventId: ids[0], createdAt: start.toISOString(), deliveredAt: at(2).toISOString() }),
      expect.objectContaining({ eventId: ids[1], createdAt: start.toISOString(), deliveredAt: start.toISOString() }),
    ]);
    // The receiver lost what it got from minute 1 on: the retried delivery, not the one delivered before.
    const replayed = await replayWebhookDeliveries({ destinationIds: ['crm'], since: at(1).toISOString() }, { config, webhooks: store }, at(3));
    expect(replayed.map((delivery) => delivery.eventId).filter((eventId) => ids.includes(eventId))).toEqual([ids[0]]);
    await runAt(retry, at(3));
    expect(receiver.requests.map((request) => request.headers['idempotency-key'])).toEqual([ids[0], ids[1], ids[0], ids[0]]);
  });

  it('sends every due delivery in one run, batch after batch, while its time lasts', { timeout: 60_000 }, async () => {
    const total = 2 * webhookRetryBatchSize + 10;
    const receiver = new ScriptedReceiver(Array.from({ length: total }, () => 503));
    const { deliver, retry } = world(receiver);
    const inputs = Array.from({ length: total }, () => assignedEvent());
    for (const input of inputs) await deliver(input, lambdaContext);
    const ids = new Set(inputs.map((input) => input.event.detail.eventId));
    const sentOf = () => receiver.requests.filter((request) => ids.has(request.headers['idempotency-key'])).length - total;

    // A run that has 25 s left, each POST taking a second of it: it stops while the longest POST (10 s and 5 s in hand) still fits.
    const slowRun = { getRemainingTimeInMillis: () => 25_000 - 1_000 * Math.max(0, sentOf()) };
    await runAt(retry, at(30), slowRun);
    expect(sentOf()).toBeGreaterThanOrEqual(10);
    expect(sentOf()).toBeLessThan(20);

    const run = await runAt(retry, at(30));
    expect(sentOf()).toBe(total);
    expect(run.delivered).toBeGreaterThan(webhookRetryBatchSize);
    expect((await store.list('crm', { states: ['delivered'] })).filter((delivery) => ids.has(delivery.eventId))).toHaveLength(total);
  });

  it('goes on past a delivery that cannot be attempted, records the others, and fails the run naming it', async () => {
    const receiver = new ScriptedReceiver([503, 503]);
    const { deliver, retry } = world(receiver);
    const [broken, healthy] = [assignedEvent(), assignedEvent()];
    await deliver(broken, lambdaContext);
    await deliver(healthy, lambdaContext);
    const brokenId = broken.event.detail.eventId;
    // As a sender whose request cannot even be built, or a secret that cannot be read, would.
    const post = receiver.post.bind(receiver);
    receiver.post = async (url, body, headers) => {
      if (headers['idempotency-key'] === brokenId) throw new TypeError('Request cannot be constructed');
      return post(url, body, headers);
    };
    await expect(runAt(retry, at(30))).rejects.toThrow(`Webhook deliveries not attempted or recorded: crm/${brokenId} (Request cannot be constructed)`);
    expect((await store.list('crm', { states: ['delivered'] })).map((delivery) => delivery.eventId)).toContain(healthy.event.detail.eventId);
    // Still pending under its claim, so a run after the claim lapses tries it again.
    expect((await store.list('crm', { states: ['pending'] })).find((delivery) => delivery.eventId === brokenId)).toMatchObject({ attempts: 1 });
  });

  it('dead-letters a pending delivery whose destination was disabled since', async () => {
    const receiver = new ScriptedReceiver([503]);
    const { deliver, retry, config } = world(receiver);
    const input = assignedEvent();
    await deliver(input, lambdaContext);
    config.webhooks.destinations[0].enabled = false;
    await runAt(retry, at(5));
    expect(receiver.requests).toHaveLength(1);
    expect((await store.list('crm', { states: ['dead'] })).find((delivery) => delivery.eventId === input.event.detail.eventId)).toMatchObject({
      lastError: 'destination "crm" is no longer configured, or is disabled',
    });
  });

  describe('retention', () => {
    const deliveryItem = async (input: WebhookRuleInput) => (await database.items()).find((item) => item.entity === 'webhook-delivery' && item.eventId === input.event.detail.eventId);
    /** A delivery dead-lettered by the run at `diedAt` (past its 24-hour window). */
    async function deadDelivery(diedAt: Date) {
      const receiver = new ScriptedReceiver(Array.from({ length: 100 }, () => 503));
      const { deliver, retry, config } = world(receiver);
      const input = assignedEvent();
      await deliver(input, lambdaContext);
      await runAt(retry, diedAt);
      expect(await deliveryItem(input)).toMatchObject({ state: 'dead', deadLetteredAt: diedAt.toISOString() });
      return { input, config, retry, receiver };
    }

    it('expires a delivered delivery the configured days after it was delivered, and never a pending one', async () => {
      const receiver = new ScriptedReceiver([503]);
      const { deliver, retry } = world(receiver);
      const input = assignedEvent();
      await deliver(input, lambdaContext);
      expect(await deliveryItem(input)).toMatchObject({ state: 'pending' });
      expect(await deliveryItem(input)).not.toHaveProperty('expiresAt');
      await runAt(retry, at(3));
      expect(await deliveryItem(input)).toMatchObject({ state: 'delivered', expiresAt: expiresAfterDays(at(3).toISOString(), 9) });
    });

    it('expires a dead delivery the configured days after it died, the time operators have to replay it', async () => {
      const diedAt = at(25 * 60);
      const { input } = await deadDelivery(diedAt);
      expect((await deliveryItem(input))?.expiresAt).toBe(expiresAfterDays(diedAt.toISOString(), 9));
    });

    it('replays a dead delivery within that time: pending again it loses its expiry, and delivered it expires from then', async () => {
      const diedAt = at(25 * 60);
      const { input, config, retry, receiver } = await deadDelivery(diedAt);
      const replayedAt = new Date(diedAt.getTime() + 8.9 * 24 * 3600_000);
      const replayed = await replayWebhookDeliveries({ destinationIds: ['crm'] }, { config, webhooks: store }, replayedAt);
      expect(replayed.map((delivery) => delivery.eventId)).toContain(input.event.detail.eventId);
      expect(await deliveryItem(input)).toMatchObject({ state: 'pending', replays: 1 });
      expect(await deliveryItem(input)).not.toHaveProperty('expiresAt');
      receiver.answers.length = 0;
      await runAt(retry, replayedAt);
      expect(await deliveryItem(input)).toMatchObject({ state: 'delivered', expiresAt: expiresAfterDays(replayedAt.toISOString(), 9) });
    });

    it('does not bring back a dead delivery past its expiry that the table has not removed yet', async () => {
      const diedAt = at(25 * 60);
      const { input, config } = await deadDelivery(diedAt);
      const dead = (await store.list('crm', { states: ['dead'] })).find((delivery) => delivery.eventId === input.event.detail.eventId)!;
      const expiresAt = expiresAfterDays(diedAt.toISOString(), 9);
      const destination = config.webhooks.destinations[0];
      expect(await store.requeue(replayedWebhookDelivery(dead, destination, new Date(expiresAt * 1000)), 'dead')).toBe(false);
      expect(await deliveryItem(input)).toMatchObject({ state: 'dead', expiresAt });
      // A second before it expires, it is replayed.
      expect(await store.requeue(replayedWebhookDelivery(dead, destination, new Date((expiresAt - 1) * 1000)), 'dead')).toBe(true);
      expect(await deliveryItem(input)).toMatchObject({ state: 'pending' });
    });
  });
});

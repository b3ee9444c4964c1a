import { describe, expect, it } from 'vitest';
import {
  afterWebhookAttempt,
  configuredSecrets,
  leadEventSource,
  newWebhookDelivery,
  replayedWebhookDelivery,
  retentionSchema,
  verifyLeadSignature,
  webhookBody,
  webhookDeliveryExpiresAt,
  webhookDestinationSchema,
  webhookHeaders,
  webhookRetryJitter,
  webhookRetryWaitMinutes,
  retryAfterMs,
  webhookRule,
  leadEventDetailSchemas,
  planConversion,
  planManualAssignment,
  type Lead,
  type Principal,
  type WebhookDelivery,
  type WebhookDestination,
} from '@leadflow/domain';
import { matches, validatePattern } from '@leadflow/event-pattern';
import { manifestFunctions } from '@leadflow/manifest';
import { configurationIssues } from '../../support/configuration-issues';
import { demoConfiguration } from '../../support/demo-configuration';
import { webFormIntake } from '../../support/intakes';

const now = new Date('2026-03-02T10:00:00.000Z');
const destination = webhookDestinationSchema.parse({ id: 'crm', url: 'https://crm.example/hooks/leads', events: ['lead.assigned'] });
const assignedEvent = {
  'detail-type': 'lead.assigned' as const,
  time: '2026-03-02T09:59:58Z',
  detail: { eventId: 'evt-1', leadId: 'lead-1', ownerId: 'rep-ava', poolId: 'americas-inbound', rule: 'round_robin', assignedAt: '2026-03-02T09:59:58.000Z' },
};
const minutesLater = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
const failure = { ok: false as const, status: 503, error: 'crm.example answered HTTP 503' };

/** A demo configuration document with `webhooks` replaced. */
function withWebhooks(webhooks: unknown): Record<string, unknown> {
  return { ...(JSON.parse(JSON.stringify(demoConfiguration())) as Record<string, unknown>), webhooks };
}

describe('outbound webhook configuration', () => {
  it('refuses bad destinations, naming the field', () => {
    expect(
      configurationIssues(
        withWebhooks({
          destinations: [
            { id: 'crm', url: 'http://crm.example/hooks', events: ['lead.assigned'] },
            { id: 'erp', url: 'https://erp.example/hooks', events: [] },
            { id: 'Bad Id', url: 'https://crm.example/hooks', events: ['lead.nonsense'], enabled: 'yes' },
            // fetch refuses a URL with credentials: every delivery would fail, its error holding the password.
            { id: 'with-password', url: 'https://user:secret@crm.example/hooks', events: ['lead.assigned'] },
          ],
        }),
      ),
    ).toEqual([
      "webhooks.destinations[0].url: must be an https:// URL without a user name or password (or, for the local runtime's stand-ins, a path under /_local/stand-ins/)",
      'webhooks.destinations[1].events: list at least one lead event type',
      'webhooks.destinations[2].id: must be lower-case letters, digits or "-", at most 40, starting with a letter or digit',
      expect.stringMatching(/^webhooks\.destinations\[2\]\.events\[0\]: /),
      expect.stringMatching(/^webhooks\.destinations\[2\]\.enabled: /),
      expect.stringMatching(/^webhooks\.destinations\[3\]\.url: must be an https:\/\/ URL without a user name or password/),
    ]);
  });

  it('refuses a detail filter that is not an EventBridge pattern, and a repeated id', () => {
    const issues = configurationIssues(
      withWebhooks({
        destinations: [
          { id: 'crm', url: 'https://crm.example/a', events: ['lead.assigned'], detail: { poolId: 'emea-inbound' } },
          { id: 'crm', url: 'https://crm.example/b', events: ['lead.assigned'] },
        ],
      }),
    );
    expect(issues).toEqual([expect.stringMatching(/^webhooks\.destinations\[0\]\.detail: is not a valid EventBridge pattern: /), 'webhooks.destinations[1].id: duplicate id "crm"']);
  });

  it('gives each enabled destination one rule on the lead bus, from its events and detail filter', () => {
    const filtered = webhookDestinationSchema.parse({ id: 'erp', url: 'https://erp.example/in', events: ['lead.converted'], detail: { poolId: ['emea-inbound'] } });
    expect(webhookRule(filtered)).toEqual({
      ruleName: 'webhook-erp',
      pattern: { source: [leadEventSource], 'detail-type': ['lead.converted'], detail: { poolId: ['emea-inbound'], isTest: [false, { exists: false }] } },
    });

    const config = demoConfiguration();
    config.webhooks.destinations.push({ ...filtered }, { ...filtered, id: 'off', enabled: false });
    const deliver = manifestFunctions(config).find((definition) => definition.name === 'deliver-webhook');
    const rules = deliver?.trigger.kind === 'event' ? deliver.trigger.rules : [];
    expect(rules.map((rule) => rule.ruleName)).toEqual(['webhook-crm', 'webhook-erp']);
    expect(rules[1]).toMatchObject({ pattern: webhookRule(filtered).pattern, input: { inputTemplate: '{"destinationId": "erp", "event": <aws.events.event.json>}' } });
    // The secrets follow the enabled destinations.
    expect(
      configuredSecrets(config)
        .filter((secret) => secret.kind === 'webhook-signing-secret')
        .map((secret) => secret.name),
    ).toEqual(['webhooks/crm/signing-secret', 'webhooks/erp/signing-secret']);
  });

  it('never matches a platform test lead’s event, and still matches the events that carry no isTest', () => {
    const everything = webhookDestinationSchema.parse({ id: 'crm', url: 'https://crm.example/hooks', events: Object.keys(leadEventDetailSchemas) });
    const narrowed = webhookDestinationSchema.parse({ id: 'emea', url: 'https://crm.example/emea', events: ['lead.captured', 'lead.converted'], detail: { poolId: ['emea-inbound'] } });
    const delivered = (rule: WebhookDestination, detailType: string, detail: Record<string, unknown>) => {
      const { pattern } = webhookRule(rule);
      expect(validatePattern(pattern)).toEqual({ valid: true });
      return matches(pattern, { source: leadEventSource, 'detail-type': detailType, detail });
    };
    const captured = { eventId: 'evt-1', leadId: 'lead-1', status: 'new', sourceKind: 'google', poolId: 'emea-inbound', channel: 'google-ads', capturedAt: '2026-03-02T09:59:58.000Z' };
    for (const detailType of ['lead.captured', 'lead.scored']) {
      expect(delivered(everything, detailType, { ...captured, isTest: true })).toBe(false);
      expect(delivered(everything, detailType, { ...captured, isTest: false })).toBe(true);
    }
    expect(delivered(narrowed, 'lead.captured', { ...captured, isTest: true })).toBe(false);
    expect(delivered(narrowed, 'lead.captured', { ...captured, isTest: false })).toBe(true);
    // Events without isTest: delivered as before, the destination's own filter still applied.
    expect(delivered(everything, 'lead.assigned', assignedEvent.detail)).toBe(true);
    expect(delivered(narrowed, 'lead.converted', { eventId: 'evt-2', leadId: 'lead-1', poolId: 'emea-inbound' })).toBe(true);
    expect(delivered(narrowed, 'lead.converted', { eventId: 'evt-3', leadId: 'lead-1', poolId: 'americas-inbound' })).toBe(false);
  });

  it('keeps a test lead’s lifecycle events, assigned or converted by hand, from the demo CRM’s rule, and delivers a real lead’s', () => {
    const config = demoConfiguration();
    const pool = config.pools.find((candidate) => candidate.id === 'americas-inbound')!;
    const rep = config.reps.find((candidate) => candidate.id === 'rep-ben')!;
    const maya: Principal = { id: 'mgr-maya', roles: ['manager'] };
    // The rule as the manifest hands it to the stack and to the local bus.
    const deliver = manifestFunctions(config).find((definition) => definition.name === 'deliver-webhook');
    const crmRule = (deliver?.trigger.kind === 'event' ? deliver.trigger.rules : []).find((rule) => rule.ruleName === 'webhook-crm')!;
    expect(crmRule.pattern).toMatchObject({ 'detail-type': ['lead.assigned', 'lead.converted'] });
    const delivered = (isTest: boolean) => {
      const lead: Lead = { ...webFormIntake(config, { leadId: 'lead-1' }).lead, isTest, status: 'in_pool', poolId: pool.id };
      const assigned = planManualAssignment({ lead, pool, principal: maya, target: rep, repId: rep.id, now, eventId: 'assign-1' });
      if (!('transition' in assigned)) throw new Error(assigned.refusal.message);
      const converted = planConversion({
        lead: { ...assigned.transition.after, status: 'qualified' },
        principal: maya,
        conversion: { revenue: 1200, currency: 'USD', wonAt: now.toISOString() },
        now,
        eventId: 'convert-1',
      });
      if (!('transition' in converted)) throw new Error(converted.refusal.message);
      return [assigned.transition.event, converted.transition.event].map((event) => matches(crmRule.pattern, { source: leadEventSource, 'detail-type': event.type, detail: event.detail }));
    };
    expect(delivered(true)).toEqual([false, false]);
    expect(delivered(false)).toEqual([true, true]);
  });

  it('refuses a detail filter on isTest: Leadflow filters test leads out itself', () => {
    const issues = configurationIssues(withWebhooks({ destinations: [{ id: 'crm', url: 'https://crm.example/a', events: ['lead.captured'], detail: { isTest: [true] } }] }));
    expect(issues).toEqual(['webhooks.destinations[0].detail.isTest: is filtered by Leadflow itself: platform test leads are never delivered; remove it']);
  });

  it('keeps only the retry schedule while every destination is disabled (it dead-letters what they left pending), and neither function without a destination', () => {
    const config = demoConfiguration();
    config.webhooks.destinations = config.webhooks.destinations.map((candidate) => ({ ...candidate, enabled: false }));
    expect(manifestFunctions(config).map((definition) => definition.name)).not.toContain('deliver-webhook');
    expect(manifestFunctions(config).map((definition) => definition.name)).toContain('retry-webhook-deliveries');
    config.webhooks.destinations = [];
    expect(manifestFunctions(config).map((definition) => definition.name)).not.toContain('retry-webhook-deliveries');
  });
});

describe('a delivery body and its signature', () => {
  it('documents the event as {id, type, occurredAt, data}, and refuses a detail that breaks its contract', () => {
    const { eventId, body } = webhookBody(assignedEvent);
    expect(eventId).toBe('evt-1');
    expect(JSON.parse(body)).toEqual({ id: 'evt-1', type: 'lead.assigned', occurredAt: '2026-03-02T09:59:58Z', data: assignedEvent.detail });
    expect(() => webhookBody({ ...assignedEvent, detail: { eventId: 'evt-2', leadId: 'lead-1' } })).toThrow();
  });

  it('signs the exact body so a receiver verifies it with the inbound convention, and carries the idempotency key', () => {
    const delivery = newWebhookDelivery(destination, webhookBody(assignedEvent), now);
    const headers = webhookHeaders(delivery, { current: 'crm-signing-secret-0123456789' }, now);
    expect(headers).toMatchObject({ 'content-type': 'application/json', 'idempotency-key': 'evt-1', 'x-lead-event-type': 'lead.assigned', 'x-lead-delivery-attempt': '1' });
    expect(headers['x-lead-signature']).toMatch(new RegExp(`^t=${now.getTime() / 1000},v1=[0-9a-f]{64}$`));
    expect(verifyLeadSignature(delivery.body, headers['x-lead-signature'], ['crm-signing-secret-0123456789'], now)).toEqual({ ok: true, timestamp: now.getTime() / 1000 });
    expect(verifyLeadSignature(`${delivery.body} `, headers['x-lead-signature'], ['crm-signing-secret-0123456789'], now)).toMatchObject({ ok: false });
    expect(verifyLeadSignature(delivery.body, headers['x-lead-signature'], ['another-secret-0123456789abc'], now)).toMatchObject({ ok: false });
  });

  it('signs with both secrets while rotating, so a receiver holding either one accepts', () => {
    const delivery = newWebhookDelivery(destination, webhookBody(assignedEvent), now);
    const signature = webhookHeaders(delivery, { current: 'new-signing-secret-0123456789', previous: 'old-signing-secret-0123456789' }, now)['x-lead-signature'];
    expect(signature.split(',').filter((part) => part.startsWith('v1='))).toHaveLength(2);
    for (const receiverSecret of ['new-signing-secret-0123456789', 'old-signing-secret-0123456789']) expect(verifyLeadSignature(delivery.body, signature, [receiverSecret], now).ok).toBe(true);
  });
});

describe('retries with backoff, then the dead letter', () => {
  it('waits 1, 2, 4 … minutes between attempts, at most an hour', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(webhookRetryWaitMinutes)).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
  });

  it('is delivered on a 2xx, pending after a failure, and dead-lettered once the next wait would end after the 24-hour window', () => {
    const fresh = newWebhookDelivery(destination, webhookBody(assignedEvent), now);
    expect(fresh).toMatchObject({ state: 'pending', attempts: 0, giveUpAt: '2026-03-03T10:00:00.000Z', nextAttemptAt: now.toISOString() });
    expect(afterWebhookAttempt(fresh, { ok: true, status: 204 }, now)).toMatchObject({ state: 'delivered', attempts: 1, deliveredAt: now.toISOString(), lastStatus: 204 });

    // Retry until the window closes, as the schedule would.
    let delivery: WebhookDelivery = fresh;
    let at = now;
    const waits: number[] = [];
    while (delivery.state === 'pending') {
      delivery = afterWebhookAttempt(delivery, failure, at);
      if (delivery.nextAttemptAt) {
        waits.push((Date.parse(delivery.nextAttemptAt) - at.getTime()) / 60_000);
        at = new Date(delivery.nextAttemptAt);
      }
    }
    // Each wait is its backoff plus that attempt's jitter, at most a fifth more.
    expect(waits.slice(0, 8).map((wait, index) => wait / [1, 2, 4, 8, 16, 32, 60, 60][index] - 1)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => expect.closeTo(webhookRetryJitter(fresh, attempt), 4)));
    expect(delivery).toMatchObject({ state: 'dead', lastStatus: 503, lastError: failure.error });
    expect(delivery.nextAttemptAt).toBeUndefined();
    expect(Date.parse(delivery.deadLetteredAt!)).toBeLessThanOrEqual(Date.parse(fresh.giveUpAt));
    // Every attempt in the window: 7 in the first two and a half hours, then one every 60 to 72 minutes until 24 hours.
    expect(delivery.attempts).toBe(waits.length + 1);
    expect(delivery.attempts).toBeGreaterThanOrEqual(7 + Math.floor((22 * 60) / 72));
  });

  it('spreads the retries of deliveries that failed together, reproducibly', () => {
    const jitters = Array.from({ length: 50 }, (_, index) => webhookRetryJitter({ destinationId: 'crm', eventId: `event-${index}` }, 1));
    for (const jitter of jitters) {
      expect(jitter).toBeGreaterThanOrEqual(0);
      expect(jitter).toBeLessThan(0.2);
    }
    // Fifty first retries of one outage spread over most of the twelve seconds a minute allows, not one.
    expect(new Set(jitters.map((jitter) => Math.floor(jitter * 60))).size).toBeGreaterThanOrEqual(10);
    expect(webhookRetryJitter({ destinationId: 'crm', eventId: 'event-1' }, 1)).toBe(jitters[1]);
  });

  it('waits as long as the receiver asks with Retry-After, never less than its backoff, and dead-letters when that is past the window', () => {
    const fresh = newWebhookDelivery(destination, webhookBody(assignedEvent), now);
    const asked = (retryAfter: string) => afterWebhookAttempt(fresh, { ...failure, status: 429, retryAfter }, now);
    expect(asked('600').nextAttemptAt).toBe(minutesLater(10).toISOString());
    expect(asked('Mon, 02 Mar 2026 10:30:00 GMT').nextAttemptAt).toBe(minutesLater(30).toISOString());
    // Shorter than the backoff, or unreadable: the backoff.
    const backoff = minutesLater(1 + webhookRetryJitter(fresh, 1)).getTime();
    for (const header of ['5', 'soon', '']) expect(Date.parse(asked(header).nextAttemptAt!)).toBeCloseTo(backoff, -1);
    expect(asked(String(25 * 3600))).toMatchObject({ state: 'dead', lastStatus: 429 });
    // So many seconds that no Date holds the time they ask for: past the window too, not a RangeError.
    for (const header of ['99999999999999', '9'.repeat(400)]) expect(asked(header)).toMatchObject({ state: 'dead', lastStatus: 429 });
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('2026-03-02', now)).toBeUndefined();
  });

  it('replays a dead letter as due at once, with a fresh window and the same body', () => {
    const dead = afterWebhookAttempt({ ...newWebhookDelivery(destination, webhookBody(assignedEvent), now), giveUpAt: now.toISOString() }, failure, now);
    expect(dead.state).toBe('dead');
    const later = minutesLater(3 * 24 * 60);
    expect(replayedWebhookDelivery(dead, destination, later)).toMatchObject({
      state: 'pending',
      attempts: 0,
      nextAttemptAt: later.toISOString(),
      giveUpAt: minutesLater(4 * 24 * 60).toISOString(),
      body: dead.body,
      replays: 1,
    });
    expect(replayedWebhookDelivery(dead, destination, later)).not.toHaveProperty('deadLetteredAt');
  });
});

describe('how long a delivery is kept', () => {
  const retention = retentionSchema.parse({ webhookDeliveryDays: 12 });
  const fresh = () => newWebhookDelivery(destination, webhookBody(assignedEvent), now);
  const daysAfter = (at: Date, days: number) => Math.floor(at.getTime() / 1000) + days * 24 * 3600;

  it('expires a delivered delivery the configured days after it was delivered, a dead one after it died, and never a pending one', () => {
    expect(webhookDeliveryExpiresAt(fresh(), retention)).toBeUndefined();
    expect(webhookDeliveryExpiresAt(afterWebhookAttempt(fresh(), failure, now), retention), 'retrying').toBeUndefined();
    const deliveredAt = minutesLater(90);
    expect(webhookDeliveryExpiresAt(afterWebhookAttempt(fresh(), { ok: true, status: 200 }, deliveredAt), retention)).toBe(daysAfter(deliveredAt, 12));
    const diedAt = minutesLater(24 * 60);
    const dead = afterWebhookAttempt({ ...fresh(), giveUpAt: diedAt.toISOString() }, failure, diedAt);
    expect(dead.state).toBe('dead');
    expect(webhookDeliveryExpiresAt(dead, retention)).toBe(daysAfter(diedAt, 12));
  });

  it('keeps a replayed delivery while it is pending again, and counts from its new end once it ends', () => {
    const diedAt = minutesLater(24 * 60);
    const dead = afterWebhookAttempt({ ...fresh(), giveUpAt: diedAt.toISOString() }, failure, diedAt);
    const replayedAt = minutesLater(11 * 24 * 60);
    const replayed = replayedWebhookDelivery(dead, destination, replayedAt);
    expect(webhookDeliveryExpiresAt(replayed, retention)).toBeUndefined();
    expect(webhookDeliveryExpiresAt(afterWebhookAttempt(replayed, { ok: true, status: 200 }, replayedAt), retention)).toBe(daysAfter(replayedAt, 12));
  });
});

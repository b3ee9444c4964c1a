import { localClientSettings } from '@leadflow/local-runtime';
import { createEventBridgeClient } from '@leadflow/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient, PutEventsCommand, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import type { LocalRuntime } from '@leadflow/local-runtime';
import { eventually, startTestRuntime } from '../support/local-runtime';
import { warmScoredLead } from '../support/scored-lead';

let runtime: LocalRuntime;
let client: EventBridgeClient;

beforeAll(async () => {
  // Retries a quarter second apart, so a failing target is dead-lettered within the test's wait.
  runtime = await startTestRuntime({ env: { LEADS_EVENT_RETRY_DELAY_MS: '250' } });
  client = createEventBridgeClient(localClientSettings({ eventbridge: runtime.endpoints.eventbridge }));
});
afterAll(async () => {
  client?.destroy();
  await runtime?.stop();
});

const envelope = { id: '1', account: '000000000000', source: 'leadflow.leads', time: '2026-03-02T10:00:00Z', region: 'us-east-1', resources: [], 'detail-type': 'lead.captured', detail: { score: 42 } };

describe('the local EventBridge endpoint, through the real AWS SDK client', () => {
  it('answers TestEventPattern with EventBridge semantics', async () => {
    const test = (pattern: unknown) => client.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(envelope) }));
    expect((await test({ detail: { score: [{ numeric: ['>', 40] }] } })).Result).toBe(true);
    expect((await test({ detail: { score: [{ numeric: ['<', 40] }] } })).Result).toBe(false);
    await expect(test({ detail: { score: [{ wrong: 1 }] } })).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
  });

  it('validates PutEvents like EventBridge: per-entry errors, and a request error over ten entries', async () => {
    const result = await client.send(new PutEventsCommand({ Entries: [{ Source: 'x', DetailType: 'y', Detail: '[1]', EventBusName: 'leadflow' }] }));
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[0]?.ErrorCode).toBe('MalformedDetail');
    const tooMany = Array.from({ length: 11 }, () => ({ Source: 'x', DetailType: 'y', Detail: '{}', EventBusName: 'leadflow' }));
    await expect(client.send(new PutEventsCommand({ Entries: tooMany }))).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('retries a failing target and dead-letters the event with its error', async () => {
    const detail = warmScoredLead('ghost', 'e-ghost');
    const put = await client.send(new PutEventsCommand({ Entries: [{ Source: 'leadflow.leads', DetailType: 'lead.scored', Detail: JSON.stringify(detail), EventBusName: 'leadflow' }] }));
    const eventId = put.Entries?.[0]?.EventId;
    const record = await eventually(async () => {
      const events = (await (await fetch(`${runtime.url}/_local/events`)).json()) as any[];
      const found = events.find((event) => event.id === eventId);
      return found?.rules[0]?.status === 'dead-lettered' ? found : undefined;
    });
    expect(record.rules[0]).toMatchObject({ target: 'assign-lead', attempts: 3, error: expect.stringContaining('ghost') });
    const deadLetters = (await (await fetch(`${runtime.url}/_local/dead-letters`)).json()) as any[];
    // The dead letter keeps what the target was given: the route rule's input, with the event's detail.
    expect(deadLetters).toContainEqual(expect.objectContaining({ origin: 'rule lead-route-default', target: 'assign-lead', payload: { routeId: 'default', detail } }));
  });

  it('drops events sent to a bus that does not exist, with an EventId and no failure, as EventBridge does', async () => {
    const result = await client.send(new PutEventsCommand({ Entries: [{ Source: 'leadflow.leads', DetailType: 'lead.captured', Detail: '{}', EventBusName: 'someone-elses' }] }));
    expect(result.FailedEntryCount).toBe(0);
    const eventId = result.Entries?.[0]?.EventId;
    expect(eventId).toEqual(expect.any(String));
    const events = (await (await fetch(`${runtime.url}/_local/events`)).json()) as Array<{ id: string }>;
    expect(events.map((event) => event.id)).not.toContain(eventId);
  });
});

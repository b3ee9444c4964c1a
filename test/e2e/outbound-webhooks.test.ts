import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrmDelivery, LocalRuntime } from '@leadflow/local-runtime';
import { runWebhooks } from '../../scripts/operations/webhooks';
import { eventually, startTestRuntime } from '../support/local-runtime';

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startTestRuntime();
}, 120_000);
afterAll(async () => {
  await runtime?.stop();
});

interface BusEvent {
  detailType: string;
  detail: { eventId: string; leadId: string };
}

const crm = async () => ((await (await fetch(`${runtime.url}/_local/stand-ins/crm`)).json()) as { deliveries: CrmDelivery[] }).deliveries;
const failCrm = (body: unknown) => fetch(`${runtime.url}/_local/stand-ins/crm/fail`, { method: 'POST', body: JSON.stringify(body) });
const runRetries = async (now: Date) => {
  const answer = await fetch(`${runtime.url}/_local/schedules/retry-webhook-deliveries/run`, { method: 'POST', body: JSON.stringify({ now: now.toISOString() }) });
  expect(answer.status).toBe(200);
};
const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000);

/** Posts a lead the demo routing assigns to a rep (a US lead of the Americas pool), and returns the `lead.assigned` event. */
async function assignedLead(email: string): Promise<BusEvent> {
  const answer = await fetch(`${runtime.url}/forms/demo/submissions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Hal Jordan', email, title: 'VP Operations', company: 'Ferris Aircraft', company_size: '1000+', product_interest: 'Fleet software', country: 'US' }),
  });
  expect(answer.status).toBe(202);
  const { leadId } = (await answer.json()) as { leadId: string };
  await runtime.settle();
  const events = (await (await fetch(`${runtime.url}/_local/events`)).json()) as BusEvent[];
  const assigned = events.filter((event) => event.detailType === 'lead.assigned' && event.detail.leadId === leadId);
  expect(assigned).toHaveLength(1);
  return assigned[0];
}

const deliveriesOf = async (eventId: string) => (await crm()).filter((delivery) => delivery.idempotencyKey === eventId);

function commandOutput() {
  const lines: string[] = [];
  return { lines, deps: { terminal: { print: (line: string) => lines.push(line), warn: (line: string) => lines.push(line) }, cloudFormation: undefined as never, now: () => new Date() } };
}

describe('outbound webhooks to the CRM stand-in, through the local runtime', () => {
  it('delivers one signed POST per assigned lead with the demo configuration', { timeout: 60_000 }, async () => {
    const events = [await assignedLead('ada@webhooks.example'), await assignedLead('grace@webhooks.example'), await assignedLead('alan@webhooks.example')];
    for (const event of events) {
      const deliveries = await deliveriesOf(event.detail.eventId);
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({ status: 200, accepted: true, signatureVerified: true, eventType: 'lead.assigned', attempt: '1' });
      expect(deliveries[0].signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(deliveries[0].body).toEqual({ id: event.detail.eventId, type: 'lead.assigned', occurredAt: expect.any(String), data: event.detail });
    }
  });

  it('retries a receiver that fails twice; it accepts exactly one delivery, with a valid signature', { timeout: 60_000 }, async () => {
    expect((await failCrm({ times: 2 })).status).toBe(200);
    const event = await assignedLead('katherine@webhooks.example');
    expect(await deliveriesOf(event.detail.eventId)).toMatchObject([{ status: 503, accepted: false }]);

    await runRetries(minutesFromNow(2));
    await runRetries(minutesFromNow(10));
    const deliveries = await eventually(async () => {
      const found = await deliveriesOf(event.detail.eventId);
      return found.length >= 3 ? found : undefined;
    });
    expect(deliveries.map((delivery) => [delivery.status, delivery.attempt])).toEqual([
      [503, '1'],
      [503, '2'],
      [200, '3'],
    ]);
    expect(deliveries.filter((delivery) => delivery.accepted)).toHaveLength(1);
    expect(deliveries.every((delivery) => delivery.signatureVerified)).toBe(true);
    // Nothing is left to send: a later run posts nothing more.
    await runRetries(minutesFromNow(120));
    expect(await deliveriesOf(event.detail.eventId)).toHaveLength(3);
  });

  it('dead-letters what a receiver always refuses, and the replay command delivers it', { timeout: 60_000 }, async () => {
    await failCrm({ always: true });
    const since = new Date().toISOString();
    const event = await assignedLead('linus@webhooks.example');
    // Past the 24-hour retry window: the next failure is the last.
    await runRetries(minutesFromNow(25 * 60));
    const listed = commandOutput();
    expect(await runWebhooks(['list', '--url', runtime.url, '--destination', 'crm', '--state', 'dead'], listed.deps)).toBe(0);
    expect(listed.lines[0]).toBe('crm: 0 pending, 0 delivered, 1 dead');
    expect(listed.lines[1]).toContain(event.detail.eventId);
    expect(listed.lines[1]).toMatch(/, last status 503, last error: .*told to fail/);
    expect((await deliveriesOf(event.detail.eventId)).every((delivery) => !delivery.accepted)).toBe(true);

    await failCrm({ always: false });
    const replay = commandOutput();
    expect(await runWebhooks(['replay', '--since', since, '--destination', 'crm', '--url', runtime.url], replay.deps)).toBe(0);
    expect(replay.lines).toContain(`queued again: crm ${event.detail.eventId} lead.assigned`);
    await runRetries(minutesFromNow(1));
    const accepted = (await deliveriesOf(event.detail.eventId)).filter((delivery) => delivery.accepted);
    expect(accepted).toEqual([expect.objectContaining({ status: 200, signatureVerified: true, attempt: '1' })]);

    const after = commandOutput();
    await runWebhooks(['list', '--url', runtime.url, '--destination', 'crm', '--since', since], after.deps);
    // Delivered since then: this one, and any other the runs above delivered at their (later) schedule times.
    expect(after.lines[0]).toMatch(/^crm: 0 pending, [1-9]\d* delivered, 0 dead$/);
    expect(after.lines.find((line) => line.includes(event.detail.eventId))).toContain('replayed 1x');
  });
});

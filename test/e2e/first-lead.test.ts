import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '@leadflow/local-runtime';
import { eventually, leadsTableItems, startTestRuntime, tokenFor, uniquePerson } from '../support/local-runtime';
import { demoConfiguration } from '../support/demo-configuration';

let runtime: LocalRuntime;
const config = demoConfiguration();

beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(() => runtime?.stop());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${runtime.url}${path}`, { headers });
const getJson = async (path: string) => (await get(path)).json();

/** Ada Lovelace, with an email and phone of her own in each case, posted as a plain HTML form posts her. */
function postHtmlForm(person = uniquePerson('ada@example.com')) {
  const body = `name=Ada%20Lovelace&email=${person.email}&phone=${person.phone.replace('+', '%2B')}`;
  return fetch(`${runtime.url}/forms/demo/submissions`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
}

/** A lead posted from the HTML form, once its `lead.assigned` reached the bus and each of that event's rules ran. */
async function assignedLead() {
  const person = uniquePerson('ada@example.com');
  const response = await postHtmlForm(person);
  expect(response.status).toBe(202);
  const { leadId } = (await response.json()) as { leadId: string };
  const assigned = await eventually(async () => {
    const events = (await getJson('/_local/events')) as any[];
    return events.find((event) => event.detailType === 'lead.assigned' && event.detail.leadId === leadId && event.rules.length > 0 && event.rules.every((rule: any) => rule.status === 'succeeded'));
  });
  return { person, leadId, ownerId: assigned.detail.ownerId as string, assigned };
}

describe('one lead, from the web form to the rep’s inbox, through the local runtime', () => {
  it('answers /health', async () => {
    const response = await get('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('lists the local endpoints', async () => {
    expect(await getJson('/_local/endpoints')).toMatchObject({ dynamodb: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), eventbridge: expect.stringMatching(/^http:/) });
  });

  it('accepts a plain HTML form post with 202 and the lead id', async () => {
    const response = await postHtmlForm();
    expect(response.status).toBe(202);
    const { leadId } = (await response.json()) as { leadId: string };
    expect(leadId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('routes lead.scored through its compiled route rule to assignment, and lead.assigned to the notifier, on the bus', async () => {
    const { leadId, ownerId, assigned } = await assignedLead();
    const pool = config.pools.find((candidate) => candidate.id === 'americas-inbound')!;
    expect(pool.members).toContain(ownerId);
    // The notifier, the follow-up due-time tracker and digest counters of the pool's team, and the CRM webhook.
    expect(assigned.rules).toHaveLength(4);
    expect(assigned.rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ruleName: 'lead-assigned-to-notification', target: 'notify-rep', status: 'succeeded', attempts: 1 }),
        expect.objectContaining({ ruleName: 'lead-changed-to-follow-up-due', target: 'track-follow-up-due', status: 'succeeded', attempts: 1 }),
        expect.objectContaining({ ruleName: 'lead-activity-to-team-counters', target: 'count-team-activity', status: 'succeeded', attempts: 1 }),
        expect.objectContaining({ ruleName: 'webhook-crm', target: 'deliver-webhook', status: 'succeeded', attempts: 1 }),
      ]),
    );

    const events = (await getJson('/_local/events')) as any[];
    const captured = events.find((event) => event.detailType === 'lead.scored' && event.detail.leadId === leadId);
    // A warm US lead from the demo form: the routing table's default route, and only that rule.
    expect(captured.detail).toMatchObject({ temperature: 'warm', country: 'US', owned: false });
    expect(captured.rules).toEqual([expect.objectContaining({ ruleName: 'lead-route-default', target: 'assign-lead', status: 'succeeded' })]);
    const position = (id: string) => events.findIndex((event) => event.id === id);
    expect(position(captured.id)).toBeLessThan(position(assigned.id)); // newest last
  });

  it('emails the owner about the lead', async () => {
    const { person, leadId, ownerId } = await assignedLead();
    const rep = config.reps.find((candidate) => candidate.id === ownerId)!;
    const email = await eventually(async () => ((await getJson('/_local/outbox')) as any[]).find((message) => message.leadId === leadId));
    expect(email).toMatchObject({ channel: 'email', recipient: rep.email, subject: 'New lead: Ada Lovelace', leadId });
    expect(email.body).toContain(`phone: ${person.phone}`);
    expect(Date.parse(email.time)).not.toBeNaN();
  });

  it('shows the lead to its owner and a manager, not to another rep, and asks for a token', async () => {
    const { person, leadId, ownerId } = await assignedLead();
    const otherRep = config.pools[0].members.find((member) => member !== ownerId)!;
    const asOwner = await get(`/leads/${leadId}`, { authorization: `Bearer ${await tokenFor(ownerId, 'rep')}` });
    expect(asOwner.status).toBe(200);
    expect(await asOwner.json()).toMatchObject({ leadId, ownerId, status: 'assigned', contact: { email: person.email, phone: person.phone } });
    expect((await get(`/leads/${leadId}`, { authorization: `Bearer ${await tokenFor('mgr-maya', 'manager')}` })).status).toBe(200);
    expect((await get(`/leads/${leadId}`, { authorization: `Bearer ${await tokenFor(otherRep, 'rep')}` })).status).toBe(403);
    expect((await get(`/leads/${leadId}`)).status).toBe(401);
    expect((await get(`/leads/${leadId}`, { authorization: 'Bearer not.a.token' })).status).toBe(401);
  });

  it('answers an unknown form with 404 and a bad body with 400 naming the fields, writing nothing', async () => {
    // The later hops of the leads of the cases before (counters, follow-up filing, webhook records, outbox deletes) must be done, or they move the count.
    await runtime.settle();
    const before = await leadsTableItems(runtime);
    const unknown = await fetch(`${runtime.url}/forms/nope/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"a@b.co"}' });
    expect(unknown.status).toBe(404);
    const invalid = await fetch(`${runtime.url}/forms/demo/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"","email":"x"}' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({
      error: 'The submission to form "demo" is invalid',
      issues: [
        { path: 'name', message: 'Full name is required' },
        { path: 'email', message: 'must be a valid email address' },
      ],
    });
    expect(await leadsTableItems(runtime)).toEqual(before);
  });

  it('answers routes it does not have with 404', async () => {
    expect((await get('/nowhere')).status).toBe(404);
    expect((await get('/_local/nowhere')).status).toBe(404);
  });
});

describe('schedules in the local runtime', () => {
  it('lists the manifest schedules with their next fire time', async () => {
    const { schedules } = await getJson('/_local/schedules');
    expect(schedules).toContainEqual(expect.objectContaining({ scheduleName: 'sweep-outbox', expression: 'rate(5 minutes)', nextFire: expect.stringMatching(/:[0-5][05]:00\.000Z$/) }));
  });

  it('runs a schedule at once as of a given time', async () => {
    // Nothing left in the outbox to republish: what the cases before wrote has been relayed.
    await runtime.settle();
    const response = await fetch(`${runtime.url}/_local/schedules/sweep-outbox/run`, { method: 'POST', body: JSON.stringify({ now: '2030-01-01T00:00:00Z' }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ scheduleName: 'sweep-outbox', time: '2030-01-01T00:00:00.000Z', trigger: 'manual', outcome: { status: 'succeeded' }, result: { republished: 0 } });
  });

  it('refuses a bad time and an unknown schedule', async () => {
    const bad = await fetch(`${runtime.url}/_local/schedules/sweep-outbox/run`, { method: 'POST', body: '{"now":"tomorrow"}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ issues: [{ path: 'now' }] });
    expect((await fetch(`${runtime.url}/_local/schedules/nope/run`, { method: 'POST' })).status).toBe(404);
  });
});

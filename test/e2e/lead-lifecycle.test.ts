import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '@leadflow/local-runtime';
import { callWithToken, eventually, startTestRuntime, tokenFor } from '../support/local-runtime';

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(() => runtime?.stop());

const call = (method: 'GET' | 'POST', path: string, token: string, body?: unknown) => callWithToken(runtime, method, path, token, body);

describe('a pooled lead worked to a sale, through the local runtime', () => {
  it('claim → follow-up with a next step → contacted → qualified → converted, on the timeline and on the bus', { timeout: 120_000 }, async () => {
    // A demo request from a free-mail address scores cold, and the demo routing leaves cold leads in the nurture pool.
    const submitted = await fetch(`${runtime.url}/forms/demo/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Dora Diaz', email: 'dora.diaz@gmail.com' }) });
    expect(submitted.status).toBe(202);
    const { leadId } = (await submitted.json()) as { leadId: string };
    await eventually(async () => ((await (await fetch(`${runtime.url}/_local/events`)).json()) as any[]).find((event) => event.detailType === 'lead.pooled' && event.detail.leadId === leadId));

    const ava = await tokenFor('rep-ava', 'rep');
    const pool = await call('GET', '/pools/nurture/leads?temperature=cold&maxAgeHours=1', ava);
    expect(pool.json.leads.map((lead: { leadId: string }) => lead.leadId)).toContain(leadId);
    expect((await call('GET', '/pools/nurture/leads?temperature=freezing', ava)).json.issues).toEqual([expect.objectContaining({ path: 'temperature' })]);

    expect(await call('POST', `/leads/${leadId}/claim`, ava)).toMatchObject({ status: 200, json: { ownerId: 'rep-ava' } });
    const nextStepAt = new Date(Date.now() + 24 * 3600_000).toISOString();
    const followUp = await call('POST', `/leads/${leadId}/activities`, ava, { kind: 'call', outcome: 'interested, call back tomorrow', nextStepAt });
    expect(followUp).toMatchObject({ status: 200, json: { nextStepAt, firstContactAt: expect.any(String) } });
    const mine = await call('GET', '/me/leads', ava);
    expect(mine.json.leads).toContainEqual(expect.objectContaining({ leadId, nextStepAt, overdue: false }));
    // Her manager sees the same list of hers, and the lead among her open leads.
    const maya = await tokenFor('mgr-maya', 'manager');
    expect((await call('GET', '/reps/rep-ava/leads', maya)).json.leads).toEqual(mine.json.leads);
    const roster = (await call('GET', '/reps', maya)).json.reps as Array<{ id: string; openLeads: number; capacity: number }>;
    expect(roster.find((rep) => rep.id === 'rep-ava')).toMatchObject({ openLeads: mine.json.leads.length, capacity: 40 });

    expect((await call('POST', `/leads/${leadId}/status`, ava, { status: 'contacted' })).json.status).toBe('contacted');
    expect((await call('POST', `/leads/${leadId}/convert`, ava, { revenue: 5000, currency: 'USD', wonAt: new Date().toISOString() })).json).toMatchObject({
      rule: 'illegal_transition',
      error: `lead ${leadId} is contacted; convert is allowed only from qualified`,
    });
    expect((await call('POST', `/leads/${leadId}/status`, ava, { status: 'qualified', qualification: 'sql' })).json).toMatchObject({ status: 'qualified', qualification: 'sql' });
    const wonAt = new Date().toISOString();
    const converted = await call('POST', `/leads/${leadId}/convert`, ava, { revenue: 5000, currency: 'USD', wonAt, dealId: 'CRM-1' });
    expect(converted).toMatchObject({ status: 200, json: { status: 'converted', conversion: { revenue: 5000, currency: 'USD', wonAt, dealId: 'CRM-1', by: 'rep-ava' } } });

    const manager = await tokenFor('mgr-maya', 'manager');
    const timeline = (await call('GET', `/leads/${leadId}`, manager)).json.history.map((entry: { action: string; by: string; detail?: string }) => [entry.action, entry.by, entry.detail]);
    expect(timeline.map((entry: string[]) => entry[0])).toEqual(['captured', 'pooled', 'claimed', 'activity', 'contacted', 'qualified', 'converted']);
    expect(timeline.slice(2)).toEqual([
      ['claimed', 'rep-ava', 'claimed from pool nurture (daily limit 20)'],
      ['activity', 'rep-ava', `call: interested, call back tomorrow; next step ${nextStepAt}`],
      ['contacted', 'rep-ava', 'contacted'],
      ['qualified', 'rep-ava', 'qualified as sql'],
      ['converted', 'rep-ava', `won 5000 USD on ${wonAt} (deal CRM-1)`],
    ]);

    const onBus = await eventually(async () => {
      const events = ((await (await fetch(`${runtime.url}/_local/events`)).json()) as any[]).filter((event) => event.detail.leadId === leadId);
      return events.some((event) => event.detailType === 'lead.converted') ? events : undefined;
    });
    expect(onBus.filter((event) => event.detailType === 'lead.activity_logged').map((event) => event.detail)).toEqual([expect.objectContaining({ kind: 'call', firstContact: true, nextStepAt, by: 'rep-ava' })]);
    expect(onBus.filter((event) => event.detailType === 'lead.status_changed').map((event) => [event.detail.from, event.detail.to])).toEqual([
      ['assigned', 'contacted'],
      ['contacted', 'qualified'],
    ]);
    expect(onBus.find((event) => event.detailType === 'lead.converted').detail).toMatchObject({ revenue: 5000, currency: 'USD', ownerId: 'rep-ava', channel: 'website', poolId: 'nurture' });
    expect((await call('GET', '/me/leads', ava)).json.leads.map((lead: { leadId: string }) => lead.leadId)).not.toContain(leadId);
    expect((await call('GET', '/me/leads?status=converted', ava)).json.leads.map((lead: { leadId: string }) => lead.leadId)).toContain(leadId);
  });
});

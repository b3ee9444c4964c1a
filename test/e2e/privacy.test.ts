import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '@leadflow/local-runtime';
import { eventually, startTestRuntime, submitDemoForm, tokenFor, uniquePerson } from '../support/local-runtime';

let runtime: LocalRuntime;
beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(() => runtime?.stop());

const bearer = async (sub: string, role: 'rep' | 'manager' | 'admin') => ({ authorization: `Bearer ${await tokenFor(sub, role)}` });
const request = async (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => {
  const response = await fetch(`${runtime.url}${path}`, { method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, body: body ? JSON.stringify(body) : undefined });
  return { status: response.status, body: await response.json() };
};
/** Grace Hopper, with an email and phone of her own in each case, and what of her is personal. */
function newPerson() {
  const { email, phone } = uniquePerson('grace.hopper@example.com');
  const person = { name: 'Grace Hopper', email, phone, company: 'Remington Rand', message: 'Call me about COBOL', consent: 'true', utm_campaign: 'compilers', fbclid: 'IwAR-grace-click' };
  return { person, personal: ['Grace', email, phone.replace('+1', ''), 'Remington', 'COBOL', 'IwAR-grace-click'] };
}

/** A person captured with consent (the consent ledger is written with the lead). */
async function capturedPerson() {
  const { person, personal } = newPerson();
  const leadId = await submitDemoForm(runtime, person, { 'user-agent': 'Mozilla/5.0 (e2e)' });
  return { person, personal, leadId };
}

/** The same, once the lead is routed and its rep told. */
async function routedPerson() {
  const captured = await capturedPerson();
  await eventually(async () => ((await request('GET', '/_local/outbox')).body as any[]).find((message) => message.leadId === captured.leadId), 20_000);
  return captured;
}

/** The same, once the demo's CRM webhook got the lead's `lead.assigned` (whose body holds the person): that delivery as the admin's export lists it, too. */
async function deliveredPerson() {
  const captured = await routedPerson();
  const delivered = await eventually(async () => {
    const deliveries = (await request('GET', `/leads/${captured.leadId}/export`, await bearer('root', 'admin'))).body.webhookDeliveries as any[];
    return deliveries.find((delivery) => delivery.eventType === 'lead.assigned');
  });
  return { ...captured, delivered };
}

describe('a data-subject request through the local runtime', () => {
  it('captures a lead with consent, routes it and tells its rep', async () => {
    // Fails unless the post is answered 202 and the rep's email about the lead reaches the outbox.
    await routedPerson();
  });

  it('shows the consent ledger to a manager', async () => {
    const { leadId } = await capturedPerson();
    const { status, body } = await request('GET', `/leads/${leadId}/consents`, await bearer('mgr-maya', 'manager'));
    expect(status).toBe(200);
    // The demo form's consent covers sales contact and nurture email: one entry per purpose.
    const given = { action: 'given', source: 'form:demo', version: '2026-11', userAgent: 'Mozilla/5.0 (e2e)' };
    expect(body).toMatchObject({
      leadId,
      entries: [
        { purpose: 'contact', ...given },
        { purpose: 'marketing_email', ...given },
      ],
      inForce: { contact: true, marketing_email: true },
    });
  });

  it('exports everything held about the person to an admin', async () => {
    const { person, leadId, delivered } = await deliveredPerson();
    const { status, body } = await request('GET', `/leads/${leadId}/export`, await bearer('root', 'admin'));
    expect(status).toBe(200);
    expect(body.lead).toMatchObject({ leadId, contact: { name: 'Grace Hopper', email: person.email, phone: person.phone } });
    expect(body.timeline.map((entry: any) => entry.action)).toContain('captured');
    expect(body.consents).toHaveLength(2);
    expect(body.notifications.length).toBeGreaterThan(0);
    expect(body.notifications[0]).toMatchObject({ leadId, status: 'sent' });
    // The demo's CRM webhook got the lead's `lead.assigned`, whose explanation the export must show as held.
    expect(delivered).toMatchObject({ destinationId: 'crm' });
    expect(JSON.parse(delivered.body).data).toHaveProperty('explanation');
    expect((await request('GET', `/leads/${leadId}/export`, await bearer('mgr-maya', 'manager'))).status).toBe(403);
  });

  it('refuses erasure to a manager, a rep and an anonymous caller', async () => {
    const { leadId } = await capturedPerson();
    expect((await request('DELETE', `/leads/${leadId}`, await bearer('mgr-maya', 'manager'))).status).toBe(403);
    expect((await request('DELETE', `/leads/${leadId}`, await bearer('rep-ava', 'rep'))).status).toBe(403);
    expect((await request('DELETE', `/leads/${leadId}`)).status).toBe(401);
    expect((await request('DELETE', '/leads/no-such-lead', await bearer('root', 'admin'))).status).toBe(404);
  });

  it('erases the person once, and an export afterwards shows nothing personal', async () => {
    // Held by the CRM delivery too, so that the export below shows the erasure reached it.
    const { personal, leadId } = await deliveredPerson();
    const admin = await bearer('root', 'admin');
    expect(await request('DELETE', `/leads/${leadId}`, admin)).toEqual({ status: 200, body: { leadId, status: 'erased', alreadyErased: false } });
    expect(await request('DELETE', `/leads/${leadId}`, admin)).toEqual({ status: 200, body: { leadId, status: 'erased', alreadyErased: true } });
    const { body } = await request('GET', `/leads/${leadId}/export`, admin);
    expect(body.lead).toMatchObject({ status: 'invalid', contact: {}, answers: {}, attribution: { lastTouch: { utm_campaign: 'compilers' } } });
    expect(body.timeline.at(-1)).toMatchObject({ action: 'erased', by: 'admin:root' });
    expect(body.consents).toEqual([expect.objectContaining({ purpose: 'contact', action: 'given' }), expect.objectContaining({ purpose: 'marketing_email', action: 'given' })]);
    const text = JSON.stringify(body);
    for (const value of [...personal, 'Mozilla', '"ip"']) expect(text).not.toContain(value);
    // The CRM delivery no longer holds anything of the person (its body rewritten), so none is listed.
    expect(body.webhookDeliveries).toEqual([]);
    await eventually(async () => ((await request('GET', '/_local/events')).body as any[]).find((event) => event.detailType === 'lead.erased' && event.detail.leadId === leadId));
  });

  it('no longer finds the person, and their next post is a new lead', async () => {
    const { person, leadId } = await routedPerson();
    expect((await request('DELETE', `/leads/${leadId}`, await bearer('root', 'admin'))).status).toBe(200);
    const manager = await bearer('mgr-maya', 'manager');
    expect((await request('GET', `/leads/lookup?email=${encodeURIComponent(person.email)}`, manager)).body).toEqual({ exists: false });
    const again = await request('POST', '/forms/demo/submissions', {}, person);
    expect(again.status).toBe(202);
    expect(again.body.leadId).not.toBe(leadId);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime, NotificationRecord } from '@leadflow/local-runtime';
import { eventually, startTestRuntime, tokenFor } from '../support/local-runtime';

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(() => runtime?.stop());

const getJson = async (path: string, headers: Record<string, string> = {}) => (await fetch(`${runtime.url}${path}`, { headers })).json();
const asManager = async () => ({ authorization: `Bearer ${await tokenFor('mgr-maya', 'manager')}` });
const emailsAbout = async (leadId: string) => ((await getJson('/_local/outbox')) as NotificationRecord[]).filter((email) => email.leadId === leadId);
const leadOf = async (leadId: string) => (await getJson(`/leads/${leadId}`, await asManager())) as { nurture?: { awaitingConfirmation?: unknown; nextStepAt?: string } };

describe('double opt-in on the demo EMEA form, through the local runtime', () => {
  it('emails one confirmation link for repeated posts; the GET changes nothing, the POST starts the sequence and the first email goes out', async () => {
    const post = async () => {
      const response = await fetch(`${runtime.url}/forms/emea-contact/submissions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Cy', email: 'cy-optin@gmail.com', consent: 'yes' }),
      });
      expect(response.status).toBe(202);
      return ((await response.json()) as { leadId: string }).leadId;
    };
    const leadId = await post();
    const [confirmation] = await eventually(async () => {
      const emails = await emailsAbout(leadId);
      return emails.length > 0 ? emails : undefined;
    });
    expect(confirmation).toMatchObject({ recipient: 'cy-optin@gmail.com', subject: 'Please confirm: emails from Northwind Robotics' });
    expect(confirmation.headers?.['List-Unsubscribe']).toBeUndefined();
    await post();
    await eventually(async () => ((await leadOf(leadId)) as { touches?: number }).touches === 2 || undefined);

    const url = /(http:\/\/127\.0\.0\.1:\d+\/c\/\S+)/.exec(confirmation.body)![1].replace(/^http:\/\/127\.0\.0\.1:\d+/, runtime.url);
    const probed = await fetch(url, { method: 'HEAD' });
    expect(probed.status).toBe(200);
    const page = await fetch(url);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('<form method="post">');
    expect((await leadOf(leadId)).nurture).toMatchObject({ awaitingConfirmation: { emailsSent: 1 } });

    const confirmed = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(confirmed.status).toBe(200);
    const lead = await leadOf(leadId);
    expect(lead.nurture?.awaitingConfirmation).toBeUndefined();
    expect(lead.nurture?.nextStepAt).toBeDefined();
    const consents = (await getJson(`/leads/${leadId}/consents`, await asManager())) as { entries: Array<{ purpose: string; action: string; source: string }> };
    expect(consents.entries.filter((entry) => entry.purpose === 'marketing_email').map((entry) => [entry.action, entry.source])).toContainEqual(['confirmed', 'confirmation-link']);

    const run = await fetch(`${runtime.url}/_local/schedules/nurture-emails/run`, { method: 'POST', body: JSON.stringify({ now: new Date(Date.now() + 60_000).toISOString() }) });
    expect(run.status).toBe(200);
    const subjects = (await emailsAbout(leadId)).map((email) => email.subject);
    // One confirmation for both posts, then the sequence's first step.
    expect(subjects).toEqual(['Please confirm: emails from Northwind Robotics', 'Cy, a short guide to warehouse robots']);
  });
});

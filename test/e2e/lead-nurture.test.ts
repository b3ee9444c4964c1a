import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime, NotificationRecord } from '@leadflow/local-runtime';
import { eventually, startTestRuntime, submitDemoForm, tokenFor, uniquePerson } from '../support/local-runtime';

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(() => runtime?.stop());

const getJson = async (path: string, headers: Record<string, string> = {}) => (await fetch(`${runtime.url}${path}`, { headers })).json();
const asManager = async () => ({ authorization: `Bearer ${await tokenFor('mgr-maya', 'manager')}` });
const emailsAbout = async (leadId: string) => ((await getJson('/_local/outbox')) as NotificationRecord[]).filter((email) => email.leadId === leadId);
const submit = (body: Record<string, string>) => submitDemoForm(runtime, body);
const runNurture = async (at: Date) => {
  const response = await fetch(`${runtime.url}/_local/schedules/nurture-emails/run`, { method: 'POST', body: JSON.stringify({ now: at.toISOString() }) });
  expect(response.status).toBe(200);
  expect(((await response.json()) as { outcome: { status: string } }).outcome.status).toBe('succeeded');
};

/** Ada (an email of her own), a cold lead, once she is in a nurture sequence: the lead as it is then. */
async function nurturedLead() {
  const person = { name: 'Ada', email: uniquePerson('ada-nurture@gmail.com').email, consent: 'yes' };
  const leadId = await submit(person);
  const lead = await eventually(async () => {
    const current = (await getJson(`/leads/${leadId}`, await asManager())) as { nurture?: { sequenceId: string }; status: string };
    return current.nurture ? current : undefined;
  });
  return { person, leadId, lead };
}

describe('a cold demo lead in the demo nurture sequence, through the local runtime', () => {
  it('enters the welcome sequence; the first email is in the outbox with one-click unsubscribe headers and its HTML part', async () => {
    const { person, leadId, lead } = await nurturedLead();
    expect(lead).toMatchObject({ status: 'in_pool', nurture: { sequenceId: 'welcome' } });
    await runNurture(new Date());
    await runNurture(new Date());
    const emails = await emailsAbout(leadId);
    expect(emails).toHaveLength(1);
    expect(emails[0]).toMatchObject({ recipient: person.email, subject: 'Ada, a short guide to warehouse robots', headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } });
    expect(emails[0].html).toContain('<p>Hi Ada,</p>');
    expect(emails[0].headers?.['List-Unsubscribe']).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/u\/[^>]+>$/);
  });

  it('a one-click POST to the List-Unsubscribe URL takes the lead out of its sequence: no more email', async () => {
    const { leadId } = await nurturedLead();
    await runNurture(new Date());
    const [email] = await emailsAbout(leadId);
    const url = /^<([^>]+)>$/.exec(email.headers!['List-Unsubscribe'])![1].replace(/^http:\/\/127\.0\.0\.1:\d+/, runtime.url);
    // A mail scanner's HEAD probe finds the link and unsubscribes nobody.
    const probed = await fetch(url, { method: 'HEAD' });
    expect(probed.status).toBe(200);
    expect(await probed.text()).toBe('');
    expect(((await getJson(`/leads/${leadId}`, await asManager())) as { nurture?: unknown }).nurture).toBeDefined();
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post">');
    const posted = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(posted.status).toBe(200);
    const lead = (await getJson(`/leads/${leadId}`, await asManager())) as { nurture?: unknown; history: Array<{ action: string; by: string }> };
    expect(lead.nurture).toBeUndefined();
    expect(lead.history.at(-1)).toMatchObject({ action: 'nurture_left', by: 'unsubscribe' });
    await runNurture(new Date(Date.now() + 8 * 86_400_000));
    expect(await emailsAbout(leadId)).toHaveLength(1);
  });

  it('a second cold lead warmed by later touches leaves its sequence and goes to a rep, whose email says it came out of nurturing', async () => {
    const warming = { name: 'Wes', email: 'wes-nurture@gmail.com', consent: 'yes' };
    const id = await submit(warming);
    await eventually(async () => ((await getJson(`/leads/${id}`, await asManager())) as { nurture?: unknown }).nurture);
    await submit(warming);
    await submit(warming);
    const lead = await eventually(async () => {
      const current = (await getJson(`/leads/${id}`, await asManager())) as { ownerId?: string; poolId: string; nurture?: unknown; score: { temperature: string } };
      return current.ownerId ? current : undefined;
    });
    expect(lead.nurture).toBeUndefined();
    // Routed in the pool the demo form captured it into, not in the nurture pool it waited in.
    expect(lead.poolId).toBe('americas-inbound');
    expect(['rep-ava', 'rep-ben']).toContain(lead.ownerId);
    expect(lead.score.temperature).toBe('warm');
    const repEmail = await eventually(async () => (await emailsAbout(id)).find((email) => email.subject?.startsWith('New lead')));
    expect(repEmail.body).toContain('They came out of nurturing');
  });
});

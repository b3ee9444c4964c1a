import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devices, type Browser } from 'playwright-core';
import type { LocalRuntime, NotificationRecord } from '@leadflow/local-runtime';
import { launchChromium } from '../support/chromium';
import { eventually, startTestRuntime, tokenFor, uniquePerson } from '../support/local-runtime';

let runtime: LocalRuntime;
let browser: Browser;

beforeAll(async () => {
  [runtime, browser] = await Promise.all([startTestRuntime(), launchChromium()]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

const outbox = async () => (await (await fetch(`${runtime.url}/_local/outbox`)).json()) as NotificationRecord[];
const post = (body: unknown) => fetch(`${runtime.url}/forms/demo/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Hal Jordan, with an email of his own in each case, posted: once his owner was texted and emailed, the two messages. */
async function hotLeadToldItsOwner() {
  const hotLead = { name: 'Hal Jordan', email: uniquePerson('hal@bigco.example').email, title: 'VP Operations', company: 'Ferris Aircraft', company_size: '1000+', product_interest: 'Fleet software', country: 'US' };
  const answer = await post(hotLead);
  expect(answer.status).toBe(202);
  const { leadId } = (await answer.json()) as { leadId: string };
  const messages = await eventually(async () => {
    const forLead = (await outbox()).filter((message) => message.leadId === leadId);
    return forLead.length >= 2 ? forLead : undefined;
  }, 30_000);
  return { hotLead, leadId, sms: messages.find((message) => message.channel === 'sms')!, email: messages.find((message) => message.channel === 'email')! };
}

/** The accept link in the SMS. */
const acceptLink = (sms: NotificationRecord) => /Accept: (\S+)$/.exec(sms.body)![1];

describe('reaching the rep through the local runtime', () => {
  it('texts and emails the owner of a hot lead once, each with an accept link, whatever the public posts', { timeout: 60_000 }, async () => {
    const { hotLead, leadId, sms, email } = await hotLeadToldItsOwner();
    expect(['+14155550101', '+14155550102']).toContain(sms.recipient);
    expect(sms.body).toMatch(new RegExp(`^New hot lead: Hal Jordan \\(Ferris Aircraft\\) Accept: ${runtime.url}/a/\\S+$`));
    expect(email.body).toContain(`Accept lead: ${runtime.url}/a/`);

    // The same person posting again, under another name too: touches of the lead, never another SMS.
    await post(hotLead);
    await post({ ...hotLead, name: 'Hal J.' });
    await runtime.settle();
    expect((await outbox()).filter((message) => message.leadId === leadId && message.channel === 'sms')).toHaveLength(1);
  });

  it('accepts from the link once, on a phone, after a GET that changes nothing', { timeout: 120_000 }, async () => {
    const { leadId, sms } = await hotLeadToldItsOwner();
    const link = acceptLink(sms);
    const manager = await tokenFor('mgr-maya', 'manager');
    const history = async () => ((await (await fetch(`${runtime.url}/leads/${leadId}`, { headers: { authorization: `Bearer ${manager}` } })).json()) as { history: Array<{ action: string; by: string }> }).history;

    const context = await browser.newContext({ ...devices['Pixel 7'], javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      const opened = await page.goto(link);
      expect(opened?.status()).toBe(200);
      await expect(page.locator('h1').textContent()).resolves.toBe('Accept lead');
      await expect(page.locator('.lead').textContent()).resolves.toContain('Hal Jordan');
      // A preview or scanner opening the link changes nothing.
      expect((await history()).map((entry) => entry.action)).not.toContain('accepted');
      const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
      expect(fits).toBe(true);
      const button = await page.locator('button[type="submit"]').boundingBox();
      expect(button!.height).toBeGreaterThanOrEqual(44);

      await Promise.all([page.waitForLoadState(), page.click('button[type="submit"]')]);
      await expect(page.locator('body').textContent()).resolves.toContain('The lead is yours');
      const accepted = (await history()).filter((entry) => entry.action === 'accepted');
      expect(accepted).toEqual([expect.objectContaining({ by: expect.stringMatching(/^rep-(ava|ben)$/) })]);
      await runtime.settle();
      const events = (await (await fetch(`${runtime.url}/_local/events`)).json()) as Array<{ detailType: string; detail: { leadId: string } }>;
      expect(events.filter((event) => event.detailType === 'lead.accepted' && event.detail.leadId === leadId)).toHaveLength(1);

      const again = await page.goto(link);
      expect(again?.status()).toBe(409);
      await expect(page.locator('body').textContent()).resolves.toContain('already used');
    } finally {
      await context.close();
    }
  });

  it('refuses a changed link in plain words', { timeout: 60_000 }, async () => {
    const link = acceptLink((await hotLeadToldItsOwner()).sms);
    const response = await fetch(link.replace(/\.[^.]+$/, '.AAAAAAAAAAAAAAAAAAAAAA'), { method: 'POST' });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('This link is not valid');
  });
});

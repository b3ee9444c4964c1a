import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import type { LocalRuntime } from '@leadflow/local-runtime';
import { launchChromium } from '../support/chromium';
import { startTestRuntime, tokenFor } from '../support/local-runtime';

// A page fulfilled by page.route has no address, so Chromium counts it as public and would block its
// requests to 127.0.0.1 (Private Network Access); the cross-origin test serves its landing page that way.
const privateNetworkArgs = ['--disable-quic', '--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,LocalNetworkAccessChecks'];
/** The capture handler treats faster submissions as bots. */
const minimumFillMs = 3_000;
const campaign = '?utm_source=newsletter&utm_medium=email&utm_campaign=spring&gclid=TeSt-123&fbclid=fb-456';
const newsletterReferrer = 'https://news.example/spring-issue';

let runtime: LocalRuntime;
let browser: Browser;

beforeAll(async () => {
  // launch() gives every browser a fresh temporary user-data dir, removed again on close.
  [runtime, browser] = await Promise.all([startTestRuntime(), launchChromium(privateNetworkArgs)]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

interface Submission {
  status: number;
  answer: any;
  sent: any;
  headers: Record<string, string>;
}

async function openDemo(page: Page, query = '', referer?: string): Promise<number> {
  await page.goto(`${runtime.url}/demo${query}`, { referer });
  await page.waitForSelector('form[data-leads-ready]');
  return Date.now();
}

async function fillDemo(page: Page, values: { name: string; email: string; phone?: string; company?: string; size?: string; message?: string; consent?: boolean }): Promise<void> {
  await page.fill('#name', values.name);
  await page.fill('#email', values.email);
  if (values.phone) await page.fill('#phone', values.phone);
  if (values.company) await page.fill('#company', values.company);
  if (values.size) await page.selectOption('#company_size', values.size);
  if (values.message) await page.fill('#message', values.message);
  if (values.consent) await page.check('input[name="consent"]');
}

/** Submits like a person would (after the minimum fill time) and returns what went over the wire. */
async function submit(page: Page, openedAt?: number): Promise<Submission> {
  if (openedAt !== undefined) await page.waitForTimeout(Math.max(0, openedAt + minimumFillMs + 300 - Date.now()));
  const [response] = await Promise.all([
    page.waitForResponse((candidate) => candidate.request().method() === 'POST' && new URL(candidate.url()).pathname === '/forms/demo/submissions'),
    page.click('button[type="submit"]'),
  ]);
  const request = response.request();
  return { status: response.status(), answer: await response.json().catch(() => undefined), sent: request.postDataJSON(), headers: await request.allHeaders() };
}

async function readLead(leadId: string): Promise<any> {
  const response = await fetch(`${runtime.url}/leads/${leadId}`, { headers: { authorization: `Bearer ${await tokenFor('mgr-maya', 'manager')}` } });
  expect(response.status).toBe(200);
  return response.json();
}

describe('embed.js in a real browser, on the local demo page', { timeout: 90_000 }, () => {
  describe('attribution across two visits of one visitor', () => {
    let context: BrowserContext;
    beforeAll(async () => {
      context = await browser.newContext();
    });
    afterAll(() => context?.close());

    it('posts the form as JSON with the campaign of the landing URL as first and last touch, and shows the thank-you', async () => {
      const page = await context.newPage();
      const beforeOpening = Date.now();
      const openedAt = await openDemo(page, campaign, newsletterReferrer);
      await fillDemo(page, { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+14155550100', company: 'Analytical Engines', size: '11-50', message: 'Show me picking.', consent: true });
      const announced = page.evaluate(() => new Promise((done) => document.addEventListener('leadflow:submitted', (event) => done((event as CustomEvent).detail))));
      const { status, answer, sent, headers } = await submit(page, openedAt);
      const answeredAt = Date.now();

      // The request contract, whatever the server makes of it.
      expect(headers).toMatchObject({ 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': expect.stringMatching(/^[0-9a-f]{32}$/) });
      const touch = {
        utm_source: 'newsletter',
        utm_medium: 'email',
        utm_campaign: 'spring',
        gclid: 'TeSt-123',
        fbclid: 'fb-456',
        landing_url: `${runtime.url}/demo${campaign}`,
        referrer: newsletterReferrer,
      };
      expect(sent).toEqual({
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        phone: '+14155550100',
        company: 'Analytical Engines',
        company_size: '11-50',
        message: 'Show me picking.',
        consent: 'true',
        _hp: '',
        _started_at: expect.any(Number),
        _fill_ms: expect.any(Number),
        ...touch,
        first_touch: touch,
      });
      // The page's start time lies between asking for the page and the form being ready (one machine, one clock).
      expect(sent._started_at).toBeGreaterThanOrEqual(beforeOpening);
      expect(sent._started_at).toBeLessThanOrEqual(openedAt);
      // Measured in the browser, so a visitor clock minutes off does not make it look like a bot's.
      expect(sent._fill_ms).toBeGreaterThanOrEqual(minimumFillMs);
      // From the form being shown to the post: within the time from asking for the page to the answer (1 ms for its rounding).
      expect(sent._fill_ms).toBeLessThanOrEqual(answeredAt - beforeOpening + 1);

      expect(status).toBe(202);
      expect(answer.leadId).toMatch(/^[0-9a-f-]{36}$/);
      await page.locator('[data-leads-success]').waitFor({ state: 'visible' });
      expect(await page.locator('#email').isVisible()).toBe(false);
      expect(await announced).toEqual(answer);

      const lead = await readLead(answer.leadId);
      expect(lead.contact).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com' });
      const stored = { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring', gclid: 'TeSt-123', fbclid: 'fb-456' };
      expect(lead.attribution?.lastTouch).toMatchObject(stored);
      expect(lead.attribution?.firstTouch).toMatchObject(stored);
      await page.close();
    });

    it('keeps the first touch from localStorage on a later visit without a campaign, with a new last touch', async () => {
      const page = await context.newPage();
      const openedAt = await openDemo(page);
      // Without a [data-leads-success] element the script shows its own message.
      await page.evaluate(() => document.querySelector('[data-leads-success]')?.remove());
      await fillDemo(page, { name: 'Grace Hopper', email: 'grace@example.com' });
      const { status, answer, sent } = await submit(page, openedAt);

      expect(sent).not.toHaveProperty('utm_source');
      expect(sent).toMatchObject({ landing_url: `${runtime.url}/demo`, first_touch: { utm_source: 'newsletter', gclid: 'TeSt-123', landing_url: `${runtime.url}/demo${campaign}` } });
      expect(status).toBe(202);
      await expect.poll(() => page.locator('.leads-success[role="status"]').textContent()).toContain('Thank you');

      const lead = await readLead(answer.leadId);
      expect(lead.attribution?.firstTouch).toMatchObject({ utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring', gclid: 'TeSt-123', fbclid: 'fb-456' });
      expect(lead.attribution?.lastTouch).toMatchObject({ landing_url: `${runtime.url}/demo` });
      expect(lead.attribution?.lastTouch).not.toHaveProperty('utm_source');
      expect(lead.attribution?.lastTouch).not.toHaveProperty('gclid');
      await page.close();
    });
  });

  it('shows the server’s field error next to the email input, and lets the visitor try again', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const openedAt = await openDemo(page);
      // The browser's own check accepts "ada@example"; the server wants a domain with a dot.
      await fillDemo(page, { name: 'Ada Lovelace', email: 'ada@example' });
      const { status, answer } = await submit(page, openedAt);
      expect(status).toBe(400);
      expect(answer.issues).toContainEqual({ path: 'email', message: 'must be a valid email address' });

      const error = page.locator('#email + [data-leads-error-for="email"]');
      await expect.poll(() => error.textContent()).toBe('must be a valid email address');
      expect(await page.getAttribute('#email', 'aria-invalid')).toBe('true');
      expect(await page.getAttribute('#email', 'aria-describedby')).toBe(await error.getAttribute('id'));
      expect(await page.locator('[data-leads-message]').textContent()).toBe('Please check the highlighted fields.');
      expect(await page.isEnabled('button[type="submit"]')).toBe(true);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('email');
    } finally {
      await context.close();
    }
  });

  it('shows the field errors of a refused submission on another site’s page (cross-origin, so only with CORS headers)', async () => {
    // The demo page served from an origin the demo form allows, posting to the runtime on another origin.
    const siteOrigin = 'http://localhost:3000';
    const demoHtml = (await (await fetch(`${runtime.url}/demo`)).text())
      .replace('action="/forms/demo/submissions"', `action="${runtime.url}/forms/demo/submissions"`)
      .replace('src="/embed.js"', `src="${runtime.url}/embed.js"`);
    expect(demoHtml).toContain(`action="${runtime.url}/forms/demo/submissions"`);
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.route(`${siteOrigin}/landing`, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: demoHtml }));
      await page.goto(`${siteOrigin}/landing`);
      await page.waitForSelector('form[data-leads-form][data-leads-ready]');
      const openedAt = Date.now();
      await fillDemo(page, { name: 'Ada Lovelace', email: 'ada@example' });
      const { status, answer, headers } = await submit(page, openedAt);
      expect(headers.origin).toBe(siteOrigin);
      expect(status).toBe(400);
      expect(answer.issues).toContainEqual({ path: 'email', message: 'must be a valid email address' });
      await expect.poll(() => page.locator('#email + [data-leads-error-for="email"]').textContent()).toBe('must be a valid email address');
      expect(await page.locator('[data-leads-message]').textContent()).toBe('Please check the highlighted fields.');
    } finally {
      await context.close();
    }
  });

  describe('without the server', () => {
    let context: BrowserContext;
    let page: Page;
    beforeAll(async () => {
      context = await browser.newContext();
      page = await context.newPage();
    });
    afterAll(() => context?.close());

    it('adds the honeypot and hidden attribution inputs, and leaves the form’s action and method alone', async () => {
      await openDemo(page, campaign);
      const form = page.locator('form[data-leads-form="demo"]');
      expect(await form.getAttribute('action')).toBe('/forms/demo/submissions');
      expect(await form.getAttribute('method')).toBe('post');
      const trap = page.locator('input[name="_hp"]');
      expect(await trap.evaluate((input: HTMLInputElement) => [input.getAttribute('tabindex'), input.getAttribute('autocomplete'), input.getAttribute('aria-hidden')])).toEqual(['-1', 'off', 'true']);
      expect((await trap.boundingBox())!.x).toBeLessThan(-1000);
      const hidden = await page.$$eval('input[type="hidden"]', (inputs) => Object.fromEntries((inputs as HTMLInputElement[]).map((input) => [input.name, input.value])));
      expect(hidden).toMatchObject({
        _started_at: expect.stringMatching(/^\d{13}$/),
        utm_source: 'newsletter',
        utm_campaign: 'spring',
        gclid: 'TeSt-123',
        fbclid: 'fb-456',
        landing_url: `${runtime.url}/demo${campaign}`,
      });
    });

    it('disables the button while sending, and says when to retry after a 429', async () => {
      let release!: () => void;
      const held = new Promise<void>((done) => (release = done));
      await page.route('**/forms/demo/submissions', async (route) => {
        await held;
        await route.fulfill({ status: 429, headers: { 'retry-after': '30', 'content-type': 'application/json' }, body: '{"error":"Too many submissions"}' });
      });
      await openDemo(page);
      await fillDemo(page, { name: 'Ada Lovelace', email: 'ada@example.com' });
      await page.click('button[type="submit"]');
      await expect.poll(() => page.isDisabled('button[type="submit"]')).toBe(true);
      release();
      await expect.poll(() => page.locator('[data-leads-message]').textContent()).toBe('Too many attempts. Please retry in 30 s.');
      expect(await page.isEnabled('button[type="submit"]')).toBe(true);
      await page.unrouteAll();
    });

    it('shows a generic error on a network failure or an unexpected status, general issues that name no visible field, and retries with the same idempotency key until refused', async () => {
      const answers: Array<(route: Route) => Promise<void>> = [
        (route) => route.abort('internetdisconnected'),
        (route) => route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"Service Unavailable"}' }),
        (route) =>
          route.fulfill({
            status: 400,
            contentType: 'application/json',
            body: JSON.stringify({
              error: 'invalid',
              issues: [
                { path: 'cf-turnstile-response', message: 'is required for this form' },
                { path: 'utm_source', message: 'must be at most 2048 characters' },
              ],
            }),
          }),
        (route) => route.fulfill({ status: 418, contentType: 'text/plain', body: 'no' }),
      ];
      const keys: string[] = [];
      await page.route('**/forms/demo/submissions', (route) => {
        keys.push(route.request().headers()['idempotency-key']);
        return answers[keys.length - 1](route);
      });
      await openDemo(page);
      await fillDemo(page, { name: 'Ada Lovelace', email: 'ada@example.com' });
      const message = page.locator('[data-leads-message]');
      const send = async () => {
        await page.evaluate(() => document.querySelector('[data-leads-message]')?.replaceChildren());
        await page.click('button[type="submit"]');
        await expect.poll(() => message.textContent()).not.toBe('');
        expect(await page.isEnabled('button[type="submit"]')).toBe(true);
        return message.textContent();
      };

      expect(await send()).toBe('Sorry, something went wrong. Please try again.'); // network failure
      expect(await send()).toBe('Sorry, something went wrong. Please try again.'); // 503
      expect(await send()).toBe('cf-turnstile-response: is required for this form utm_source: must be at most 2048 characters');
      expect(await page.locator('[aria-invalid]').count()).toBe(0);
      expect(await send()).toBe('Sorry, something went wrong. Please try again.'); // 418
      // The outcome of the first two was unknown, so they share a key; a refusal stored nothing, so a new one.
      expect(keys[1]).toBe(keys[0]);
      expect(keys[2]).toBe(keys[0]);
      expect(keys[3]).not.toBe(keys[0]);
      await page.unrouteAll();
    });

    it('asks Turnstile for a new token after every attempt but an accepted one, as the server may have spent the old', async () => {
      const answers: Array<(route: Route) => Promise<void>> = [
        (route) => route.abort('internetdisconnected'),
        (route) => route.fulfill({ status: 400, contentType: 'application/json', body: '{"error":"invalid","issues":[{"path":"cf-turnstile-response","message":"was not accepted (timeout-or-duplicate)"}]}' }),
        (route) => route.fulfill({ status: 202, contentType: 'application/json', body: '{"leadId":"00000000-0000-4000-8000-000000000000"}' }),
      ];
      await page.route('**/forms/demo/submissions', (route) => answers.shift()!(route));
      await openDemo(page);
      await page.evaluate(() => Object.assign(window, { turnstileResets: 0, turnstile: { reset: () => (window as unknown as { turnstileResets: number }).turnstileResets++ } }));
      await fillDemo(page, { name: 'Ada Lovelace', email: 'ada@example.com' });
      const resets = () => page.evaluate(() => (window as unknown as { turnstileResets: number }).turnstileResets);

      await page.click('button[type="submit"]');
      await expect.poll(resets).toBe(1); // network failure
      await page.click('button[type="submit"]');
      await expect.poll(resets).toBe(2); // 400
      await page.click('button[type="submit"]');
      await page.locator('[data-leads-success]').waitFor({ state: 'visible' });
      expect(await resets()).toBe(2);
      await page.unrouteAll();
    });

    it('still works when localStorage is blocked: the first touch is this visit', async () => {
      const blocked = await browser.newContext();
      try {
        const blockedPage = await blocked.newPage();
        await blockedPage.addInitScript(() => {
          Object.defineProperty(window, 'localStorage', {
            get: () => {
              throw new DOMException('The operation is insecure.', 'SecurityError');
            },
          });
        });
        await blockedPage.route('**/forms/demo/submissions', (route) => route.fulfill({ status: 202, contentType: 'application/json', body: '{"leadId":"00000000-0000-4000-8000-000000000000"}' }));
        await openDemo(blockedPage, '?utm_source=linkedin&li_fat_id=li-1');
        await fillDemo(blockedPage, { name: 'Ada Lovelace', email: 'ada@example.com' });
        const { sent } = await submit(blockedPage);
        const touch = { utm_source: 'linkedin', li_fat_id: 'li-1', landing_url: `${runtime.url}/demo?utm_source=linkedin&li_fat_id=li-1` };
        expect(sent).toMatchObject({ ...touch, first_touch: touch });
        await blockedPage.locator('[data-leads-success]').waitFor({ state: 'visible' });
      } finally {
        await blocked.close();
      }
    });

    it('lets the browser post the form itself, attribution included, where fetch is missing', async () => {
      const plain = await browser.newContext();
      try {
        const plainPage = await plain.newPage();
        await plainPage.addInitScript(() => {
          delete (window as { fetch?: unknown }).fetch;
        });
        await plainPage.route('**/forms/demo/submissions', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>Thanks</p>' }));
        await openDemo(plainPage, campaign);
        await fillDemo(plainPage, { name: 'Ada Lovelace', email: 'ada@example.com' });
        const [request] = await Promise.all([plainPage.waitForRequest('**/forms/demo/submissions'), plainPage.click('button[type="submit"]')]);
        expect(request.headers()['content-type']).toBe('application/x-www-form-urlencoded');
        const posted = Object.fromEntries(new URLSearchParams(request.postData() ?? ''));
        expect(posted).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com', _hp: '', _started_at: expect.stringMatching(/^\d{13}$/), utm_source: 'newsletter', gclid: 'TeSt-123', fbclid: 'fb-456' });
        // No fetch, no JSON object: the first touch travels as first_touch.<key> fields (here the same visit).
        expect(posted).toMatchObject({ 'first_touch.utm_source': 'newsletter', 'first_touch.landing_url': `${runtime.url}/demo${campaign}` });
      } finally {
        await plain.close();
      }
    });
  });
});

import { describe, expect, it } from 'vitest';
import { createHandler as createCaptureHandler } from '../../../functions/capture-form-submission/handler';
import { createHandler as createGetLeadHandler } from '../../../functions/get-lead/handler';
import { fakeDependencies } from '../../support/fakes';
import { secretRefs } from '@leadflow/domain';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';

function submit(deps: ReturnType<typeof fakeDependencies>, formId: string, body: string, contentType = 'application/json', headers: Record<string, string> = {}) {
  const handler = createCaptureHandler(() => deps);
  return handler(httpEvent({ method: 'POST', path: `/forms/${formId}/submissions`, pathParameters: { formId }, headers: { 'content-type': contentType, ...headers }, body }), lambdaContext) as Promise<any>;
}

describe('capture-form-submission handler', () => {
  it('answers 202 with the lead id after storing the lead and its lead.captured event', async () => {
    const deps = fakeDependencies();
    const response = await submit(deps, 'demo', 'name=Ada+Lovelace&email=ada%40example.com&phone=%2B14155550100', 'application/x-www-form-urlencoded');
    expect(response.statusCode).toBe(202);
    const { leadId } = JSON.parse(response.body);
    const lead = deps.store.leads.get(leadId);
    expect(lead?.contact).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com', phone: '+14155550100', phoneCountry: 'US' });
    expect([...deps.store.outbox.values()]).toEqual([
      expect.objectContaining({ detailType: 'lead.captured', detail: expect.objectContaining({ leadId }) }),
      expect.objectContaining({ detailType: 'lead.scored', detail: expect.objectContaining({ leadId, reason: 'captured', owned: false }) }),
    ]);
  });

  it('reads multipart form data (fields only)', async () => {
    const deps = fakeDependencies();
    const boundary = 'XyZ';
    const body = [`--${boundary}`, 'Content-Disposition: form-data; name="name"', '', 'Ada', `--${boundary}`, 'Content-Disposition: form-data; name="email"', '', 'ada@example.com', `--${boundary}--`, ''].join('\r\n');
    const response = await submit(deps, 'demo', body, `multipart/form-data; boundary=${boundary}`);
    expect(response.statusCode).toBe(202);
    expect(deps.store.leads.get(JSON.parse(response.body).leadId)?.contact).toEqual({ name: 'Ada', email: 'ada@example.com' });
  });

  it('keeps first- and last-touch attribution and consent as given', async () => {
    const deps = fakeDependencies();
    const body = {
      name: 'Ada',
      email: 'ada@example.com',
      consent: 'true',
      utm_source: 'newsletter',
      gclid: 'Cj0-abc',
      landing_url: 'https://northwind.example/demo?utm_source=newsletter',
      first_touch: { utm_source: 'google', utm_medium: 'cpc', referrer: 'https://www.google.com/' },
    };
    const response = await submit(deps, 'demo', JSON.stringify(body), 'application/json', { 'user-agent': 'Firefox' });
    const lead = deps.store.leads.get(JSON.parse(response.body).leadId)!;
    expect(lead.attribution).toEqual({
      firstTouch: { utm_source: 'google', utm_medium: 'cpc', referrer: 'https://www.google.com/' },
      lastTouch: { utm_source: 'newsletter', gclid: 'Cj0-abc', landing_url: 'https://northwind.example/demo?utm_source=newsletter' },
    });
    expect(lead.consent).toEqual({
      version: '2026-11',
      text: 'I agree that Northwind may contact me about its products and email me useful material now and then (unsubscribe any time).',
      purposes: ['contact', 'marketing_email'],
      givenAt: '2026-03-02T10:15:00.000Z',
      ip: '127.0.0.1',
      userAgent: 'test',
    });
  });

  it('reads first touch from first_touch.* fields of a plain HTML post', async () => {
    const deps = fakeDependencies();
    const response = await submit(deps, 'demo', 'name=Ada&email=ada%40example.com&utm_source=ads&first_touch.utm_source=blog', 'application/x-www-form-urlencoded');
    expect(deps.store.leads.get(JSON.parse(response.body).leadId)?.attribution).toEqual({ firstTouch: { utm_source: 'blog' }, lastTouch: { utm_source: 'ads' } });
  });

  it('quarantines honeypot and too-fast posts behind a normal 202, and never routes them', async () => {
    const deps = fakeDependencies();
    const honeypot = await submit(deps, 'demo', JSON.stringify({ name: 'Bot', email: 'bot@example.com', _hp: 'http://spam.example' }));
    const tooFast = await submit(deps, 'demo', JSON.stringify({ name: 'Bot', email: 'bot2@example.com', _started_at: deps.now().getTime() - 500 }));
    const person = await submit(deps, 'demo', JSON.stringify({ name: 'Ada', email: 'bot@example.com', _hp: '', _started_at: deps.now().getTime() - 8000 }));
    expect([honeypot.statusCode, tooFast.statusCode, person.statusCode]).toEqual([202, 202, 202]);
    const lead = (response: any) => deps.store.leads.get(JSON.parse(response.body).leadId)!;
    expect(lead(honeypot)).toMatchObject({ status: 'quarantined', statusReason: 'the hidden honeypot field was filled in' });
    expect(lead(tooFast)).toMatchObject({ status: 'quarantined', statusReason: 'the form was filled in 500 ms, faster than the 3 s a person needs' });
    // The spam post did not claim the email address: the real person gets a lead of their own.
    expect(lead(person)).toMatchObject({ status: 'new', touches: 1 });
    const captured = [...deps.store.outbox.values()].filter((event) => event.detailType === 'lead.captured').map((event) => event.detail.status);
    expect(captured).toEqual(['quarantined', 'quarantined', 'new']);
  });

  it('answers a repeat with the same lead id, never saying the person was already known, and honours Idempotency-Key', async () => {
    const deps = fakeDependencies();
    const body = JSON.stringify({ name: 'Ada', email: 'ada@example.com' });
    const first = JSON.parse((await submit(deps, 'demo', body)).body);
    // Anyone may post: an answer that differed for a known person would tell them who is in the pipeline.
    expect(JSON.parse((await submit(deps, 'demo', body)).body)).toEqual({ leadId: first.leadId });
    expect(deps.store.leads.get(first.leadId)?.touches).toBe(2);
    const keyed = JSON.parse((await submit(deps, 'demo', JSON.stringify({ name: 'Bo', email: 'bo@example.com' }), 'application/json', { 'idempotency-key': 'k-1' })).body);
    const retried = await submit(deps, 'demo', JSON.stringify({ name: 'Bo', email: 'bo@example.com' }), 'application/json', { 'idempotency-key': 'k-1' });
    expect(JSON.parse(retried.body)).toEqual({ leadId: keyed.leadId });
    expect(deps.store.leads.get(keyed.leadId)?.touches).toBe(1);

    // A client reusing the key for another person: that person is stored, not answered as Bo's duplicate.
    const other = await submit(deps, 'demo', JSON.stringify({ name: 'Cy', email: 'cy@example.com' }), 'application/json', { 'idempotency-key': 'k-1' });
    expect(other.statusCode).toBe(202);
    const stored = JSON.parse(other.body);
    expect(stored.leadId).not.toBe(keyed.leadId);
    expect(deps.store.leads.get(stored.leadId)?.contact.email).toBe('cy@example.com');
  });

  it('refuses a malformed Idempotency-Key naming the header, storing nothing, rather than cutting or ignoring it', async () => {
    const deps = fakeDependencies();
    const body = JSON.stringify({ name: 'Ada', email: 'ada@example.com' });
    for (const key of ['k'.repeat(201), 'line\tbreak', ' leading-space']) {
      const response = await submit(deps, 'demo', body, 'application/json', { 'idempotency-key': key });
      expect(response.statusCode, key).toBe(400);
      expect(JSON.parse(response.body).issues, key).toEqual([{ path: 'Idempotency-Key', message: 'must be 1 to 200 printable ASCII characters' }]);
    }
    expect(deps.store.leads.size).toBe(0);
  });

  it('sends a plain HTML form post on to the thank-you page with 303', async () => {
    const deps = fakeDependencies();
    const response = await submit(deps, 'demo', 'name=Ada&email=ada%40example.com', 'application/x-www-form-urlencoded', { accept: 'text/html,application/xhtml+xml' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toMatch(/^https:\/\/northwind\.example\/thanks\?leadId=id-1$/);
  });

  it('explains a refused plain HTML post on a small page, field by field', async () => {
    const deps = fakeDependencies();
    const response = await submit(deps, 'demo', 'name=&email=nope', 'application/x-www-form-urlencoded', { accept: 'text/html' });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('<li><strong>email</strong>: must be a valid email address</li>');
    expect(deps.store.leads.size).toBe(0);
  });

  it('shows a small confirmation page to HTML posts on a form without a thank-you URL', async () => {
    const deps = fakeDependencies();
    const response = await submit(deps, 'emea-contact', 'name=Ada&email=ada%40example.com', 'application/x-www-form-urlencoded', { accept: 'text/html' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('Thank you');
  });

  it('limits posts per IP and form with 429 and Retry-After, writing nothing', async () => {
    const deps = fakeDependencies();
    const form = deps.config.forms.find((candidate) => candidate.id === 'demo')!;
    for (let index = 0; index < form.rateLimitPerMinute; index += 1) await submit(deps, 'demo', JSON.stringify({ name: 'Ada', email: `a${index}@example.com` }));
    const leadsBefore = deps.store.leads.size;
    const limited = await submit(deps, 'demo', JSON.stringify({ name: 'Ada', email: 'late@example.com' }));
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(limited.body).error).toMatch(/^Too many requests/);
    expect(deps.store.leads.size).toBe(leadsBefore);
  });

  it("checks Turnstile on forms that ask for it, with the current value of the form's secret key", async () => {
    const deps = fakeDependencies();
    deps.config.forms[0].turnstile = true;
    deps.secrets.values[secretRefs.turnstileSecretKey('demo').name] = { current: 'turnstile-secret-2026', previous: 'turnstile-secret-2025' };
    const verify = deps.humanVerifier.verify.bind(deps.humanVerifier);
    const keysSent: string[] = [];
    deps.humanVerifier = { verify: (input) => (keysSent.push(input.secretKey), verify(input)) };
    const missing = await submit(deps, 'demo', JSON.stringify({ name: 'Ada', email: 'ada@example.com' }));
    expect(missing.statusCode).toBe(400);
    expect(JSON.parse(missing.body).issues).toEqual([{ path: 'cf-turnstile-response', message: 'is required for this form' }]);
    const rejected = await submit(deps, 'demo', JSON.stringify({ name: 'Ada', email: 'ada@example.com', 'cf-turnstile-response': 'robot' }));
    expect(JSON.parse(rejected.body).issues[0].message).toBe('was not accepted (invalid-input-response)');
    expect((await submit(deps, 'demo', JSON.stringify({ name: 'Ada', email: 'ada@example.com', 'cf-turnstile-response': 'human' }))).statusCode).toBe(202);
    expect(deps.store.leads.size).toBe(1);
    expect(keysSent).toEqual(['turnstile-secret-2026', 'turnstile-secret-2026']);
  });

  /** The demo form with Turnstile, and a verifier that, like siteverify, accepts each token once: the tokens it accepted. */
  function turnstileAcceptingEachTokenOnce(deps: ReturnType<typeof fakeDependencies>): string[] {
    deps.config.forms[0].turnstile = true;
    deps.secrets.values[secretRefs.turnstileSecretKey('demo').name] = { current: 'turnstile-secret-2026' };
    const tokensVerified: string[] = [];
    deps.humanVerifier = { verify: async ({ token }) => (tokensVerified.includes(token) ? { success: false, errorCodes: ['timeout-or-duplicate'] } : (tokensVerified.push(token), { success: true, errorCodes: [] })) };
    return tokensVerified;
  }

  it('spends a Turnstile token only on a post it will store, so a visitor who corrects a field can send it again', async () => {
    const deps = fakeDependencies();
    const tokensVerified = turnstileAcceptingEachTokenOnce(deps);
    const post = (phone: string, token: string) => submit(deps, 'demo', JSON.stringify({ name: 'Ada', email: 'ada@example.com', phone, 'cf-turnstile-response': token }));
    const badPhone = await post('12', 'token-1');
    expect(badPhone.statusCode).toBe(400);
    expect(JSON.parse(badPhone.body).issues.map((issue: { path: string }) => issue.path)).toEqual(['phone']);
    expect(tokensVerified).toEqual([]);
    expect((await post('+14155550100', 'token-1')).statusCode).toBe(202);
    expect(tokensVerified).toEqual(['token-1']);
    expect(deps.store.leads.size).toBe(1);
  });

  it('answers the retry of a stored post (its answer lost) as a replay, though its Turnstile token is spent; a spent token without a stored post stays refused', async () => {
    const deps = fakeDependencies();
    turnstileAcceptingEachTokenOnce(deps);
    const post = (email: string, key: string) => submit(deps, 'demo', JSON.stringify({ name: 'Ada', email, 'cf-turnstile-response': 'token-1' }), 'application/json', { 'idempotency-key': key });
    const first = await post('ada@example.com', 'k-1');
    expect(first.statusCode).toBe(202);
    const retried = await post('ada@example.com', 'k-1');
    expect(retried.statusCode).toBe(202);
    expect(JSON.parse(retried.body)).toEqual({ leadId: JSON.parse(first.body).leadId });
    // Another post with that spent token: not a retry of anything stored, so Turnstile's refusal stands.
    expect((await post('grace@example.com', 'k-1')).statusCode).toBe(400);
    expect((await post('ada@example.com', 'k-2')).statusCode).toBe(400);
    expect(deps.store.leads.size).toBe(1);
  });

  it('requires consent where the form says so', async () => {
    const deps = fakeDependencies();
    deps.config.forms[0].consent!.required = true;
    const response = await submit(deps, 'demo', JSON.stringify({ name: 'Ada', email: 'ada@example.com' }));
    expect(JSON.parse(response.body).issues).toEqual([{ path: 'consent', message: 'Consent is required to send this form' }]);
  });

  it('allows the form’s own origins by CORS, and no others', async () => {
    const deps = fakeDependencies();
    const body = JSON.stringify({ name: 'Ada', email: 'ada@example.com' });
    const allowed = await submit(deps, 'demo', body, 'application/json', { origin: 'http://localhost:3000' });
    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    const other = await submit(deps, 'demo', body, 'application/json', { origin: 'https://evil.example' });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // Either way the answer depends on the origin, and says so to any cache on the way.
    expect(other.headers.vary).toBe('Origin');
    expect((await submit(deps, 'demo', body)).headers.vary).toBe('Origin');
  });

  describe('answers an allowed origin with the CORS headers whatever the status, so the embed script can read refusals', () => {
    const origin = 'http://localhost:3000';
    const valid = JSON.stringify({ name: 'Ada', email: 'ada@example.com' });
    const answers: Array<[number, string, (deps: ReturnType<typeof fakeDependencies>) => Promise<any>]> = [
      [202, 'a stored lead', (deps) => submit(deps, 'demo', valid, 'application/json', { origin })],
      [303, 'a plain HTML post', (deps) => submit(deps, 'demo', 'name=Ada&email=ada%40example.com', 'application/x-www-form-urlencoded', { origin, accept: 'text/html' })],
      [400, 'invalid fields', (deps) => submit(deps, 'demo', JSON.stringify({ email: 'nope' }), 'application/json', { origin })],
      [400, 'malformed JSON', (deps) => submit(deps, 'demo', '{"name":', 'application/json', { origin })],
      [400, 'invalid fields posted as a plain HTML form', (deps) => submit(deps, 'demo', 'email=nope', 'application/x-www-form-urlencoded', { origin, accept: 'text/html' })],
      [413, 'a body over 64 KB', (deps) => submit(deps, 'demo', JSON.stringify({ name: 'Ada', message: 'x'.repeat(70_000) }), 'application/json', { origin })],
      [415, 'an unknown content type', (deps) => submit(deps, 'demo', 'hello', 'text/plain', { origin })],
      [
        429,
        'too many posts',
        async (deps) => {
          for (let index = 0; index < deps.config.forms[0].rateLimitPerMinute; index += 1) await submit(deps, 'demo', valid);
          return submit(deps, 'demo', valid, 'application/json', { origin });
        },
      ],
      [
        500,
        'an internal failure',
        (deps) => {
          deps.store.ingestLead = async () => {
            throw new Error('table unavailable');
          };
          return submit(deps, 'demo', valid, 'application/json', { origin });
        },
      ],
    ];
    it.each(answers)('%i for %s', async (status, _what, send) => {
      const response = await send(fakeDependencies());
      expect(response.statusCode).toBe(status);
      expect(response.headers).toMatchObject({
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'content-type, accept, idempotency-key',
        'access-control-expose-headers': 'retry-after',
        vary: 'Origin',
      });
    });

    it('gives a foreign origin no CORS headers on a refusal either', async () => {
      const response = await submit(fakeDependencies(), 'demo', JSON.stringify({ email: 'nope' }), 'application/json', { origin: 'https://evil.example' });
      expect(response.statusCode).toBe(400);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  it('is 404 for an unknown form, and writes nothing', async () => {
    const deps = fakeDependencies();
    const response = await submit(deps, 'nope', '{"email":"a@b.co"}');
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ error: 'Form "nope" does not exist' });
    // Anyone may post: a long id is quoted by its first 40 characters, not echoed whole.
    const long = await submit(deps, 'f'.repeat(5000), '{"email":"a@b.co"}');
    expect(JSON.parse(long.body)).toEqual({ error: `Form "${'f'.repeat(40)}…" does not exist` });
    expect(deps.store.leads.size + deps.store.outbox.size).toBe(0);
  });

  it('is 400 naming each bad field, and writes nothing', async () => {
    const deps = fakeDependencies();
    const response = await submit(deps, 'demo', JSON.stringify({ email: 'nope', phone: 42 }));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      error: 'The submission to form "demo" is invalid',
      issues: [
        { path: 'name', message: 'Full name is required' },
        { path: 'email', message: 'must be a valid email address' },
        { path: 'phone', message: 'must be a valid phone number (national numbers are read as US)' },
      ],
    });
    expect(deps.store.leads.size + deps.store.outbox.size).toBe(0);
  });

  it("reads only the form's fields, consent and attribution, so a post cannot set the owner, status or score (mass assignment)", async () => {
    const deps = fakeDependencies();
    const post = { name: 'Ada', email: 'ada@example.com', ownerId: 'rep-ava', status: 'converted', score: { points: 100, grade: 'A' }, leadId: 'chosen-id', answers: { injected: 'x' } };
    const response = await submit(deps, 'demo', JSON.stringify(post));
    expect(response.statusCode).toBe(202);
    const { leadId } = JSON.parse(response.body);
    expect(leadId).not.toBe('chosen-id');
    const lead = deps.store.leads.get(leadId)!;
    expect(lead.ownerId).toBeUndefined();
    expect(lead.status).toBe('new');
    expect(lead.score?.points).not.toBe(100);
    expect(JSON.stringify(lead)).not.toContain('injected');
  });

  it('is 400 for malformed JSON and 415 for an unknown content type', async () => {
    const deps = fakeDependencies();
    expect((await submit(deps, 'demo', '{"name":')).statusCode).toBe(400);
    expect((await submit(deps, 'demo', 'hello', 'text/plain')).statusCode).toBe(415);
    expect(deps.store.leads.size).toBe(0);
  });

  it('hides internal failures behind a bare 500', async () => {
    const deps = fakeDependencies();
    deps.store.ingestLead = async () => {
      throw new Error('secret table name leads-prod');
    };
    const response = await submit(deps, 'demo', JSON.stringify({ name: 'Ada', email: 'ada@example.com' }));
    expect(response.statusCode).toBe(500);
    expect(response.body).toBe('{"error":"Internal server error"}');
  });
});

describe('get-lead handler', () => {
  async function setup() {
    const deps = fakeDependencies();
    const { leadId } = JSON.parse((await submit(deps, 'demo', JSON.stringify({ name: 'Ada', email: 'ada@example.com' }))).body);
    deps.store.leads.get(leadId)!.ownerId = 'rep-ava';
    const handler = createGetLeadHandler(() => deps);
    const read = (claims?: Record<string, string>, id = leadId) => handler(httpEvent({ path: `/leads/${id}`, pathParameters: { leadId: id }, claims }), lambdaContext) as Promise<any>;
    return { leadId, read };
  }

  it('shows the lead to its owner, a manager and an admin', async () => {
    const { leadId, read } = await setup();
    for (const claims of [
      { sub: 'rep-ava', 'cognito:groups': '[rep]' },
      { sub: 'maya', 'cognito:groups': '[manager]' },
      { sub: 'root', 'cognito:groups': '[admin]' },
    ]) {
      const response = await read(claims);
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ leadId, ownerId: 'rep-ava' });
      // Personal data: no browser or proxy keeps a copy.
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('is 403 for another rep or finance, 401 without claims, 404 for an unknown lead', async () => {
    const { read } = await setup();
    expect((await read({ sub: 'rep-ben', 'cognito:groups': '[rep]' })).statusCode).toBe(403);
    expect((await read({ sub: 'fin', 'cognito:groups': '[finance]' })).statusCode).toBe(403);
    expect((await read(undefined)).statusCode).toBe(401);
    expect((await read({ sub: 'maya', 'cognito:groups': '[manager]' }, 'missing')).statusCode).toBe(404);
  });
});

describe('preflight-form-submission handler', () => {
  it('allows the form’s origins with 204 and the CORS headers, refuses others with 403', async () => {
    const { createHandler } = await import('../../../functions/preflight-form-submission/handler');
    const deps = fakeDependencies();
    const preflight = (origin: string, formId = 'demo') =>
      createHandler(() => deps)(httpEvent({ method: 'OPTIONS', path: `/forms/${formId}/submissions`, pathParameters: { formId }, headers: { origin } }), lambdaContext) as Promise<any>;
    const allowed = await preflight('http://127.0.0.1:3000');
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers).toMatchObject({ 'access-control-allow-origin': 'http://127.0.0.1:3000', 'access-control-allow-methods': 'POST, OPTIONS' });
    expect(await preflight('https://evil.example')).toMatchObject({ statusCode: 403, headers: { vary: 'Origin' } });
    expect((await preflight('http://127.0.0.1:3000', 'nope')).statusCode).toBe(404);
  });
});

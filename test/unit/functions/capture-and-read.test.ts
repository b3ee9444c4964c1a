import { describe, expect, it } from 'vitest';
import { createHandler as createCaptureHandler } from '../../../functions/capture-form-submission/handler';
import { createHandler as createGetLeadHandler } from '../../../functions/get-lead/handler';
import { fakeDependencies } from '../../support/fakes';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';

function submit(deps: ReturnType<typeof fakeDependencies>, formId: string, body: string, contentType = 'application/json') {
  const handler = createCaptureHandler(() => deps);
  return handler(httpEvent({ method: 'POST', path: `/forms/${formId}/submissions`, pathParameters: { formId }, headers: { 'content-type': contentType }, body }), lambdaContext) as Promise<any>;
}

describe('capture-form-submission handler', () => {
  it('answers 202 with the lead id after storing the lead and its lead.captured event', async () => {
    const deps = fakeDependencies();
    const response = await submit(deps, 'demo', 'name=Ada+Lovelace&email=ada%40example.com&phone=%2B14155550100', 'application/x-www-form-urlencoded');
    expect(response.statusCode).toBe(202);
    const { leadId } = JSON.parse(response.body);
    const lead = deps.store.leads.get(leadId);
    expect(lead?.contact).toEqual({ name: 'Ada Lovelace', email: 'ada@example.com', phone: '+14155550100' });
    expect([...deps.store.outbox.values()]).toEqual([expect.objectContaining({ detailType: 'lead.captured', detail: expect.objectContaining({ leadId }) })]);
  });

  it('is 404 for an unknown form, and writes nothing', async () => {
    const deps = fakeDependencies();
    const response = await submit(deps, 'nope', '{"email":"a@b.co"}');
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ error: 'Form "nope" does not exist' });
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

  it('is 400 for malformed JSON and 415 for an unknown content type', async () => {
    const deps = fakeDependencies();
    expect((await submit(deps, 'demo', '{"name":')).statusCode).toBe(400);
    expect((await submit(deps, 'demo', 'hello', 'text/plain')).statusCode).toBe(415);
    expect(deps.store.leads.size).toBe(0);
  });

  it('hides internal failures behind a bare 500', async () => {
    const deps = fakeDependencies();
    deps.store.saveCapturedLead = async () => {
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
    for (const claims of [{ sub: 'rep-ava', 'cognito:groups': '[rep]' }, { sub: 'maya', 'cognito:groups': '[manager]' }, { sub: 'root', 'cognito:groups': '[admin]' }]) {
      const response = await read(claims);
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ leadId, ownerId: 'rep-ava' });
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

import { describe, expect, it } from 'vitest';
import { createHandler as createCapture } from '../../../functions/capture-form-submission/handler';
import { createHandler as createClaim } from '../../../functions/claim-lead/handler';
import { createHandler as createActivity } from '../../../functions/log-lead-activity/handler';
import { createHandler as createLock } from '../../../functions/lock-lead/handler';
import { fakeDependencies } from '../../support/fakes';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { pooledLead } from '../../support/pooled-leads';

type Deps = ReturnType<typeof fakeDependencies>;
const asRep = { sub: 'rep-ava', 'cognito:groups': '[rep]' };
const asManager = { sub: 'mgr-maya', 'cognito:groups': '[manager]' };
const steps = { claim: createClaim, activities: createActivity, lock: createLock };

async function post(deps: Deps, step: keyof typeof steps, leadId: string, claims: Record<string, string>, body?: unknown) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const event = httpEvent({ method: 'POST', path: `/leads/${leadId}/${step}`, pathParameters: { leadId }, headers: text === undefined ? {} : { 'content-type': 'application/json' }, body: text, claims });
  const response = (await steps[step](() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
  return { status: response.statusCode, json: JSON.parse(response.body) };
}

/** Posts `body` as JSON; a string is sent as it is, for JSON that JavaScript values cannot spell. */
async function submit(deps: Deps, body: unknown) {
  const json = typeof body === 'string' ? body : JSON.stringify(body);
  const event = httpEvent({ method: 'POST', path: '/forms/demo/submissions', pathParameters: { formId: 'demo' }, headers: { 'content-type': 'application/json' }, body: json });
  const response = (await createCapture(() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
  return { status: response.statusCode, json: JSON.parse(response.body) };
}

const writes = (deps: Deps) => JSON.stringify({ leads: [...deps.store.leads], outbox: [...deps.store.outbox.keys()], open: [...deps.store.openLeads] });

describe('sales API text with control characters, bidi controls or unpaired surrogates', () => {
  it('POST /leads/{leadId}/activities refuses such an outcome with a 400 naming it, and writes nothing', async () => {
    const deps = fakeDependencies();
    await pooledLead(deps.store, deps.config, { leadId: 't-1', poolId: 'nurture' });
    expect((await post(deps, 'claim', 't-1', asRep)).status).toBe(200);
    const before = writes(deps);
    const refused = await post(deps, 'activities', 't-1', asRep, { kind: 'call', outcome: 'a\u0000b\u0007\u202e\ud800z' });
    expect(refused.status).toBe(400);
    expect(refused.json.issues).toEqual([{ path: 'outcome', message: 'must not contain control characters, bidirectional controls or unpaired surrogates (found U+0000)' }]);
    expect(writes(deps)).toBe(before);
    const logged = await post(deps, 'activities', 't-1', asRep, { kind: 'call', outcome: 'Left a voicemail\n\tcall back Monday' });
    expect(logged.status).toBe(200);
    expect(logged.json.history.at(-1)).toMatchObject({ action: 'activity', detail: 'call: Left a voicemail\n\tcall back Monday' });
  });

  it('POST /leads/{leadId}/lock refuses a reason with NUL and BEL, naming it', async () => {
    const deps = fakeDependencies();
    await pooledLead(deps.store, deps.config, { leadId: 't-2', poolId: 'nurture' });
    expect((await post(deps, 'claim', 't-2', asRep)).status).toBe(200);
    const before = writes(deps);
    const refused = await post(deps, 'lock', 't-2', asManager, { reason: 'VIP\u0000\u0007' });
    expect(refused).toMatchObject({ status: 400, json: { issues: [{ path: 'reason', message: expect.stringContaining('(found U+0000)') }] } });
    expect(writes(deps)).toBe(before);
  });
});

describe('POST /forms/{formId}/submissions with unsafe text and odd consent', () => {
  it('keeps the lead, storing its name, answers and attribution without the characters', async () => {
    const deps = fakeDependencies();
    const answer = await submit(deps, { name: 'Bob\u0000\u0007\u202eEvil\ud800', email: 'bob@example.com\u0000', message: 'Hi\u0000\nthere', utm_campaign: 'spring\u202e' });
    expect(answer.status).toBe(202);
    const lead = deps.store.leads.get(answer.json.leadId)!;
    expect(lead.status).toBe('new');
    expect(lead.contact).toEqual({ name: 'BobEvil', email: 'bob@example.com', message: 'Hi\nthere' });
    expect(lead.attribution.lastTouch).toEqual({ utm_campaign: 'spring' });
  });

  it('refuses consent sent as an object, a list or a number with a 400 naming consent, and writes nothing', async () => {
    const deps = fakeDependencies();
    // A number past 2^53 too: only webhook bodies keep such integers, as exact text (ids).
    for (const consent of [{ a: 1 }, ['on', 'on'], 1, 12345678901234567890n]) {
      const post = { name: 'Ada', email: 'ada@example.com' };
      const label = typeof consent === 'bigint' ? String(consent) : JSON.stringify(consent);
      const refused = await submit(deps, typeof consent === 'bigint' ? `${JSON.stringify(post).slice(0, -1)},"consent":${consent}}` : { ...post, consent });
      expect(refused.status, label).toBe(400);
      expect(refused.json.issues, label).toEqual([{ path: 'consent', message: expect.stringContaining('must be true or false, or the value of a ticked box') }]);
    }
    expect(deps.store.leads.size + deps.store.outbox.size).toBe(0);
    const ticked = await submit(deps, { name: 'Ada', email: 'ada@example.com', consent: true });
    expect(ticked.status).toBe(202);
    expect(deps.store.leads.get(ticked.json.leadId)?.consent?.version).toBe('2026-11');
  });
});

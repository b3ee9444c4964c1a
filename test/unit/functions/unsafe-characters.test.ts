import { describe, expect, it } from 'vitest';
import { leadSignature, secretRefs } from '@leadflow/domain';
import { createHandler as createClaim } from '../../../functions/claim-lead/handler';
import { createHandler as createStatus } from '../../../functions/change-lead-status/handler';
import { createHandler as createConvert } from '../../../functions/convert-lead/handler';
import { createHandler as createCorrection } from '../../../functions/correct-lead-conversion/handler';
import { createHandler as createReceiveGeneric } from '../../../functions/receive-generic-webhook/handler';
import { fakeDependencies } from '../../support/fakes';
import { signWithDemoSecrets } from '../../support/demo-secrets';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { pooledLead } from '../../support/pooled-leads';

type Deps = ReturnType<typeof fakeDependencies>;
const asRep = { sub: 'rep-ava', 'cognito:groups': '[rep]' };
const asFinance = { sub: 'fin-fiona', 'cognito:groups': '[finance]' };
const wonAt = '2026-03-02T10:00:00.000Z';
const steps = { claim: createClaim, status: createStatus, convert: createConvert, 'conversion/corrections': createCorrection };
const refusal = (found: string) => `must not contain control characters, bidirectional controls or unpaired surrogates (found ${found})`;

async function post(deps: Deps, step: keyof typeof steps, leadId: string, claims: Record<string, string>, body: unknown) {
  const event = httpEvent({ method: 'POST', path: `/leads/${leadId}/${step}`, pathParameters: { leadId }, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), claims });
  const response = (await steps[step](() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
  return { status: response.statusCode, json: JSON.parse(response.body) };
}

/** What a refused request must leave untouched. */
const writes = (deps: Deps) => JSON.stringify({ leads: [...deps.store.leads], outbox: [...deps.store.outbox.keys()] });

async function qualifiedLead(deps: Deps, leadId: string) {
  await pooledLead(deps.store, deps.config, { leadId, poolId: 'nurture' });
  expect((await post(deps, 'claim', leadId, asRep, {})).status).toBe(200);
  expect((await post(deps, 'status', leadId, asRep, { status: 'contacted' })).status).toBe(200);
  expect((await post(deps, 'status', leadId, asRep, { status: 'qualified', qualification: 'sql' })).status).toBe(200);
}

describe('dealId: an id, refused with a 400 naming it when it holds what no id does', () => {
  // NUL, a right-to-left override that would show "24-MRC", an unpaired surrogate, and a line break inside the id.
  const bad: Array<[string, string]> = [
    ['CRM-42\u0000', 'U+0000'],
    ['\u202eCRM-42', 'U+202E'],
    ['CRM-\ud80042', 'U+D800'],
    ['CRM\n42', 'U+000A'],
  ];

  it('on convert, writing nothing; the same id without them converts', async () => {
    const deps = fakeDependencies();
    await qualifiedLead(deps, 'd-1');
    const before = writes(deps);
    for (const [dealId, found] of bad) {
      expect(await post(deps, 'convert', 'd-1', asRep, { revenue: 4800, currency: 'USD', wonAt, dealId }), JSON.stringify(dealId)).toEqual({
        status: 400,
        json: { error: expect.any(String), issues: [{ path: 'dealId', message: refusal(found) }] },
      });
    }
    expect(writes(deps)).toBe(before);
    expect(await post(deps, 'convert', 'd-1', asRep, { revenue: 4800, currency: 'USD', wonAt, dealId: ' CRM-42 ' })).toMatchObject({ status: 200, json: { conversion: { dealId: 'CRM-42' } } });
  });

  it('on a conversion correction, writing nothing', async () => {
    const deps = fakeDependencies();
    await qualifiedLead(deps, 'd-2');
    expect((await post(deps, 'convert', 'd-2', asRep, { revenue: 4800, currency: 'USD', wonAt, dealId: 'CRM-42' })).status).toBe(200);
    const before = writes(deps);
    for (const [dealId, found] of bad) {
      expect(await post(deps, 'conversion/corrections', 'd-2', asFinance, { revenue: 4300, currency: 'USD', dealId, reason: 'partial refund' }), JSON.stringify(dealId)).toEqual({
        status: 400,
        json: { error: expect.any(String), issues: [{ path: 'dealId', message: refusal(found) }] },
      });
    }
    expect(writes(deps)).toBe(before);
  });
});

describe('POST /webhooks/generic/{sourceId}: consent text is cleaned, ids are refused', () => {
  async function deliver(deps: Deps, body: Record<string, unknown>) {
    const raw = JSON.stringify(body);
    const signature = leadSignature(raw, signWithDemoSecrets(secretRefs.genericSourceSecret('partner-acme')), Math.floor(deps.now().getTime() / 1000));
    const event = httpEvent({
      method: 'POST',
      path: '/webhooks/generic/partner-acme',
      pathParameters: { sourceId: 'partner-acme' },
      headers: { 'content-type': 'application/json', 'x-lead-signature': signature },
      body: raw,
    });
    const response = (await createReceiveGeneric(() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
    return { status: response.statusCode, json: JSON.parse(response.body) };
  }
  const nothingWritten = (deps: Deps) => expect({ leads: deps.store.leads.size, outbox: deps.store.outbox.size, consents: deps.store.consents.entries.size }).toEqual({ leads: 0, outbox: 0, consents: 0 });

  it('stores the lead with its consent text and version rid of control and bidi characters, on the lead and in the ledger', async () => {
    const deps = fakeDependencies();
    const answer = await deliver(deps, {
      event_id: 'evt-consent',
      fields: { email: 'consent@example.com' },
      consent: { text: 'You may \u202econtact me\u0000 by email.\nThanks', version: 'v3\u0007', given_at: '2026-03-02T10:00:00Z' },
    });
    expect(answer.status).toBe(200);
    expect(deps.store.leads.get(answer.json.leadId)?.consent).toMatchObject({ text: 'You may contact me by email.\nThanks', version: 'v3' });
    expect([...deps.store.consents.entries.values()].map(({ text, version }) => ({ text, version }))).toEqual([{ text: 'You may contact me by email.\nThanks', version: 'v3' }]);
  });

  it('reads a field key as it will be stored, so a stray control character does not turn the email into an answer', async () => {
    const deps = fakeDependencies();
    const answer = await deliver(deps, {
      event_id: 'evt-keys',
      fields: [
        { key: 'email\u0000', value: 'keys@example.com' },
        { key: '\u202ework_mail', value: 'second@example.com' },
        { key: 'budget\u0007', value: '10k' },
      ],
    });
    expect(answer.status).toBe(200);
    const lead = deps.store.leads.get(answer.json.leadId);
    expect({ status: lead?.status, contact: lead?.contact, answers: lead?.answers }).toEqual({ status: 'new', contact: { email: 'keys@example.com' }, answers: { email: 'second@example.com', budget: '10k' } });
  });

  it('refuses a consent whose text or version is nothing but such characters, as it refuses an empty one, naming it', async () => {
    const deps = fakeDependencies();
    for (const [consent, path] of [
      [{ text: '\u0000\u202e', version: 'v3' }, 'consent.text'],
      [{ text: 'You may contact me.', version: '\u0007' }, 'consent.version'],
    ] as const) {
      expect(await deliver(deps, { event_id: 'evt-empty', fields: { email: 'consent@example.com' }, consent }), path).toEqual({
        status: 400,
        json: { error: 'The delivery from source "partner-acme" is invalid', issues: [{ path, message: 'must not be only control characters, bidirectional controls or unpaired surrogates' }] },
      });
    }
    nothingWritten(deps);
  });

  it('refuses an event_id or form_id holding them with a 400 naming it: cleaned, two ids could become one and a lead pass for a replay', async () => {
    const deps = fakeDependencies();
    for (const [body, path, found] of [
      [{ event_id: 'evt-1\u0000' }, 'event_id', 'U+0000'],
      [{ event_id: 'evt-\u202e1' }, 'event_id', 'U+202E'],
      [{ event_id: 'evt\t1' }, 'event_id', 'U+0009'],
      [{ event_id: 'evt-1', form_id: 'acme\u0085referral' }, 'form_id', 'U+0085'],
    ] as const) {
      expect(await deliver(deps, { ...body, fields: { email: 'ids@example.com' } }), JSON.stringify(body)).toEqual({
        status: 400,
        json: { error: 'The delivery from source "partner-acme" is invalid', issues: [{ path, message: refusal(found) }] },
      });
    }
    nothingWritten(deps);
    expect((await deliver(deps, { event_id: 'evt-1', fields: { email: 'ids@example.com' } })).status).toBe(200);
  });
});

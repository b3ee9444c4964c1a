import { describe, expect, it } from 'vitest';
import { createHandler as createCaptureHandler } from '../../../functions/capture-form-submission/handler';
import { createHandler as createEraseHandler } from '../../../functions/erase-lead/handler';
import { createHandler as createExportHandler } from '../../../functions/export-lead/handler';
import { createHandler as createConsentsHandler } from '../../../functions/list-lead-consents/handler';
import { createHandler as createReceiveMeta } from '../../../functions/receive-meta-leads/handler';
import { exampleDelivery } from '../../../scripts/webhook-examples';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { queueConversionFeedback, recordLeadRoiEvent } from '@leadflow/platform';
import { demoConfiguration } from '../../support/demo-configuration';
import { signWithDemoSecrets } from '../../support/demo-secrets';
import { sampleMetaLead } from '../../support/fake-platforms';
import { fakeDependencies } from '../../support/fakes';

type Deps = ReturnType<typeof fakeDependencies>;
const admin = { username: 'admin-ines', 'cognito:groups': '[admin]' };
/** The consent text and version the demo form shows. */
const demoConsent = demoConfiguration().forms.find((form) => form.id === 'demo')!.consent!;
const manager = { username: 'mgr-maya', 'cognito:groups': '[manager]' };
const rep = { username: 'rep-ava', 'cognito:groups': '[rep]' };

/** The demo form asking for consent to contact and to marketing email, a route that matches on an answer (so `lead.scored` carries it), and conversions reported to Google. */
function depsWithConsentForm(): Deps {
  const deps = fakeDependencies();
  deps.config.channelRoi.platformFeedback = { google: { enabled: true, operatingAccountId: '1234567890', conversionActions: { qualified: '6001', converted: '6002' } } };
  const form = deps.config.forms.find((candidate) => candidate.id === 'demo')!;
  form.consent = { ...form.consent!, purposes: ['contact', 'marketing_email'] };
  deps.config.routing.routes.unshift({ id: 'big-firms', name: 'Big firms', match: { answers: { company_size: ['1000+'] } }, strategy: 'pool', poolId: 'key-accounts' });
  return deps;
}

async function capture(deps: Deps, body: Record<string, string>): Promise<string> {
  const response = (await createCaptureHandler(() => deps)(
    httpEvent({ method: 'POST', path: '/forms/demo/submissions', pathParameters: { formId: 'demo' }, headers: { 'content-type': 'application/json', 'user-agent': 'Firefox' }, body: JSON.stringify(body) }),
    lambdaContext,
  )) as { statusCode: number; body: string };
  expect(response.statusCode).toBe(202);
  return JSON.parse(response.body).leadId;
}

const call = async (handler: (event: any, context: any) => Promise<unknown>, method: string, path: string, leadId: string, claims?: Record<string, string>) => {
  const response = (await handler(httpEvent({ method, path, pathParameters: { leadId }, ...(claims ? { claims } : {}) }), lambdaContext)) as { statusCode: number; body: string };
  return { status: response.statusCode, body: JSON.parse(response.body) };
};
const erase = (deps: Deps, leadId: string, claims?: Record<string, string>) =>
  call(
    createEraseHandler(() => deps),
    'DELETE',
    `/leads/${leadId}`,
    leadId,
    claims,
  );
const exportOf = (deps: Deps, leadId: string, claims?: Record<string, string>) =>
  call(
    createExportHandler(() => deps),
    'GET',
    `/leads/${leadId}/export`,
    leadId,
    claims,
  );
const consentsOf = (deps: Deps, leadId: string, claims?: Record<string, string>) =>
  call(
    createConsentsHandler(() => deps),
    'GET',
    `/leads/${leadId}/consents`,
    leadId,
    claims,
  );

/** The person comes back through a Meta lead form (lead `leadgenId`, answering with `email`): the platform intake stores the delivery and touches their lead. */
async function metaDeliveryFrom(deps: Deps, leadgenId: string, email: string) {
  deps.platformLeads.answers.set(leadgenId, {
    ...sampleMetaLead(leadgenId),
    field_data: [
      { name: 'full_name', values: ['Ada Lovelace'] },
      { name: 'email', values: [email] },
    ],
  });
  const delivery = exampleDelivery('meta', deps.config, signWithDemoSecrets, { id: leadgenId, now: deps.now() });
  const response = (await createReceiveMeta(() => deps)(httpEvent({ method: 'POST', path: delivery.path, headers: delivery.headers, body: delivery.body }), lambdaContext)) as { statusCode: number; body: string };
  expect(response.statusCode).toBe(200);
  return { body: delivery.body, leadId: JSON.parse(response.body).deliveries[0].leadId as string };
}

const ada = {
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: '+14155550100',
  company_size: '1000+',
  message: 'Call me after 5',
  consent: 'true',
  utm_campaign: 'spring',
  gclid: 'Cj0-ada-click',
  fbc: 'fb.1.1772446440000.IwAR-ada',
  fbp: 'fb.1.1772446000000.1234567890',
  landing_url: 'https://northwind.example/demo?email=ada.l%40example.com',
};

describe('personal data over HTTP', () => {
  it('is never kept by a browser or proxy cache: the export and the consent ledger answer no-store', async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, ada);
    for (const [handler, path] of [
      [createExportHandler(() => deps), `/leads/${leadId}/export`],
      [createConsentsHandler(() => deps), `/leads/${leadId}/consents`],
    ] as const) {
      const response = (await handler(httpEvent({ method: 'GET', path, pathParameters: { leadId }, claims: admin }), lambdaContext)) as { statusCode: number; headers: Record<string, string> };
      expect(response).toMatchObject({ statusCode: 200, headers: { 'cache-control': 'no-store' } });
    }
  });
});

describe('the consent ledger of a lead', () => {
  it('holds one given entry per purpose the form asked for, written with the lead, with the consent in force', async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, ada);
    const { status, body } = await consentsOf(deps, leadId, manager);
    expect(status).toBe(200);
    const given = {
      leadId,
      action: 'given',
      at: '2026-03-02T10:15:00.000Z',
      source: 'form:demo',
      version: demoConsent.version,
      text: demoConsent.text,
      ip: '127.0.0.1',
      userAgent: 'test',
    };
    expect(body).toEqual({
      leadId,
      entries: [
        { ...given, purpose: 'contact' },
        { ...given, purpose: 'marketing_email' },
      ],
      inForce: { contact: true, marketing_email: true },
    });
  });

  it('is empty when the person gave no consent, and a repeat submission with consent adds to the first lead', async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, { name: 'Bo', email: 'bo@example.com' });
    expect((await consentsOf(deps, leadId, admin)).body).toEqual({ leadId, entries: [], inForce: { contact: false, marketing_email: false } });
    expect(await capture(deps, { name: 'Bo', email: 'bo@example.com', consent: 'on' })).toBe(leadId);
    expect((await consentsOf(deps, leadId, admin)).body.inForce).toEqual({ contact: true, marketing_email: true });
  });

  it("keeps an unsubscribe in force when the person's email is posted again with consent, recording the post on the ledger", async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, { ...ada, consent: 'on' });
    await deps.consents.append({ leadId, purpose: 'marketing_email', action: 'withdrawn', at: '2026-03-02T11:00:00.000Z', source: 'unsubscribe' });
    // Anyone may post Ada's email with the box ticked; that is not Ada taking back her unsubscribe.
    deps.now = () => new Date('2026-03-02T12:00:00.000Z');
    expect(await capture(deps, { ...ada, consent: 'on' })).toBe(leadId);
    const { body } = await consentsOf(deps, leadId, admin);
    expect(body.entries.filter((entry: { purpose: string }) => entry.purpose === 'marketing_email').map((entry: { action: string }) => entry.action)).toEqual(['given', 'withdrawn', 'given']);
    expect(body.inForce).toEqual({ contact: true, marketing_email: false });
  });

  it('stays a 200, as the export does, however often anyone posts the person with a long user agent: repeats add no entry and entries keep 512 characters of it', async () => {
    const deps = depsWithConsentForm();
    const userAgent = `Mozilla/5.0 ${'x'.repeat(9000)}`;
    let leadId = '';
    for (let index = 0; index < 400; index += 1) {
      // Seven seconds apart: under the form's per-IP limit of 10 a minute.
      deps.now = () => new Date(Date.parse('2026-03-02T10:00:00.000Z') + index * 7_000);
      const event = httpEvent({
        method: 'POST',
        path: '/forms/demo/submissions',
        pathParameters: { formId: 'demo' },
        headers: { 'content-type': 'application/json', 'user-agent': userAgent },
        body: JSON.stringify({ ...ada, consent: 'on' }),
      });
      event.requestContext.http.userAgent = userAgent;
      const response = (await createCaptureHandler(() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
      expect(response.statusCode, response.body).toBe(202);
      leadId = JSON.parse(response.body).leadId;
    }
    const consents = await consentsOf(deps, leadId, manager);
    const exported = await exportOf(deps, leadId, admin);
    expect([consents.status, exported.status]).toEqual([200, 200]);
    expect(consents.body.entries.map((entry: { purpose: string; userAgent: string }) => [entry.purpose, entry.userAgent.length])).toEqual([
      ['contact', 512],
      ['marketing_email', 512],
    ]);
    expect(exported.body.consents).toHaveLength(2);
    expect(deps.store.leads.get(leadId)!.touches).toBe(400);
  });

  it('answers the ledger a page at a time, with a cursor while more follow, and the export its newest 100 entries, saying how many are left out', async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, { ...ada, consent: 'on' });
    for (let index = 0; index < 129; index += 1) {
      await deps.consents.append({ leadId, purpose: 'contact', action: 'given', at: new Date(Date.parse('2026-03-03T00:00:00.000Z') + index * 60_000).toISOString(), source: `form:v${index}`, version: `v${index}` });
    }
    const page = async (query: Record<string, string>, claims = manager) => {
      const response = (await createConsentsHandler(() => deps)(httpEvent({ method: 'GET', path: `/leads/${leadId}/consents`, pathParameters: { leadId }, query, claims }), lambdaContext)) as {
        statusCode: number;
        body: string;
      };
      return { status: response.statusCode, body: JSON.parse(response.body) };
    };
    const first = await page({});
    expect(first.body.entries).toHaveLength(50);
    expect(first.body.inForce).toEqual({ contact: true, marketing_email: true });
    const seen = [...first.body.entries];
    for (let cursor = first.body.cursor; cursor;) {
      const next = await page({ limit: '100', cursor });
      expect(next.status).toBe(200);
      seen.push(...next.body.entries);
      cursor = next.body.cursor;
    }
    expect(seen).toEqual(await deps.consents.entriesFor(leadId));
    expect(seen).toHaveLength(131);
    expect((await page({ limit: '101' })).body.issues).toEqual([expect.objectContaining({ path: 'limit' })]);
    expect((await page({ cursor: 'not-a-cursor' })).body.issues).toEqual([expect.objectContaining({ path: 'cursor' })]);
    const other = await capture(deps, { ...ada, email: 'other@example.com', consent: 'on' });
    expect(other).not.toBe(leadId);
    const { status, body } = await page({ cursor: first.body.cursor });
    expect(status).toBe(200);
    const otherList = (await createConsentsHandler(() => deps)(
      httpEvent({ method: 'GET', path: `/leads/${other}/consents`, pathParameters: { leadId: other }, query: { cursor: first.body.cursor }, claims: manager }),
      lambdaContext,
    )) as { statusCode: number; body: string };
    expect([otherList.statusCode, JSON.parse(otherList.body).issues]).toEqual([400, [expect.objectContaining({ path: 'cursor' })]]);
    expect(body.entries[0]).toEqual(seen[50]);
    const exported = await exportOf(deps, leadId, admin);
    expect(exported.body.consents).toEqual(seen.slice(-100));
    expect(exported.body.consentsLeftOut).toEqual({ count: 31, pagedAt: `/leads/${leadId}/consents` });
  });

  it('is for the lead owner, managers and admins: another rep gets 403, no token 401, an unknown lead 404', async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, ada);
    expect((await consentsOf(deps, leadId, rep)).status).toBe(403);
    expect((await consentsOf(deps, leadId)).status).toBe(401);
    expect((await consentsOf(deps, 'no-such-lead', admin)).status).toBe(404);
    deps.store.leads.get(leadId)!.ownerId = 'rep-ava';
    expect((await consentsOf(deps, leadId, rep)).status).toBe(200);
  });
});

describe('DELETE /leads/{leadId}', () => {
  it('erases the person from the lead, its person keys, consent IPs and unpublished answers, and records it', async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, ada);
    expect(deps.store.leads.get(leadId)!.attribution.lastTouch).toMatchObject({ gclid: ada.gclid, fbc: ada.fbc, fbp: ada.fbp });
    const { status, body } = await erase(deps, leadId, admin);
    expect(status).toBe(200);
    expect(body).toEqual({ leadId, status: 'erased', alreadyErased: false });
    const lead = deps.store.leads.get(leadId)!;
    expect(lead).toMatchObject({ contact: {}, answers: {}, status: 'invalid', statusReason: "erased at the person's request" });
    expect(lead.consent).toEqual({ version: demoConsent.version, text: demoConsent.text, purposes: ['contact', 'marketing_email'], givenAt: '2026-03-02T10:15:00.000Z' });
    expect(lead.history.at(-1)).toEqual({ at: '2026-03-02T10:15:00.000Z', action: 'erased', by: 'admin:admin-ines', detail: "erased at the person's request" });
    // The campaign keeps its credit; the click id, Meta's fbc and fbp, and the landing page, which single out the visit, go.
    // The click id is gone; that there was one (the channel it credits) stays, as an empty value.
    expect(lead.attribution).toEqual({ firstTouch: { utm_campaign: 'spring', gclid: '' }, lastTouch: { utm_campaign: 'spring', gclid: '' } });
    expect(lead).toMatchObject({ status: 'invalid', statusBeforeErasure: 'new' });
    expect(await deps.store.findLeadIdByPersonKey('email#ada@example.com')).toBeUndefined();
    expect(await deps.store.findLeadIdByPersonKey('phone#+14155550100')).toBeUndefined();
    const entries = await deps.consents.entriesFor(leadId);
    expect(entries.map((entry) => [entry.purpose, entry.action, entry.ip, entry.userAgent])).toEqual([
      ['contact', 'given', undefined, undefined],
      ['marketing_email', 'given', undefined, undefined],
    ]);
    const events = [...deps.store.outbox.values()];
    const scored = events.find((event) => event.detailType === 'lead.scored')!;
    expect(scored.detail).not.toHaveProperty('answers');
    expect(events.at(-1)).toMatchObject({ detailType: 'lead.erased', detail: { leadId, sourceKind: 'web_form', reason: "erased at the person's request" } });
  });

  it('refuses a query parameter it does not take by name, erasing nothing: `?dryRun=true` must not read as a dry run', async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, ada);
    const before = JSON.stringify([...deps.store.leads]);
    const event = httpEvent({ method: 'DELETE', path: `/leads/${leadId}`, pathParameters: { leadId }, query: { dryRun: 'true' }, claims: admin });
    const response = (await createEraseHandler(() => deps)(event, lambdaContext)) as { statusCode: number; body: string };
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).issues).toEqual([expect.objectContaining({ path: 'dryRun' })]);
    expect(JSON.stringify([...deps.store.leads])).toBe(before);
  });

  it('is idempotent: erasing again changes nothing and says so', async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, ada);
    await erase(deps, leadId, admin);
    const after = structuredClone(deps.store.leads.get(leadId));
    const events = deps.store.outbox.size;
    expect(await erase(deps, leadId, admin)).toEqual({ status: 200, body: { leadId, status: 'erased', alreadyErased: true } });
    expect(deps.store.leads.get(leadId)).toEqual(after);
    expect(deps.store.outbox.size).toBe(events);
  });

  it('is for admins only: managers and reps get 403, no token 401, and nothing is erased; an unknown lead is 404', async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, ada);
    expect((await erase(deps, leadId, manager)).status).toBe(403);
    expect((await erase(deps, leadId, rep)).status).toBe(403);
    expect((await erase(deps, leadId)).status).toBe(401);
    expect(deps.store.leads.get(leadId)?.contact.email).toBe('ada@example.com');
    expect(await erase(deps, 'no-such-lead', admin)).toEqual({ status: 404, body: expect.objectContaining({ error: 'Lead "no-such-lead" does not exist' }) });
    expect(await erase(deps, 'n'.repeat(100), admin)).toEqual({ status: 404, body: { error: `Lead "${'n'.repeat(40)}…" does not exist` } });
  });

  it("leaves the lead's channel-ROI facts as they were, so rollups count it as before, even when an event is replayed", async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, ada);
    expect(await recordLeadRoiEvent({ type: 'lead.captured', eventId: `${leadId}-captured`, leadId }, deps)).toBe('recorded');
    const { leadUpdatedAt: _before, ...counted } = structuredClone([...deps.roi.facts.values()])[0];
    expect(counted).toMatchObject({ leadId, kind: 'lead', invalid: false, firstChannel: 'google-ads', firstCampaign: 'spring' });
    await erase(deps, leadId, admin);
    expect(await recordLeadRoiEvent({ type: 'lead.captured', eventId: `${leadId}-captured`, leadId }, deps)).toBe('recorded');
    const { leadUpdatedAt: _after, ...recounted } = [...deps.roi.facts.values()][0];
    expect(recounted).toEqual(counted);
  });

  it('counts a lead erased before its capture event was handled (the relay behind) as it stood, a paid-for lead of its click id’s channel', async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, ada);
    await erase(deps, leadId, admin);
    expect(await recordLeadRoiEvent({ type: 'lead.captured', eventId: `${leadId}-captured`, leadId }, deps)).toBe('recorded');
    expect([...deps.roi.facts.values()]).toEqual([expect.objectContaining({ leadId, kind: 'lead', invalid: false, firstChannel: 'google-ads', lastChannel: 'google-ads', firstCampaign: 'spring' })]);
  });

  it('leaves alone the facts of a lead erased before erasure kept its status, which would now read as invalid', async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, ada);
    await erase(deps, leadId, admin);
    delete deps.store.leads.get(leadId)!.statusBeforeErasure;
    expect(await recordLeadRoiEvent({ type: 'lead.captured', eventId: `${leadId}-captured`, leadId }, deps)).toBe('no_lead');
    expect([...deps.roi.facts.values()]).toEqual([]);
  });

  it('lets the same person come back as a new lead', async () => {
    const deps = depsWithConsentForm();
    const first = await capture(deps, ada);
    await erase(deps, first, admin);
    const again = await capture(deps, ada);
    expect(again).not.toBe(first);
    expect(deps.store.leads.get(again)).toMatchObject({ status: 'new', touches: 1, contact: { email: 'ada@example.com' } });
  });
});

describe('GET /leads/{leadId}/export', () => {
  it('returns everything held about the person to an admin: lead, timeline, consent ledger, intake records, notification records, queued conversions', async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, ada);
    await deps.sends.claimEmail({ leadId, repId: 'rep-ava', reason: 'assigned', channel: 'email' }, '2026-03-02T10:15:01.000Z');
    // A reminder to the rep and a pool's alert to its managers, as notify-follow-ups and notify-pool-managers log them.
    await deps.notifications.recordSent(`lead.reminded-email:e-1:rep-ava`, leadId, '2026-03-02T10:40:00.000Z');
    await deps.notifications.claim(`lead.pool_unattended-email:e-2:mgr-maya`, leadId, '2026-03-02T11:00:00.000Z');
    await deps.notifications.recordSent('lead.reminded-email:e-3:rep-ben', 'another-lead', '2026-03-02T10:40:00.000Z');
    expect(await queueConversionFeedback({ leadId, stage: 'qualified', occurredAt: '2026-03-03T09:00:00.000Z' }, deps)).toBe(1);
    const { status, body } = await exportOf(deps, leadId, admin);
    expect(status).toBe(200);
    expect(body.lead).toMatchObject({ leadId, contact: { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+14155550100' }, answers: { company_size: '1000+' } });
    expect(body.timeline).toEqual([expect.objectContaining({ action: 'captured', by: 'form:demo' })]);
    expect(body.consents).toHaveLength(2);
    expect(body.intakeRecords).toEqual([]);
    expect(body.notifications).toEqual([{ leadId, repId: 'rep-ava', reason: 'assigned', channel: 'email', status: 'pending', claimedAt: '2026-03-02T10:15:01.000Z' }]);
    expect(body.notificationLog).toEqual([
      { notificationId: 'lead.pool_unattended-email:e-2:mgr-maya', status: 'pending', claimedAt: '2026-03-02T11:00:00.000Z' },
      { notificationId: 'lead.reminded-email:e-1:rep-ava', status: 'sent', sentAt: '2026-03-02T10:40:00.000Z' },
    ]);
    expect(body.conversionFeedback).toEqual([
      { platform: 'google', feedbackId: `${leadId}:qualified`, leadId, stage: 'qualified', occurredAt: '2026-03-03T09:00:00.000Z', gclid: ada.gclid, attempts: 0, dueAt: '2026-03-03T09:00:00.000Z', state: 'pending' },
    ]);
    expect(body.exportedAt).toBe('2026-03-02T10:15:00.000Z');
  });

  it('shows nothing personal once the person is erased: the queued conversion with the click id is gone too', async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, ada);
    await queueConversionFeedback({ leadId, stage: 'qualified', occurredAt: '2026-03-03T09:00:00.000Z' }, deps);
    await erase(deps, leadId, admin);
    expect((await exportOf(deps, leadId, admin)).body.conversionFeedback).toEqual([]);
    const text = JSON.stringify((await exportOf(deps, leadId, admin)).body);
    for (const personal of ['Ada', 'ada@example.com', 'ada.l%40example.com', 'Cj0-ada-click', '4155550100', '1000+', 'Call me after 5', '127.0.0.1', '"userAgent"']) expect(text).not.toContain(personal);
  });

  it('includes the platform delivery that brought the lead', async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, ada);
    const lead = deps.store.leads.get(leadId)!;
    lead.source = { kind: 'meta', platformLeadId: '1234567890' };
    const record = {
      platform: 'meta' as const,
      platformLeadId: '1234567890',
      status: 'fetched' as const,
      request: { platform: 'meta' as const, leadgenId: '1234567890' },
      receivedAt: '2026-03-02T10:14:00.000Z',
      rawDelivery: '{"entry":[]}',
      attempts: 0,
      leadId,
    };
    await deps.intakes.recordDelivery(record);
    expect((await exportOf(deps, leadId, admin)).body.intakeRecords).toEqual([record]);
    await erase(deps, leadId, admin);
    const { rawDelivery: _raw, ...scrubbed } = record;
    expect((await exportOf(deps, leadId, admin)).body.intakeRecords).toEqual([scrubbed]);
  });

  it('includes the platform deliveries that only touched the lead (the person posted the form, then came through Meta), and the erasure takes their raw delivery', async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, ada);
    const touch = await metaDeliveryFrom(deps, '5545971704564155', ada.email);
    expect(touch.leadId).toBe(leadId);
    const other = await metaDeliveryFrom(deps, '5545971704564156', 'grace@example.com');
    expect(other.leadId).not.toBe(leadId);
    const touched = {
      platform: 'meta',
      platformLeadId: '5545971704564155',
      status: 'fetched',
      request: expect.objectContaining({ platform: 'meta', leadgenId: '5545971704564155' }),
      receivedAt: '2026-03-02T10:15:00.000Z',
      attempts: 0,
      leadId,
      resolvedAt: '2026-03-02T10:15:00.000Z',
    };
    expect((await exportOf(deps, leadId, admin)).body.intakeRecords).toEqual([{ ...touched, rawDelivery: touch.body }]);

    expect((await erase(deps, leadId, admin)).body).toMatchObject({ alreadyErased: false });
    expect((await exportOf(deps, leadId, admin)).body.intakeRecords).toEqual([touched]);
    expect(deps.intakes.records.get('INTAKE#meta#5545971704564156')?.rawDelivery).toBe(other.body);
  });

  it('is for admins only', async () => {
    const deps = depsWithConsentForm();
    const leadId = await capture(deps, ada);
    expect((await exportOf(deps, leadId, manager)).status).toBe(403);
    expect((await exportOf(deps, leadId, rep)).status).toBe(403);
    expect((await exportOf(deps, leadId)).status).toBe(401);
    expect(await exportOf(deps, 'no-such-lead', admin)).toEqual({ status: 404, body: { error: 'Lead "no-such-lead" does not exist' } });
    expect(await exportOf(deps, 'n'.repeat(100), admin)).toEqual({ status: 404, body: { error: `Lead "${'n'.repeat(40)}…" does not exist` } });
  });
});

import { describe, expect, it } from 'vitest';
import {
  afterFailedFetch,
  deliveryDedupKey,
  erasePersonFromLead,
  erasedIntakeRecord,
  fetchFailedEvent,
  leadIntakeRecordSchema,
  newIntakeRecord,
  platformLeadOfDeliveryKey,
  prepareIntake,
  retryDelayMs,
  routeOfRequest,
  submissionFromFetchedLead,
  type PlatformLeadRequest,
} from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';
import { sampleLinkedInLead, sampleMetaLead, sampleTikTokLead } from '../../support/fake-platforms';

const now = new Date('2026-03-02T10:15:00.000Z');
const metaRequest: PlatformLeadRequest = { platform: 'meta', leadgenId: '55459717045641545', formId: '172036835026334', pageId: '138124712925158' };

describe('pending intake records', () => {
  it('drop the advertiser id a TikTok delivery sent, from records stored before it was taken from configuration only', () => {
    const stored = { ...newIntakeRecord({ platform: 'tiktok', leadId: 'L1', pageId: 'P1' }, now), request: { platform: 'tiktok', leadId: 'L1', pageId: 'P1', advertiserId: '666' } };
    expect(leadIntakeRecordSchema.parse(stored).request).toEqual({ platform: 'tiktok', leadId: 'L1', pageId: 'P1' });
  });

  it('start pending, due a minute after they arrive', () => {
    expect(newIntakeRecord(metaRequest, now)).toEqual({
      platform: 'meta',
      platformLeadId: '55459717045641545',
      status: 'pending_fetch',
      request: metaRequest,
      receivedAt: '2026-03-02T10:15:00.000Z',
      attempts: 0,
      nextAttemptAt: '2026-03-02T10:16:00.000Z',
    });
  });

  it('keep the raw body they came in, unless it is a large batch', () => {
    expect(newIntakeRecord(metaRequest, now, '{"object":"page"}').rawDelivery).toBe('{"object":"page"}');
    expect(newIntakeRecord(metaRequest, now, 'x'.repeat(16 * 1024 + 1))).not.toHaveProperty('rawDelivery');
  });

  it('back off 1, 2, 4, 8 … minutes after each failure, and stay at an hour forever', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50].map((attempts) => retryDelayMs(attempts) / 60_000)).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
    let record = newIntakeRecord(metaRequest, now);
    record = afterFailedFetch(record, 'The Meta Graph API answered HTTP 503', now);
    expect(record).toMatchObject({ attempts: 1, lastError: 'The Meta Graph API answered HTTP 503', lastAttemptAt: '2026-03-02T10:15:00.000Z', nextAttemptAt: '2026-03-02T10:16:00.000Z', status: 'pending_fetch' });
    record = afterFailedFetch(record, 'again', new Date('2026-03-02T10:16:00.000Z'));
    expect(record).toMatchObject({ attempts: 2, nextAttemptAt: '2026-03-02T10:18:00.000Z' });
  });

  it('announce each failure as lead.fetch_failed', () => {
    const failed = afterFailedFetch(newIntakeRecord(metaRequest, now), 'timeout', now);
    expect(fetchFailedEvent(failed, 'evt-1', now)).toEqual({
      type: 'lead.fetch_failed',
      time: '2026-03-02T10:15:00.000Z',
      detail: { eventId: 'evt-1', sourceKind: 'meta', platformLeadId: '55459717045641545', attempts: 1, nextAttemptAt: '2026-03-02T10:16:00.000Z', error: 'timeout', failedAt: '2026-03-02T10:15:00.000Z' },
    });
  });

  it('can be created erased, never due', () => {
    const linkedIn: PlatformLeadRequest = { platform: 'linkedin', responseId: 'r1', responseUrn: 'urn:li:leadGenFormResponse:r1', formId: '1234567' };
    expect(erasedIntakeRecord(linkedIn, now, 'gone')).toMatchObject({ status: 'erased', statusReason: 'gone', resolvedAt: now.toISOString(), nextAttemptAt: undefined });
  });

  it('are found from the delivery keys of their platform leads', () => {
    expect(platformLeadOfDeliveryKey(deliveryDedupKey('meta', undefined, '55459717045641545'))).toEqual({ platform: 'meta', platformLeadId: '55459717045641545' });
    expect(platformLeadOfDeliveryKey('delivery#linkedin#page-1#r#1')).toEqual({ platform: 'linkedin', platformLeadId: 'r#1' });
    for (const key of ['delivery#generic#partner-acme#evt-1', 'delivery#import#spring#row-2', 'email#ada@example.com', 'delivery#meta##']) expect(platformLeadOfDeliveryKey(key)).toBeUndefined();
  });
});

describe('reading a fetched lead through its configured route', () => {
  const { integrations } = demoConfiguration();

  it('routes Meta, LinkedIn and TikTok leads by their form', () => {
    expect(submissionFromFetchedLead(integrations, metaRequest, sampleMetaLead('55459717045641545'))).toMatchObject({
      ok: true,
      includeTestLeads: false,
      submission: { sourceKind: 'meta', poolId: 'americas-inbound', channel: 'meta-ads' },
    });
    const linkedIn: PlatformLeadRequest = { platform: 'linkedin', responseId: 'test-r1', responseUrn: 'urn:li:leadGenFormResponse:test-r1', formId: '1234567' };
    expect(submissionFromFetchedLead(integrations, linkedIn, sampleLinkedInLead('test-r1'))).toMatchObject({
      ok: true,
      submission: { sourceKind: 'linkedin', poolId: 'emea-inbound', isTest: true, contact: { name: 'Lin Kedin' } },
    });
    const tiktok: PlatformLeadRequest = { platform: 'tiktok', leadId: 'T1', pageId: '7410000000000000001' };
    expect(submissionFromFetchedLead(integrations, tiktok, sampleTikTokLead('T1', '7410000000000000001'))).toMatchObject({ ok: true, submission: { sourceKind: 'tiktok', channel: 'tiktok-ads' } });
  });

  it('says why a lead cannot be routed: an unknown form, a platform not configured', () => {
    expect(routeOfRequest(integrations, { ...metaRequest, formId: '1' })).toEqual({ ok: false, problem: 'Meta form 1 is not listed in integrations.meta.forms' });
    expect(routeOfRequest({}, { platform: 'tiktok', leadId: 'T', pageId: 'P' })).toEqual({ ok: false, problem: 'TikTok lead generation is not configured (integrations.tiktok)' });
    // A Meta webhook without form_id is routed by the form of the lead read back.
    expect(submissionFromFetchedLead(integrations, { platform: 'meta', leadgenId: 'L1' }, sampleMetaLead('L1'))).toMatchObject({ ok: true, submission: { formId: '172036835026334' } });
    // So is a LinkedIn notification without leadGenForm, by the form URN of the lead read back.
    const withoutForm: PlatformLeadRequest = { platform: 'linkedin', responseId: 'r2', responseUrn: 'urn:li:leadGenFormResponse:r2' };
    expect(submissionFromFetchedLead(integrations, withoutForm, sampleLinkedInLead('r2'))).toMatchObject({ ok: true, submission: { formId: '1234567', poolId: 'emea-inbound' } });
  });
});

describe('routing a TikTok lead read back', () => {
  it("goes by the page id of the lead read back, which TikTok's API vouches for, else the trigger's", () => {
    const integrations = structuredClone(demoConfiguration().integrations);
    integrations.tiktok!.forms.push({ ...integrations.tiktok!.forms[0], pageId: '7410000000000000002', poolId: 'emea-inbound' });
    const trigger: PlatformLeadRequest = { platform: 'tiktok', leadId: 'T1', pageId: '7410000000000000001' };
    expect(submissionFromFetchedLead(integrations, trigger, sampleTikTokLead('T1', '7410000000000000002'))).toMatchObject({ ok: true, submission: { poolId: 'emea-inbound', formId: '7410000000000000002' } });
    const { page_id: _pageId, ...withoutPage } = sampleTikTokLead('T1', 'unused').data.meta_data;
    const answered = { ...sampleTikTokLead('T1', 'unused'), data: { ...sampleTikTokLead('T1', 'unused').data, meta_data: withoutPage } };
    expect(submissionFromFetchedLead(integrations, trigger, answered)).toMatchObject({ ok: true, submission: { poolId: 'americas-inbound', formId: '7410000000000000001' } });
    expect(submissionFromFetchedLead(integrations, trigger, sampleTikTokLead('T1', '999'))).toEqual({ ok: false, problem: 'TikTok instant form 999 is not listed in integrations.tiktok.forms' });
  });
});

describe('erasing a person from a lead', () => {
  it('clears contact and answers, drops IP and user agent from consent, marks it invalid and names the person keys', () => {
    const { lead } = prepareIntake(
      {
        sourceKind: 'linkedin',
        channel: 'linkedin-ads',
        poolId: 'emea-inbound',
        defaultCountry: 'GB',
        contact: { name: 'Lin', email: 'lin@example.com', phone: '+442071838751' },
        answers: { company_size: '10' },
        attribution: { lastTouch: { campaign_id: '1' } },
        consent: { text: 'ok', version: 'v1', givenAt: now.toISOString(), ip: '203.0.113.9', userAgent: 'Firefox' },
        platformLeadId: 'r1',
        isTest: false,
      },
      { leadId: 'lead-1', eventId: 'e1', touchEventId: 't1' },
      now,
      demoConfiguration(),
    );
    const erasure = erasePersonFromLead(lead, { at: '2026-03-03T00:00:00.000Z', eventId: 'e2' })!;
    expect(erasure.lead).toMatchObject({
      contact: {},
      answers: {},
      status: 'invalid',
      statusReason: "erased at the person's request",
      consent: { text: 'ok', version: 'v1', givenAt: now.toISOString() },
      updatedAt: '2026-03-03T00:00:00.000Z',
    });
    expect(erasure.lead.consent).not.toHaveProperty('ip');
    expect(erasure.personKeys).toEqual(['email#lin@example.com', 'phone#+442071838751']);
    expect(erasure.event).toEqual({
      type: 'lead.erased',
      time: '2026-03-03T00:00:00.000Z',
      detail: { eventId: 'e2', leadId: 'lead-1', sourceKind: 'linkedin', reason: "erased at the person's request", erasedAt: '2026-03-03T00:00:00.000Z' },
    });
    expect(erasePersonFromLead(erasure.lead, { at: '2026-03-04T00:00:00.000Z', eventId: 'e3' })).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { googleIngestBody, metaConversionsBody, plannedConversionFeedback, type ConversionFeedbackConfiguration, type Lead } from '@leadflow/domain';
import { createHandler as createQueue } from '../../../functions/queue-conversion-feedback/handler';
import { createHandler as createSend } from '../../../functions/send-conversion-feedback/handler';
import { fakeDependencies } from '../../support/fakes';
import { busEvent, lambdaContext } from '../../support/api-gateway-events';
import { fixtureLeadRecords } from '../../fixtures/channel-roi/hand-computed';

type Deps = ReturnType<typeof fakeDependencies>;
/** Beyond 2^53: `Number` would turn it into …992. */
const metaLeadId = '9007199254740993';
const feedbackConfig: ConversionFeedbackConfiguration = {
  meta: { enabled: true, datasetId: '1122334455667788', apiVersion: 'v26.0', leadEventSource: 'Northwind Leadflow', stageNames: { qualified: 'Qualified Lead', converted: 'Converted' } },
  google: { enabled: true, operatingAccountId: '1234567890', conversionActions: { qualified: '6001', converted: '6002' } },
};

const metaLead: Lead = { ...fixtureLeadRecords[0].lead, leadId: 'lead-meta', source: { kind: 'meta', platformLeadId: metaLeadId } };
const googleLead: Lead = { ...fixtureLeadRecords[4].lead, leadId: 'lead-google', source: { kind: 'google' }, attribution: { firstTouch: { gclid: 'EAIaIQob-1' }, lastTouch: { gclid: 'EAIaIQob-2' } } };

function world(): Deps {
  const deps = fakeDependencies(new Date('2026-03-20T18:00:00.000Z'));
  deps.config.channelRoi.platformFeedback = structuredClone(feedbackConfig);
  for (const lead of [metaLead, googleLead]) deps.store.leads.set(lead.leadId, lead);
  return deps;
}

const lifecycle = (lead: Lead) => ({ eventId: `${lead.leadId}-e`, leadId: lead.leadId, poolId: lead.poolId, channel: lead.channel, capturedAt: lead.capturedAt, by: 'rep-ava' });
const converted = (lead: Lead) =>
  busEvent('lead.converted', { ...lifecycle(lead), revenue: lead.conversion!.revenue, currency: lead.conversion!.currency, wonAt: lead.conversion!.wonAt, convertedAt: lead.conversion!.wonAt });
const qualified = (lead: Lead) => busEvent('lead.status_changed', { ...lifecycle(lead), from: 'contacted', to: 'qualified', changedAt: '2026-03-11T12:00:00.000Z' });
const queue = (deps: Deps, event: unknown) => createQueue(() => deps)(event, lambdaContext);
const send = (deps: Deps, time: string) => createSend(() => deps)({ scheduleName: 'send-conversion-feedback', time });

describe('conversion feedback payloads', () => {
  it('writes Meta’s lead_id as the exact digits of a 16-digit id, with system_generated and the CRM stage', () => {
    const [item] = plannedConversionFeedback(metaLead, 'converted', '2026-03-12T15:00:00.000Z', feedbackConfig);
    const body = metaConversionsBody([item], feedbackConfig.meta!, 'token-1');
    expect(body).toContain(`"user_data":{"lead_id":${metaLeadId}}`);
    expect(JSON.parse(body)).toMatchObject({
      access_token: 'token-1',
      data: [
        {
          event_name: 'Converted',
          event_time: 1773327600,
          action_source: 'system_generated',
          event_id: 'lead-meta:converted',
          custom_data: { event_source: 'crm', lead_event_source: 'Northwind Leadflow', value: 1200, currency: 'USD' },
        },
      ],
    });
  });

  it('keys Google on the last touch’s gclid, with value and currency, to the stage’s conversion action', () => {
    const items = plannedConversionFeedback(googleLead, 'converted', '2026-03-20T18:00:00.000Z', feedbackConfig);
    expect(items.map((item) => item.platform)).toEqual(['google']);
    expect(googleIngestBody(items, feedbackConfig.google!, 'converted')).toEqual({
      destinations: [{ operatingAccount: { accountType: 'GOOGLE_ADS', accountId: '1234567890' }, productDestinationId: '6002' }],
      events: [{ eventTimestamp: '2026-03-20T18:00:00.000Z', transactionId: 'lead-google:converted', adIdentifiers: { gclid: 'EAIaIQob-2' }, conversionValue: 500, currency: 'EUR', eventSource: 'OTHER' }],
    });
  });

  it('plans nothing for a platform that is off, or for a lead it did not bring', () => {
    expect(plannedConversionFeedback(metaLead, 'qualified', '2026-03-11T12:00:00.000Z', {})).toEqual([]);
    expect(plannedConversionFeedback({ ...metaLead, source: { kind: 'web_form' } }, 'qualified', '2026-03-11T12:00:00.000Z', feedbackConfig)).toEqual([]);
  });
});

describe('queue-conversion-feedback and send-conversion-feedback', () => {
  it('queues each stage once, however often the event comes, and sends due conversions in one batch per platform and action', async () => {
    const deps = world();
    for (const event of [
      converted(metaLead),
      converted(metaLead),
      qualified(metaLead),
      converted(googleLead),
      busEvent('lead.status_changed', { ...lifecycle(metaLead), from: 'new', to: 'contacted', changedAt: '2026-03-11T12:00:00.000Z' }),
    ]) {
      await queue(deps, event);
    }
    expect([...deps.feedback.pending.keys()].sort()).toEqual(['google lead-google:converted', 'meta lead-meta:converted', 'meta lead-meta:qualified']);
    expect(await send(deps, '2026-03-20T18:01:00.000Z')).toEqual({ sent: 3, retrying: 0, deadLettered: 0 });
    expect(deps.feedbackSender.requests.map((request) => [request.platform, request.target])).toEqual([
      ['meta', 'v26.0/1122334455667788'],
      ['google', 'local-only-google-data-manager-token'],
    ]);
    expect(
      JSON.parse(deps.feedbackSender.requests[0].body)
        .data.map((event: { event_id: string }) => event.event_id)
        .sort(),
    ).toEqual(['lead-meta:converted', 'lead-meta:qualified']);
    // Sent means sent: a redelivered event queues nothing.
    await queue(deps, converted(metaLead));
    expect(deps.feedback.pending.size).toBe(0);
  });

  it('retries a platform that is down with growing waits, then dead-letters; a refused batch is retried one by one', async () => {
    const deps = world();
    await queue(deps, converted(metaLead));
    deps.feedbackSender.answers.push({ ok: false, status: 503, error: 'Meta Conversions API answered HTTP 503' });
    expect(await send(deps, '2026-03-20T18:01:00.000Z')).toEqual({ sent: 0, retrying: 1, deadLettered: 0 });
    expect(deps.feedback.pending.get('meta lead-meta:converted')).toMatchObject({ attempts: 1, dueAt: '2026-03-20T18:02:00.000Z', lastError: 'Meta Conversions API answered HTTP 503' });
    expect(await send(deps, '2026-03-20T18:01:30.000Z')).toEqual({ sent: 0, retrying: 0, deadLettered: 0 });
    // Attempts 2 to 8, each when due (waits of 2, 4 … 60 minutes: two hours apart is always late enough).
    for (let attempt = 2; attempt <= 8; attempt += 1) {
      deps.feedbackSender.answers.push({ ok: false, status: 0, error: 'no answer' });
      expect(await send(deps, new Date(Date.parse('2026-03-20T18:00:00.000Z') + attempt * 2 * 3600_000).toISOString())).toEqual({ sent: 0, retrying: attempt < 8 ? 1 : 0, deadLettered: attempt < 8 ? 0 : 1 });
    }
    expect(deps.feedback.dead.get('meta lead-meta:converted')).toMatchObject({ attempts: 8, lastError: 'no answer' });

    const refused = world();
    await queue(refused, converted(metaLead));
    await queue(refused, qualified(metaLead));
    refused.feedbackSender.answers.push({ ok: false, status: 400, error: 'invalid' }, { ok: true }, { ok: false, status: 400, error: 'Meta Conversions API answered HTTP 400: Invalid parameter' });
    expect(await send(refused, '2026-03-20T18:01:00.000Z')).toEqual({ sent: 1, retrying: 0, deadLettered: 1 });
    expect(refused.feedbackSender.requests.map((request) => JSON.parse(request.body).data.length)).toEqual([2, 1, 1]);
  });

  it('does nothing while both platforms are off', async () => {
    const deps = world();
    deps.config.channelRoi.platformFeedback = {};
    await queue(deps, converted(metaLead));
    expect(await send(deps, '2026-03-20T18:01:00.000Z')).toEqual({ sent: 0, retrying: 0, deadLettered: 0 });
    expect(deps.feedback.pending.size + deps.feedbackSender.requests.length).toBe(0);
  });
});

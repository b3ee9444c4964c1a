import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  afterFailedFeedback,
  conversionFeedbackSchemaItem,
  erasePersonFromLead,
  feedbackRefusal,
  googleIngestBody,
  metaConversionsBody,
  plannedConversionFeedback,
  type ConversionFeedbackConfiguration,
  type Lead,
} from '@leadflow/domain';
import { logger, type FeedbackSendResult } from '@leadflow/platform';
import { createHandler as createQueue } from '../../../functions/queue-conversion-feedback/handler';
import { createHandler as createSend } from '../../../functions/send-conversion-feedback/handler';
import { fakeDependencies } from '../../support/fakes';
import { busEvent, lambdaContext } from '../../support/api-gateway-events';
import { fixtureLeadRecords } from '../../fixtures/channel-roi/hand-computed';

type Deps = ReturnType<typeof fakeDependencies>;
/** Beyond 2^53: `Number` would turn it into …992. */
const metaLeadId = '9007199254740993';
const feedbackConfig: ConversionFeedbackConfiguration = {
  meta: { enabled: true, datasetId: '1122334455667788', apiVersion: 'v26.0', leadEventSource: 'Northwind Leadflow', stageNames: { lead: 'Lead', qualified: 'Qualified Lead', converted: 'Converted' } },
  google: { enabled: true, operatingAccountId: '1234567890', conversionActions: { qualified: '6001', converted: '6002' } },
};

const metaLead: Lead = { ...fixtureLeadRecords[0].lead, leadId: 'lead-meta', source: { kind: 'meta', platformLeadId: metaLeadId } };
const googleLead: Lead = { ...fixtureLeadRecords[4].lead, leadId: 'lead-google', source: { kind: 'google' }, attribution: { firstTouch: { gclid: 'EAIaIQob-1' }, lastTouch: { gclid: 'EAIaIQob-2' } } };
const secondGoogleLead: Lead = { ...googleLead, leadId: 'lead-google-2', attribution: { lastTouch: { gclid: 'EAIaIQob-3' } } };

/** The leads stored; the Meta lead's first stage already went out when it was captured, unless `firstStageSent` is false. */
function world({ firstStageSent = true } = {}): Deps {
  const deps = fakeDependencies(new Date('2026-03-20T18:00:00.000Z'));
  deps.config.channelRoi.platformFeedback = structuredClone(feedbackConfig);
  for (const lead of [metaLead, googleLead, secondGoogleLead]) deps.store.leads.set(lead.leadId, lead);
  if (firstStageSent) for (const item of plannedConversionFeedback(metaLead, 'lead', metaLead.capturedAt, feedbackConfig)) deps.feedback.sent.set(`meta ${item.feedbackId}`, item);
  return deps;
}

const lifecycle = (lead: Lead) => ({ eventId: `${lead.leadId}-e`, leadId: lead.leadId, poolId: lead.poolId, channel: lead.channel, capturedAt: lead.capturedAt, by: 'rep-ava' });
const converted = (lead: Lead) =>
  busEvent('lead.converted', { ...lifecycle(lead), revenue: lead.conversion!.revenue, currency: lead.conversion!.currency, wonAt: lead.conversion!.wonAt, convertedAt: lead.conversion!.wonAt });
const qualified = (lead: Lead) => busEvent('lead.status_changed', { ...lifecycle(lead), from: 'contacted', to: 'qualified', changedAt: '2026-03-11T12:00:00.000Z' });
const captured = (lead: Lead, detail: { status?: 'new' | 'invalid'; isTest?: boolean } = {}) =>
  busEvent('lead.captured', {
    eventId: `${lead.leadId}-c`,
    leadId: lead.leadId,
    status: 'new',
    isTest: false,
    sourceKind: lead.source.kind,
    poolId: lead.poolId,
    channel: lead.channel,
    capturedAt: lead.capturedAt,
    ...detail,
  });
const queue = (deps: Deps, event: unknown) => createQueue(() => deps)(event, lambdaContext);
const send = (deps: Deps, time: string, context: Pick<typeof lambdaContext, 'getRemainingTimeInMillis'> = lambdaContext) => createSend(() => deps)({ scheduleName: 'send-conversion-feedback', time }, context);

describe('conversion feedback payloads', () => {
  it('writes Meta’s lead_id as the exact digits of a 16-digit id, with system_generated and the CRM stage', () => {
    const item = plannedConversionFeedback(metaLead, 'converted', '2026-03-12T15:00:00.000Z', feedbackConfig).find((planned) => planned.stage === 'converted')!;
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

  it('reports nothing of a test lead that was worked to a later stage, to either platform', () => {
    for (const stage of ['qualified', 'converted'] as const) {
      expect(plannedConversionFeedback({ ...googleLead, isTest: true }, stage, '2026-03-20T18:00:00.000Z', feedbackConfig)).toEqual([]);
      expect(plannedConversionFeedback({ ...metaLead, isTest: true }, stage, '2026-03-20T18:00:00.000Z', feedbackConfig)).toEqual([]);
    }
    expect(plannedConversionFeedback(googleLead, 'qualified', '2026-03-20T18:00:00.000Z', feedbackConfig)).toHaveLength(1);
  });

  it('sends a sale in a three-decimal currency with its three decimals, as Meta’s value and Google’s conversionValue take any decimal', () => {
    const kwd = (lead: Lead) => ({ ...lead, conversion: { ...lead.conversion!, revenue: 12.345, currency: 'KWD' } });
    const meta = plannedConversionFeedback(kwd(metaLead), 'converted', '2026-03-12T15:00:00.000Z', feedbackConfig).filter((planned) => planned.stage === 'converted');
    expect(metaConversionsBody(meta, feedbackConfig.meta!, 'token-1')).toContain('"value":12.345,"currency":"KWD"');
    const google = plannedConversionFeedback(kwd(googleLead), 'converted', '2026-03-20T18:00:00.000Z', feedbackConfig);
    expect(JSON.stringify(googleIngestBody(google, feedbackConfig.google!, 'converted'))).toContain('"conversionValue":12.345,"currency":"KWD"');
  });

  it('keys Google on a gbraid or wbraid when the touch has no gclid: gclid first, then gbraid, never both braids', () => {
    const ingested = (attribution: Lead['attribution']) => {
      const items = plannedConversionFeedback({ ...googleLead, attribution }, 'qualified', '2026-03-20T18:00:00.000Z', feedbackConfig);
      return (googleIngestBody(items, feedbackConfig.google!, 'qualified').events as Array<{ adIdentifiers: unknown }>).map((event) => event.adIdentifiers);
    };
    expect(ingested({ lastTouch: { gbraid: 'gb-1' } })).toEqual([{ gbraid: 'gb-1' }]);
    expect(ingested({ firstTouch: { wbraid: 'wb-1' } })).toEqual([{ wbraid: 'wb-1' }]);
    expect(ingested({ lastTouch: { gbraid: 'gb-1', wbraid: 'wb-1' } })).toEqual([{ gbraid: 'gb-1' }]);
    expect(ingested({ lastTouch: { wbraid: 'wb-1', gclid: 'EAIaIQob-2' } })).toEqual([{ gclid: 'EAIaIQob-2' }]);
    // The last touch's click, as for a gclid; the first touch's only when the last has none.
    expect(ingested({ firstTouch: { gclid: 'EAIaIQob-1' }, lastTouch: { wbraid: 'wb-2' } })).toEqual([{ wbraid: 'wb-2' }]);
    expect(ingested({ firstTouch: { gbraid: 'gb-1' }, lastTouch: { utm_source: 'google' } })).toEqual([{ gbraid: 'gb-1' }]);
    expect(ingested({ lastTouch: { fbclid: 'fb-1' } })).toEqual([]);
    expect(plannedConversionFeedback({ ...googleLead, attribution: { lastTouch: { gbraid: 'gb-1' } } }, 'qualified', '2026-03-20T18:00:00.000Z', feedbackConfig)).toEqual([
      { platform: 'google', feedbackId: 'lead-google:qualified', leadId: 'lead-google', stage: 'qualified', occurredAt: '2026-03-20T18:00:00.000Z', dueAt: '2026-03-20T18:00:00.000Z', gbraid: 'gb-1', attempts: 0 },
    ]);
  });

  it('still sends a Google conversion queued before braids were reported, which holds its gclid', () => {
    const queuedBefore = conversionFeedbackSchemaItem.parse({
      platform: 'google',
      feedbackId: 'lead-google:qualified',
      leadId: 'lead-google',
      stage: 'qualified',
      occurredAt: '2026-03-20T18:00:00.000Z',
      gclid: 'EAIaIQob-2',
      attempts: 3,
      dueAt: '2026-03-20T18:07:00.000Z',
    });
    expect(googleIngestBody([queuedBefore], feedbackConfig.google!, 'qualified').events).toEqual([
      { eventTimestamp: '2026-03-20T18:00:00.000Z', transactionId: 'lead-google:qualified', adIdentifiers: { gclid: 'EAIaIQob-2' }, eventSource: 'OTHER' },
    ]);
  });

  it('plans Meta’s first CRM stage for a new Meta lead, at its capture, and none for Google', () => {
    const items = plannedConversionFeedback({ ...metaLead, attribution: googleLead.attribution }, 'lead', metaLead.capturedAt, feedbackConfig);
    expect(items).toEqual([{ platform: 'meta', feedbackId: 'lead-meta:lead', leadId: 'lead-meta', stage: 'lead', occurredAt: metaLead.capturedAt, dueAt: metaLead.capturedAt, metaLeadId, attempts: 0 }]);
    expect(JSON.parse(metaConversionsBody(items, feedbackConfig.meta!, 'token-1')).data[0]).toMatchObject({ event_name: 'Lead', event_id: 'lead-meta:lead', event_time: Date.parse(metaLead.capturedAt) / 1000 });
    expect(plannedConversionFeedback(googleLead, 'lead', googleLead.capturedAt, feedbackConfig)).toEqual([]);
  });

  it('plans Meta’s first stage ahead of a later one, due first, in case it was never queued', () => {
    const items = plannedConversionFeedback(metaLead, 'qualified', '2026-03-11T12:00:00.000Z', feedbackConfig);
    expect(items.map((item) => [item.feedbackId, item.dueAt])).toEqual([
      ['lead-meta:lead', metaLead.capturedAt],
      ['lead-meta:qualified', '2026-03-11T12:00:00.000Z'],
    ]);
  });

  it('plans nothing for a platform that is off, or for a lead it did not bring', () => {
    expect(plannedConversionFeedback(metaLead, 'qualified', '2026-03-11T12:00:00.000Z', {})).toEqual([]);
    expect(plannedConversionFeedback({ ...metaLead, source: { kind: 'web_form' } }, 'qualified', '2026-03-11T12:00:00.000Z', feedbackConfig)).toEqual([]);
  });

  it('plans nothing for an erased lead, though it keeps its Meta lead id, nor for one judged invalid', () => {
    const erased = erasePersonFromLead(metaLead, { at: '2026-03-12T09:00:00.000Z', eventId: 'erased-1' })!.lead;
    expect(erased.source.platformLeadId).toBe(metaLeadId);
    for (const stage of ['lead', 'qualified', 'converted'] as const) expect(plannedConversionFeedback(erased, stage, '2026-03-12T10:00:00.000Z', feedbackConfig)).toEqual([]);
    expect(plannedConversionFeedback({ ...googleLead, status: 'invalid', statusReason: 'spam' }, 'converted', '2026-03-12T10:00:00.000Z', feedbackConfig)).toEqual([]);
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

  it('reports a sale when it was recorded (the stage change), not on the earlier day it was dated as won', async () => {
    const deps = world();
    const wonAt = '2026-03-01T09:00:00.000Z';
    const convertedAt = '2026-03-20T17:59:00.000Z';
    for (const lead of [metaLead, googleLead]) await queue(deps, busEvent('lead.converted', { ...lifecycle(lead), revenue: 1200, currency: 'USD', wonAt, convertedAt }));
    expect([...deps.feedback.pending.values()].map((item) => [item.platform, item.occurredAt])).toEqual([
      ['meta', convertedAt],
      ['google', convertedAt],
    ]);
    // Nineteen days after the sale was won, Meta still takes it: it is one minute after the stage change.
    expect(await send(deps, '2026-03-20T18:00:00.000Z')).toEqual({ sent: 2, retrying: 0, deadLettered: 0 });
    expect(JSON.parse(deps.feedbackSender.requests[0].body).data[0]).toMatchObject({ event_name: 'Converted', event_time: Date.parse(convertedAt) / 1000 });
  });

  it('queues Meta’s first stage once for a new lead, however often its capture is announced, and none for an invalid or test lead', async () => {
    const deps = world({ firstStageSent: false });
    for (const event of [captured(metaLead), captured(metaLead), captured(googleLead)]) await queue(deps, event);
    expect([...deps.feedback.pending.keys()]).toEqual(['meta lead-meta:lead']);
    expect(await send(deps, '2026-03-20T18:01:00.000Z')).toEqual({ sent: 1, retrying: 0, deadLettered: 0 });
    expect(JSON.parse(deps.feedbackSender.requests[0].body).data.map((event: { event_name: string }) => event.event_name)).toEqual(['Lead']);
    await queue(deps, captured(metaLead));
    expect(deps.feedback.pending.size).toBe(0);

    const unrouted = world({ firstStageSent: false });
    for (const event of [captured(metaLead, { status: 'invalid' }), captured(metaLead, { isTest: true })]) await queue(unrouted, event);
    expect(unrouted.feedback.pending.size).toBe(0);
  });

  it('queues nothing for a lead erased before its event is consumed, and the erasure takes away what was queued', async () => {
    const deps = world({ firstStageSent: false });
    const erase = (leadId: string) => deps.store.erasePerson({ leadId, erase: (lead) => erasePersonFromLead(lead, { at: '2026-03-20T17:00:00.000Z', eventId: `${leadId}-erased` }) });
    await queue(deps, qualified(googleLead));
    await queue(deps, qualified(secondGoogleLead));
    expect([...deps.feedback.pending.keys()]).toEqual(['google lead-google:qualified', 'google lead-google-2:qualified']);
    await erase(metaLead.leadId);
    await erase(googleLead.leadId);
    for (const event of [captured(metaLead), qualified(metaLead), converted(metaLead)]) await queue(deps, event);
    expect([...deps.feedback.pending.keys()]).toEqual(['google lead-google-2:qualified']);
    expect(await send(deps, '2026-03-20T18:01:00.000Z')).toEqual({ sent: 1, retrying: 0, deadLettered: 0 });
    expect(deps.feedbackSender.requests.map((request) => request.body).join()).not.toMatch(new RegExp(`${metaLeadId}|EAIaIQob-2`));
  });

  it('does not write back a conversion whose lead was erased while it was being sent, whether the platform took it or not', async () => {
    for (const answer of [{ ok: true as const }, { ok: false as const, status: 503, error: 'Meta Conversions API answered HTTP 503' }, { ok: false as const, status: 400, error: 'invalid' }]) {
      const deps = world();
      await queue(deps, converted(metaLead));
      // The platform answers after the person was erased.
      vi.spyOn(deps.feedbackSender, 'meta').mockImplementation(async () => {
        await deps.store.erasePerson({ leadId: metaLead.leadId, erase: (lead) => erasePersonFromLead(lead, { at: '2026-03-20T18:00:30.000Z', eventId: 'erased-mid-send' }) });
        return answer;
      });
      await send(deps, '2026-03-20T18:01:00.000Z');
      expect(await deps.feedback.feedbackFor(metaLead.leadId)).toEqual([]);
    }
  });

  it('sends the first stage before the qualified one though the lead was qualified before its capture was queued', async () => {
    const deps = world({ firstStageSent: false });
    await queue(deps, qualified(metaLead));
    await queue(deps, captured(metaLead));
    expect(await send(deps, '2026-03-20T18:01:00.000Z')).toEqual({ sent: 2, retrying: 0, deadLettered: 0 });
    expect(JSON.parse(deps.feedbackSender.requests[0].body).data.map((event: { event_name: string }) => event.event_name)).toEqual(['Lead', 'Qualified Lead']);
  });

  /** Sends whenever the first pending conversion is due, each send answered by `answer`, until none is pending or `until`; the runs made. */
  async function sendWhenDue(deps: Deps, answer: () => FeedbackSendResult, until = '9999-12-31T00:00:00.000Z') {
    const runs: Array<{ at: string; sent: number; retrying: number; deadLettered: number }> = [];
    const nextDue = () => [...deps.feedback.pending.values()].map((item) => item.dueAt).sort()[0];
    for (let next = nextDue(); next && next < until; next = nextDue()) {
      deps.feedbackSender.answers.push(answer());
      runs.push({ at: next, ...(await send(deps, next)) });
    }
    return runs;
  }

  it('retries a platform that is down with growing waits, capped at an hour, for as long as Meta takes the event (7 days), then dead-letters; a refused batch is retried one by one', async () => {
    const deps = world();
    await queue(deps, converted(metaLead));
    deps.feedbackSender.answers.push({ ok: false, status: 503, error: 'Meta Conversions API answered HTTP 503' });
    // The lead was won at 2026-03-12T15:00; Meta discards an event_time more than 7 days old.
    expect(await send(deps, '2026-03-12T15:01:00.000Z')).toEqual({ sent: 0, retrying: 1, deadLettered: 0 });
    expect(deps.feedback.pending.get('meta lead-meta:converted')).toMatchObject({ attempts: 1, dueAt: '2026-03-12T15:02:00.000Z', lastError: 'Meta Conversions API answered HTTP 503' });
    expect(await send(deps, '2026-03-12T15:01:30.000Z')).toEqual({ sent: 0, retrying: 0, deadLettered: 0 });
    const runs = await sendWhenDue(deps, () => ({ ok: false, status: 0, error: 'no answer' }));
    expect(runs.slice(0, 7).map((run) => run.at)).toEqual(['15:02', '15:04', '15:08', '15:16', '15:32', '16:04', '17:04'].map((time) => `2026-03-12T${time}:00.000Z`));
    // Still tried after the two hours of eight tries, hourly, until the last try before the window closes.
    expect(runs.filter((run) => run.retrying === 1)).toHaveLength(runs.length - 1);
    expect(runs.at(-1)).toEqual({ at: '2026-03-19T14:04:00.000Z', sent: 0, retrying: 0, deadLettered: 1 });
    expect(deps.feedback.dead.get('meta lead-meta:converted')).toMatchObject({ attempts: runs.length + 1, lastError: 'no answer' });
    expect(deps.feedback.pending.size).toBe(0);

    const refused = world();
    await queue(refused, converted(metaLead));
    await queue(refused, qualified(metaLead));
    refused.feedbackSender.answers.push({ ok: false, status: 400, error: 'invalid' }, { ok: true }, { ok: false, status: 400, error: 'Meta Conversions API answered HTTP 400: Invalid parameter' });
    expect(await send(refused, '2026-03-20T18:01:00.000Z')).toEqual({ sent: 1, retrying: 0, deadLettered: 1 });
    expect(refused.feedbackSender.requests.map((request) => JSON.parse(request.body).data.length)).toEqual([2, 1, 1]);
  });

  /** A refusal as the HTTP sender reports it: status, the error it keeps, and the platform's body. */
  const graphRefusal = (code: number, message: string, subcode?: number) => ({
    ok: false as const,
    status: 400,
    error: `Meta Conversions API answered HTTP 400: ${message}`,
    body: JSON.stringify({ error: { message, type: code === 100 ? 'GraphMethodException' : 'OAuthException', code, ...(subcode ? { error_subcode: subcode } : {}), fbtrace_id: 'AbC123' } }),
  });
  const googleRefusal = (status: number, grpcStatus: string, message: string) => ({
    ok: false as const,
    status,
    error: `Google Data Manager API answered HTTP ${status}: ${message}`,
    body: JSON.stringify({ error: { code: status, message, status: grpcStatus } }),
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('retries a batch whose Meta access token expired (HTTP 400, code 190) whole, naming the token, and sends it once renewed', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const deps = world();
    await queue(deps, converted(metaLead));
    await queue(deps, qualified(metaLead));
    deps.feedbackSender.answers.push(graphRefusal(190, 'Error validating access token: Session has expired on Thursday, 12-Mar-26 08:00:00 PDT.', 463));
    // Qualified on the 11th and won on the 12th: both within Meta's 7 days.
    expect(await send(deps, '2026-03-12T15:01:00.000Z')).toEqual({ sent: 0, retrying: 2, deadLettered: 0 });
    expect(deps.feedbackSender.requests).toHaveLength(1);
    expect(deps.feedback.dead.size).toBe(0);
    for (const key of ['meta lead-meta:converted', 'meta lead-meta:qualified']) {
      expect(deps.feedback.pending.get(key)).toMatchObject({ attempts: 1, dueAt: '2026-03-12T15:02:00.000Z', lastError: expect.stringMatching(/^Access token refused .*Session has expired/) as string });
    }
    expect(error).toHaveBeenCalledWith(expect.stringContaining('refused the access token'), expect.objectContaining({ platform: 'meta', status: 400, conversions: 2 }));
    expect(await send(deps, '2026-03-12T15:02:00.000Z')).toEqual({ sent: 2, retrying: 0, deadLettered: 0 });
  });

  it('waits out a token revoked overnight, past the two hours of eight tries, and sends once it is renewed', async () => {
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const deps = world();
    await queue(deps, converted(metaLead));
    await queue(deps, converted(googleLead));
    const revoked = (platform: 'meta' | 'google') =>
      platform === 'meta' ? graphRefusal(190, 'Error validating access token: The session has been invalidated', 467) : googleRefusal(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    // Meta's conversion, won at 2026-03-12T15:00: its token is refused from 15:01 until it is renewed at 09:00 next morning.
    const metaRuns = await sendWhenDue(deps, () => revoked('meta'), '2026-03-13T09:00:00.000Z');
    expect(metaRuns.length).toBeGreaterThan(8);
    expect(metaRuns.every((run) => run.retrying === 1)).toBe(true);
    expect(deps.feedback.dead.size).toBe(0);
    expect(await send(deps, '2026-03-13T09:30:00.000Z')).toEqual({ sent: 1, retrying: 0, deadLettered: 0 });
    // Google's, won at 2026-03-20T18:00: refused for two days, then renewed.
    const googleRuns = await sendWhenDue(deps, () => revoked('google'), '2026-03-22T18:00:00.000Z');
    expect(googleRuns.length).toBeGreaterThan(8);
    expect(googleRuns.every((run) => run.retrying === 1)).toBe(true);
    expect(await send(deps, '2026-03-22T18:30:00.000Z')).toEqual({ sent: 1, retrying: 0, deadLettered: 0 });
    expect(deps.feedback.dead.size).toBe(0);
  });

  it('dead-letters a Google conversion once its next try would come more than 90 days after the stage (the longest click-through window)', () => {
    const item = plannedConversionFeedback(googleLead, 'converted', '2026-03-20T18:00:00.000Z', feedbackConfig)[0];
    const failure = { error: 'Google Data Manager API answered HTTP 503', refusal: 'transient' as const };
    expect(afterFailedFeedback({ ...item, attempts: 500 }, failure, new Date('2026-06-18T16:59:00.000Z'))).toMatchObject({ retry: { attempts: 501, dueAt: '2026-06-18T17:59:00.000Z' } });
    expect(afterFailedFeedback({ ...item, attempts: 501 }, failure, new Date('2026-06-18T17:01:00.000Z'))).toMatchObject({ deadLetter: { attempts: 502, lastError: failure.error } });
    expect(afterFailedFeedback(item, { ...failure, refusal: 'invalid' }, new Date('2026-03-20T18:01:00.000Z'))).toMatchObject({ deadLetter: { attempts: 1 } });
  });

  it('retries a Google batch refused with 401 or 403 whole, with the usual growing waits', async () => {
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const deps = world();
    await queue(deps, converted(googleLead));
    await queue(deps, converted(secondGoogleLead));
    deps.feedbackSender.answers.push(googleRefusal(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token.'));
    expect(await send(deps, '2026-03-20T18:01:00.000Z')).toEqual({ sent: 0, retrying: 2, deadLettered: 0 });
    deps.feedbackSender.answers.push(googleRefusal(403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.'));
    expect(await send(deps, '2026-03-20T18:02:00.000Z')).toEqual({ sent: 0, retrying: 2, deadLettered: 0 });
    expect(deps.feedbackSender.requests.map((request) => JSON.parse(request.body).events.length)).toEqual([2, 2]);
    expect(deps.feedback.pending.get('google lead-google:converted')).toMatchObject({ attempts: 2, dueAt: '2026-03-20T18:04:00.000Z', lastError: expect.stringMatching(/^Access token refused .*HTTP 403/) as string });
    expect(deps.feedback.dead.size).toBe(0);
  });

  it('still sends a batch refused for an invalid parameter one by one, and dead-letters only the bad event', async () => {
    const deps = world();
    await queue(deps, converted(metaLead));
    await queue(deps, qualified(metaLead));
    deps.feedbackSender.answers.push(graphRefusal(100, 'Invalid parameter'), { ok: true }, graphRefusal(100, 'Invalid parameter'));
    expect(await send(deps, '2026-03-20T18:01:00.000Z')).toEqual({ sent: 1, retrying: 0, deadLettered: 1 });
    expect(deps.feedbackSender.requests.map((request) => JSON.parse(request.body).data.length)).toEqual([2, 1, 1]);
    expect([...deps.feedback.dead.values()]).toMatchObject([{ attempts: 1, lastError: 'Meta Conversions API answered HTTP 400: Invalid parameter' }]);
  });

  it('starts no send once the invocation’s time runs low, even one by one, and leaves the rest due for the next run', async () => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const deps = world();
    delete deps.config.channelRoi.platformFeedback.google;
    const leads = Array.from({ length: 3 }, (_, index): Lead => ({ ...metaLead, leadId: `lead-meta-${index}`, source: { kind: 'meta', platformLeadId: `90072547409${index}` } }));
    for (const lead of leads) {
      deps.store.leads.set(lead.leadId, lead);
      for (const item of plannedConversionFeedback(lead, 'converted', '2026-03-20T17:00:00.000Z', feedbackConfig)) expect(await deps.feedback.enqueue(item)).toBe(true);
    }
    // Six conversions (each lead's first stage, then converted). Every request takes Meta's whole 1.5 s timeout; the invocation has 22 s left and keeps 15 s for the last send and its writes.
    let remaining = 22_000;
    const answer = deps.feedbackSender.meta.bind(deps.feedbackSender);
    deps.feedbackSender.meta = async (...args) => {
      remaining -= 1_500;
      return answer(...args);
    };
    deps.feedbackSender.answers.push(graphRefusal(100, 'Invalid parameter'));
    expect(await send(deps, '2026-03-20T18:01:00.000Z', { getRemainingTimeInMillis: () => remaining })).toEqual({ sent: 4, retrying: 0, deadLettered: 0, left: 2 });
    expect(deps.feedbackSender.requests.map((request) => JSON.parse(request.body).data.length)).toEqual([6, 1, 1, 1, 1]);
    expect(deps.feedback.pending.size).toBe(2);
    expect([...deps.feedback.pending.values()].every((item) => item.attempts === 0)).toBe(true);
    // The next minute's run sends what was left, once.
    expect(await send(deps, '2026-03-20T18:02:00.000Z')).toEqual({ sent: 2, retrying: 0, deadLettered: 0 });
    expect(deps.feedback.sent.size).toBe(1 + 6);
  });

  it('tells a refused token and throttling from a refused event by the status and the platform’s error code', () => {
    expect(feedbackRefusal('meta', graphRefusal(102, 'Session key invalid or no longer valid'))).toBe('authentication');
    expect(feedbackRefusal('meta', graphRefusal(190, 'Error validating access token: The session has been invalidated', 467))).toBe('authentication');
    expect(feedbackRefusal('meta', { status: 403, body: JSON.stringify({ error: { code: 200, message: 'Permissions error' } }) })).toBe('authentication');
    expect(feedbackRefusal('meta', graphRefusal(17, 'User request limit reached'))).toBe('transient');
    expect(feedbackRefusal('meta', graphRefusal(100, 'Invalid parameter'))).toBe('invalid');
    expect(feedbackRefusal('meta', { status: 400, body: 'Bad Request' })).toBe('invalid');
    expect(feedbackRefusal('google', googleRefusal(400, 'INVALID_ARGUMENT', 'events[0]: transactionId is required'))).toBe('invalid');
    expect(feedbackRefusal('google', googleRefusal(401, 'UNAUTHENTICATED', 'Request is missing required authentication credential.'))).toBe('authentication');
    expect(feedbackRefusal('google', { status: 429 })).toBe('transient');
    expect(feedbackRefusal('google', { status: 503 })).toBe('transient');
    expect(feedbackRefusal('meta', { status: 0 })).toBe('transient');
  });

  it('does nothing while both platforms are off', async () => {
    const deps = world();
    deps.config.channelRoi.platformFeedback = {};
    await queue(deps, converted(metaLead));
    expect(await send(deps, '2026-03-20T18:01:00.000Z')).toEqual({ sent: 0, retrying: 0, deadLettered: 0 });
    expect(deps.feedback.pending.size + deps.feedbackSender.requests.length).toBe(0);
  });
});

import './zod-locale';
import * as z from 'zod/mini';
import type { Lead } from './lead';
import { wasErased } from './lead-erasure';
import { feedbackIdOf, feedbackPlatforms, feedbackStages, type FeedbackPlatform, type FeedbackStage } from './conversion-feedback-ids';

const digitsSchema = z.string().check(z.regex(/^\d{1,20}$/, 'must be the numeric id, as a quoted string'));

/**
 * Telling the ad platforms which leads became qualified and customers, so their bidding optimises for
 * customers rather than form fills. Each platform is off unless `enabled`.
 */
export const conversionFeedbackSchema = z.strictObject({
  /** Meta Conversions API for CRM leads (Conversion Leads): native Lead Ads leads, keyed by the Meta lead id. */
  meta: z.optional(
    z.strictObject({
      enabled: z._default(z.boolean(), false),
      /** The dataset (pixel) id events are posted to. */
      datasetId: digitsSchema,
      apiVersion: z._default(z.string().check(z.regex(/^v\d+\.\d+$/, 'must look like "v26.0"')), 'v26.0'),
      /** `custom_data.lead_event_source`: the CRM's name as Meta shows it. */
      leadEventSource: z._default(z.string().check(z.minLength(1), z.maxLength(100)), 'Leadflow'),
      /** The CRM stage names sent as `event_name`: `lead` the first (a new lead), then `qualified` and `converted`. */
      stageNames: z._default(
        z.strictObject({
          lead: z._default(z.string().check(z.minLength(1)), 'Lead'),
          qualified: z._default(z.string().check(z.minLength(1)), 'Qualified Lead'),
          converted: z._default(z.string().check(z.minLength(1)), 'Converted'),
        }),
        { lead: 'Lead', qualified: 'Qualified Lead', converted: 'Converted' },
      ),
      /** Sends to Events Manager → Test Events instead of the live dataset. */
      testEventCode: z.optional(z.string().check(z.minLength(1))),
    }),
  ),
  /** Google Data Manager API event ingestion, keyed by the lead's Google click id (`gclid`, `gbraid` or `wbraid`; the Google Ads API takes no new offline-import users). */
  google: z.optional(
    z.strictObject({
      enabled: z._default(z.boolean(), false),
      /** The Google Ads account the conversions belong to. */
      operatingAccountId: digitsSchema,
      /** The manager account used to reach it, if any. */
      loginAccountId: z.optional(digitsSchema),
      /** The conversion action (`productDestinationId`) of each stage. */
      conversionActions: z.strictObject({ qualified: digitsSchema, converted: digitsSchema }),
    }),
  ),
});
export type ConversionFeedbackConfiguration = z.infer<typeof conversionFeedbackSchema>;

/** `lead`, the first CRM stage, goes to Meta only: its Conversions API for CRM wants every stage, Google a conversion action per stage reported. */
export const feedbackStageSchema = z.enum(feedbackStages);
export type GoogleFeedbackStage = keyof NonNullable<ConversionFeedbackConfiguration['google']>['conversionActions'];

/** Most events per request: Meta's Conversions API takes 1,000, the Data Manager API 2,000. */
export const feedbackBatchLimits: Record<FeedbackPlatform, number> = { meta: 1000, google: 2000 };
/**
 * How many days after the stage was reached each platform still takes the conversion, and so how long a
 * refused token or an outage is waited out: Meta discards an `event_time` more than 7 days old; Google
 * takes a conversion within its conversion action's click-through window, at most 90 days after the click,
 * which came before the stage. Waits between tries double from a minute, up to an hour.
 */
export const feedbackWindowDays: Record<FeedbackPlatform, number> = { meta: 7, google: 90 };

/** Google's click ids, in the order a touch's are taken: `gclid` first, then `gbraid` (app campaigns on iOS), then `wbraid` (web). */
const googleClickIdKinds = ['gclid', 'gbraid', 'wbraid'] as const;
type GoogleClickId = { kind: (typeof googleClickIdKinds)[number]; value: string };

/** One conversion to report to one platform: idempotent by `feedbackId` (`<leadId>:<stage>`, `feedbackIdOf`), which both platforms de-duplicate on. */
export const conversionFeedbackSchemaItem = z.strictObject({
  platform: z.enum(feedbackPlatforms),
  feedbackId: z.string(),
  leadId: z.string(),
  stage: feedbackStageSchema,
  /** When the stage was reached (Unix time in the payloads). */
  occurredAt: z.iso.datetime(),
  /** Meta: the lead's `leadgen_id`, as its exact digits. */
  metaLeadId: z.optional(z.string().check(z.regex(/^\d+$/))),
  /** Google: the click id, under its kind's name; an item holds one of the three (items queued before braids were reported hold `gclid`). */
  gclid: z.optional(z.string()),
  gbraid: z.optional(z.string()),
  wbraid: z.optional(z.string()),
  value: z.optional(z.number().check(z.nonnegative())),
  currency: z.optional(z.string()),
  attempts: z.number().check(z.int(), z.nonnegative()),
  dueAt: z.iso.datetime(),
  lastError: z.optional(z.string()),
});
export type ConversionFeedback = z.infer<typeof conversionFeedbackSchemaItem>;

/**
 * What to report about a lead that just reached `stage`: one item per enabled platform the lead came
 * from — Meta for Meta lead-ads leads with a numeric lead id, Google for leads whose touches carry a
 * `gclid`, `gbraid` or `wbraid`. Value and currency go with conversions. Meta also gets the first stage
 * (`lead`, at capture) ahead of a later one: queued once by its id, it goes first (due earlier) even when
 * the later stage came before it. Google gets no first stage. An invalid lead gets nothing: an erased one still holds its
 * Meta lead id, which must not reach Meta after the person asked to be forgotten, and one judged spam or
 * unreachable is no conversion to optimise for. Nor does a platform's test lead, whatever is done with it: it may carry a
 * real click id (a generic webhook's test post) or the form's sample one, and a test sale would train the platform on nothing.
 */
export function plannedConversionFeedback(lead: Lead, stage: FeedbackStage, occurredAt: string, config: ConversionFeedbackConfiguration): ConversionFeedback[] {
  if (lead.isTest || lead.status === 'invalid' || wasErased(lead)) return [];
  const planned = (itemStage: FeedbackStage, at: string) => ({ leadId: lead.leadId, feedbackId: feedbackIdOf(lead.leadId, itemStage), stage: itemStage, occurredAt: at, attempts: 0, dueAt: at });
  const value = stage === 'converted' && lead.conversion ? { value: lead.conversion.revenue, currency: lead.conversion.currency } : {};
  const items: ConversionFeedback[] = [];
  const metaLeadId = lead.source.platformLeadId;
  if (config.meta?.enabled && lead.source.kind === 'meta' && metaLeadId && /^\d+$/.test(metaLeadId)) {
    if (stage !== 'lead') items.push({ ...planned('lead', lead.capturedAt), platform: 'meta', metaLeadId });
    items.push({ ...planned(stage, occurredAt), platform: 'meta', metaLeadId, ...value });
  }
  const clickId = googleClickIdOfLead(lead);
  if (config.google?.enabled && clickId && stage !== 'lead') items.push({ ...planned(stage, occurredAt), platform: 'google', [clickId.kind]: clickId.value, ...value });
  return items;
}

/**
 * The Google click id to report a lead's conversion with: from its last touch, else its first, whichever
 * of `gclid`, `gbraid` and `wbraid` that touch has, in that order (Google takes one, never both braids).
 */
function googleClickIdOfLead(lead: Pick<Lead, 'attribution'>): GoogleClickId | undefined {
  for (const touch of [lead.attribution.lastTouch, lead.attribution.firstTouch]) {
    for (const kind of googleClickIdKinds) {
      const value = touch?.[kind];
      if (value) return { kind, value };
    }
  }
  return undefined;
}

/** The click id a queued Google conversion carries, with its kind. */
function googleClickIdOf(item: ConversionFeedback): GoogleClickId | undefined {
  for (const kind of googleClickIdKinds) {
    const value = item[kind];
    if (value !== undefined) return { kind, value };
  }
  return undefined;
}

/**
 * The Conversions API request body as JSON text. `lead_id` is written as the exact digits of the Meta
 * lead id (a JSON integer, as Meta asks), never through `Number`, which would corrupt 16-digit ids.
 */
export function metaConversionsBody(items: readonly ConversionFeedback[], meta: NonNullable<ConversionFeedbackConfiguration['meta']>, accessToken: string): string {
  const events = items.map((item) => {
    const event = {
      event_name: meta.stageNames[item.stage],
      event_time: Math.floor(Date.parse(item.occurredAt) / 1000),
      action_source: 'system_generated',
      event_id: item.feedbackId,
      user_data: { lead_id: '__LEAD_ID__' },
      custom_data: { event_source: 'crm', lead_event_source: meta.leadEventSource, ...(item.value === undefined ? {} : { value: item.value, currency: item.currency }) },
    };
    return JSON.stringify(event).replace('"__LEAD_ID__"', item.metaLeadId ?? '0');
  });
  const rest = JSON.stringify({ ...(meta.testEventCode ? { test_event_code: meta.testEventCode } : {}), access_token: accessToken }).slice(1, -1);
  return `{"data":[${events.join(',')}],${rest}}`;
}

/** The Data Manager API `events:ingest` body for one stage's conversion action. */
export function googleIngestBody(items: readonly ConversionFeedback[], google: NonNullable<ConversionFeedbackConfiguration['google']>, stage: GoogleFeedbackStage): Record<string, unknown> {
  return {
    destinations: [
      {
        operatingAccount: { accountType: 'GOOGLE_ADS', accountId: google.operatingAccountId },
        ...(google.loginAccountId ? { loginAccount: { accountType: 'GOOGLE_ADS', accountId: google.loginAccountId } } : {}),
        productDestinationId: google.conversionActions[stage],
      },
    ],
    events: items.map((item) => {
      const clickId = googleClickIdOf(item);
      return {
        eventTimestamp: item.occurredAt,
        transactionId: item.feedbackId,
        adIdentifiers: clickId ? { [clickId.kind]: clickId.value } : {},
        ...(item.value === undefined ? {} : { conversionValue: item.value, currency: item.currency }),
        eventSource: 'OTHER',
      };
    }),
  };
}

/**
 * Why a platform refused a request: `invalid`, the events themselves (split, then dead-lettered);
 * `authentication`, the access token (expired, revoked or without permission), which no event can fix;
 * `transient`, no answer, throttling or the platform's own fault. The last two wait and retry.
 */
export type FeedbackRefusal = 'invalid' | 'authentication' | 'transient';

/** The Graph API's error envelope (`{error: {message, type, code, error_subcode, fbtrace_id}}`). */
const graphErrorSchema = z.object({ error: z.object({ code: z.optional(z.number()), error_subcode: z.optional(z.number()) }) });
/** Graph codes of a session or token (102, 190) or permission (200) problem, and subcodes of an expired (463) or invalid (467) token. */
const graphAuthenticationCodes = new Set([102, 190, 200]);
const graphAuthenticationSubcodes = new Set([463, 467]);
/** Graph throttling codes, answered with a 4xx: back off rather than blame the events. */
const graphThrottlingCodes = new Set([4, 17, 613, 80004]);

/**
 * Classifies a refused request from its HTTP status (0: no answer) and the platform's answer. Meta
 * answers a bad token or throttling with HTTP 400 like a bad event, so its Graph error code decides;
 * Google (and Meta at times) answer 401 or 403.
 */
export function feedbackRefusal(platform: FeedbackPlatform, answer: { status: number; body?: string }): FeedbackRefusal {
  const graph = platform === 'meta' ? graphErrorSchema.safeParse(parsedJson(answer.body)) : undefined;
  const { code, error_subcode: subcode } = graph?.success ? graph.data.error : {};
  if (code !== undefined && graphThrottlingCodes.has(code)) return 'transient';
  if (answer.status === 401 || answer.status === 403) return 'authentication';
  if ((code !== undefined && graphAuthenticationCodes.has(code)) || (subcode !== undefined && graphAuthenticationSubcodes.has(subcode))) return 'authentication';
  return answer.status >= 400 && answer.status < 500 && answer.status !== 429 ? 'invalid' : 'transient';
}

function parsedJson(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * After a failed send: try again later (1, 2, 4 … minutes, at most an hour), or give up — when the
 * platform refused this one event as invalid (a 4xx for a request of one), or when the next try would come
 * after the platform's window for the conversion has closed (`feedbackWindowDays` after the stage was
 * reached). A refused token or an outage is thus waited out for as long as the platform would still take
 * the conversion, and a refused token is named in the last error, so the operator sees why conversions wait.
 */
export function afterFailedFeedback(item: ConversionFeedback, failure: { error: string; refusal: FeedbackRefusal }, now: Date): { retry: ConversionFeedback } | { deadLetter: ConversionFeedback } {
  const attempts = item.attempts + 1;
  const error = failure.refusal === 'authentication' ? `Access token refused (expired, revoked or without permission; renew the platform's token secret): ${failure.error}` : failure.error;
  const failed = { ...item, attempts, lastError: error.slice(0, 500) };
  if (failure.refusal === 'invalid') return { deadLetter: failed };
  const dueAt = now.getTime() + Math.min(60, 2 ** Math.min(attempts - 1, 6)) * 60_000;
  const windowClosesAt = Date.parse(item.occurredAt) + feedbackWindowDays[item.platform] * 86_400_000;
  if (dueAt > windowClosesAt) return { deadLetter: failed };
  return { retry: { ...failed, dueAt: new Date(dueAt).toISOString() } };
}

import './zod-locale';
import * as z from 'zod/mini';
import type { Integrations, LeadRoute, LinkedInFormRoute, MetaFormRoute, TikTokFormRoute } from './integrations-configuration';
import type { IntakeSubmission } from './lead-intake';
import { leadEvent, type LeadEvent } from './lead-events';
import { linkedInFormId, linkedInLeadToSubmission } from './linkedin-lead-sync';
import { metaLeadToSubmission } from './meta-lead-ads';
import { tikTokLeadPageId, tikTokLeadToSubmission } from './tiktok-lead-generation';

/**
 * Platforms whose webhooks carry ids only (Meta, LinkedIn) or cannot be trusted (TikTok) have each lead
 * read back from the platform. The delivery is stored first as an intake record, `pending_fetch`, so a
 * platform outage loses nothing: the record is retried with exponential backoff until the lead is read.
 */

export const pendingFetchPlatformSchema = z.enum(['meta', 'linkedin', 'tiktok']);
export type PendingFetchPlatform = z.infer<typeof pendingFetchPlatformSchema>;

/** What to read from the platform, with the ids its webhook sent (exact strings). */
export const platformLeadRequestSchema = z.discriminatedUnion('platform', [
  z.strictObject({
    platform: z.literal('meta'),
    leadgenId: z.string(),
    pageId: z.optional(z.string()),
    formId: z.optional(z.string()),
    adId: z.optional(z.string()),
    adgroupId: z.optional(z.string()),
    createdTime: z.optional(z.number()),
  }),
  z.strictObject({
    platform: z.literal('linkedin'),
    responseId: z.string(),
    responseUrn: z.string(),
    formId: z.optional(z.string()),
    formUrn: z.optional(z.string()),
    leadType: z.optional(z.string()),
    occurredAt: z.optional(z.number()),
  }),
  // Not strict: records stored before the advertiser came only from configuration carry the delivery's `advertiserId`, which is dropped.
  z.object({ platform: z.literal('tiktok'), leadId: z.string(), pageId: z.string() }),
]);
export type PlatformLeadRequest = z.infer<typeof platformLeadRequestSchema>;

/** `pending_fetch` until the lead is read and stored (`fetched`), left out as a test lead (`skipped`), or erased by the person. */
export const intakeRecordStatusSchema = z.enum(['pending_fetch', 'fetched', 'skipped', 'erased']);
export type IntakeRecordStatus = z.infer<typeof intakeRecordStatusSchema>;

export const leadIntakeRecordSchema = z.strictObject({
  platform: pendingFetchPlatformSchema,
  platformLeadId: z.string(),
  status: intakeRecordStatusSchema,
  request: platformLeadRequestSchema,
  receivedAt: z.iso.datetime(),
  /** The webhook body as received (exact text), kept for audit and replay when it names this lead alone and is small; a delivery naming several leads keeps only each one's ids. */
  rawDelivery: z.optional(z.string()),
  /** Failed reads so far. */
  attempts: z.number().check(z.int(), z.nonnegative()),
  /** When a pending record is next due to be read; absent once resolved. */
  nextAttemptAt: z.optional(z.iso.datetime()),
  lastAttemptAt: z.optional(z.iso.datetime()),
  lastError: z.optional(z.string()),
  leadId: z.optional(z.string()),
  statusReason: z.optional(z.string()),
  resolvedAt: z.optional(z.iso.datetime()),
});
export type LeadIntakeRecord = z.infer<typeof leadIntakeRecordSchema>;

/** Longest webhook body kept on the intake record of the one lead it names (a single-lead delivery is well under 1 KB). */
export const maxStoredDeliveryLength = 16 * 1024;

/** Retry delays double from one minute and stop growing at an hour; a record is retried for as long as it takes. */
export const firstRetryDelayMs = 60_000;
export const longestRetryDelayMs = 60 * 60_000;
/** From this many failed reads on, each failure is logged as an error for someone to look at. */
export const fetchAlarmAttempts = 10;

export function platformLeadIdOf(request: PlatformLeadRequest): string {
  return request.platform === 'meta' ? request.leadgenId : request.platform === 'linkedin' ? request.responseId : request.leadId;
}

/** The wait after the `failedAttempts`-th failed read: 1, 2, 4, 8 … minutes, at most an hour. */
export function retryDelayMs(failedAttempts: number): number {
  return Math.min(firstRetryDelayMs * 2 ** Math.max(0, failedAttempts - 1), longestRetryDelayMs);
}

/**
 * A delivery just received, with the body it came in. It is due a minute from now: the receiving handler reads it right away, and
 * the retry schedule picks it up only if that read never finished (or a redelivery arrives meanwhile).
 */
export function newIntakeRecord(request: PlatformLeadRequest, now: Date, rawDelivery?: string): LeadIntakeRecord {
  return {
    platform: request.platform,
    platformLeadId: platformLeadIdOf(request),
    status: 'pending_fetch',
    request,
    receivedAt: now.toISOString(),
    ...(rawDelivery !== undefined && rawDelivery.length <= maxStoredDeliveryLength ? { rawDelivery } : {}),
    attempts: 0,
    nextAttemptAt: new Date(now.getTime() + firstRetryDelayMs).toISOString(),
  };
}

/**
 * A record for a lead the person erased before it was ever read: it must never be read afterwards. It is
 * there only to recognise a late delivery of the lead by its ids, so it keeps no raw delivery (the deletion
 * notice names the advertiser's account); it expires as any resolved record does.
 */
export function erasedIntakeRecord(request: PlatformLeadRequest, now: Date, reason: string): LeadIntakeRecord {
  return { ...newIntakeRecord(request, now), status: 'erased', nextAttemptAt: undefined, statusReason: reason, resolvedAt: now.toISOString() };
}

/**
 * The platform lead a delivery key names (`delivery#meta##<leadgen_id>`, see `deliveryDedupKey`): its intake
 * record holds that delivery. `undefined` for a key of another kind or source (a form post, an import row).
 */
export function platformLeadOfDeliveryKey(key: string): { platform: PendingFetchPlatform; platformLeadId: string } | undefined {
  const [kind, sourceKind, , ...id] = key.split('#');
  const platform = pendingFetchPlatformSchema.safeParse(sourceKind);
  const platformLeadId = id.join('#');
  return kind === 'delivery' && platform.success && platformLeadId ? { platform: platform.data, platformLeadId } : undefined;
}

/** The record after a failed read: one more attempt, the error, and when to try again. */
export function afterFailedFetch(record: LeadIntakeRecord, error: string, now: Date): LeadIntakeRecord {
  const attempts = record.attempts + 1;
  return { ...record, attempts, lastError: error.slice(0, 1000), lastAttemptAt: now.toISOString(), nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts)).toISOString() };
}

/** The `lead.fetch_failed` event for a record that has just failed (see `afterFailedFetch`). */
export function fetchFailedEvent(failed: LeadIntakeRecord, eventId: string, now: Date): LeadEvent {
  const at = now.toISOString();
  return leadEvent(
    'lead.fetch_failed',
    { eventId, sourceKind: failed.platform, platformLeadId: failed.platformLeadId, attempts: failed.attempts, nextAttemptAt: failed.nextAttemptAt ?? at, error: failed.lastError ?? 'unknown error', failedAt: at },
    at,
  );
}

type Routed<R> = { ok: true; route: R } | { ok: false; problem: string };

function metaRoute(integrations: Integrations, formId: string | undefined): Routed<MetaFormRoute> {
  if (!integrations.meta) return { ok: false, problem: 'Meta Lead Ads is not configured (integrations.meta)' };
  const route = integrations.meta.forms.find((form) => form.formId === formId);
  return route ? { ok: true, route } : { ok: false, problem: `Meta form ${formId ?? '(no form_id)'} is not listed in integrations.meta.forms` };
}

function linkedInRoute(integrations: Integrations, formId: string | undefined): Routed<LinkedInFormRoute> {
  if (!integrations.linkedin) return { ok: false, problem: 'LinkedIn Lead Sync is not configured (integrations.linkedin)' };
  const route = integrations.linkedin.forms.find((form) => form.formId === formId);
  return route ? { ok: true, route } : { ok: false, problem: `LinkedIn form ${formId ?? '(no leadGenForm)'} is not listed in integrations.linkedin.forms` };
}

function tikTokRoute(integrations: Integrations, pageId: string): Routed<TikTokFormRoute> {
  if (!integrations.tiktok) return { ok: false, problem: 'TikTok lead generation is not configured (integrations.tiktok)' };
  const route = integrations.tiktok.forms.find((form) => form.pageId === pageId);
  return route ? { ok: true, route } : { ok: false, problem: `TikTok instant form ${pageId} is not listed in integrations.tiktok.forms` };
}

/** The configured route of the form a request's lead came from, or why there is none. For TikTok, a lead read back is routed by its own page id (see `submissionFromFetchedLead`). */
export function routeOfRequest(integrations: Integrations, request: PlatformLeadRequest): Routed<LeadRoute> {
  if (request.platform === 'meta') return metaRoute(integrations, request.formId);
  if (request.platform === 'linkedin') return linkedInRoute(integrations, request.formId);
  return tikTokRoute(integrations, request.pageId);
}

/**
 * A lead read from its platform as an intake submission, routed as its form is configured; or why it
 * cannot be (an unknown form, a lead in an unexpected shape). A TikTok lead is routed by the page id of
 * the lead read back when it has one, else by the trigger's.
 */
export function submissionFromFetchedLead(
  integrations: Integrations,
  request: PlatformLeadRequest,
  fetched: unknown,
): { ok: true; submission: IntakeSubmission; includeTestLeads: boolean } | { ok: false; problem: string } {
  const finish = (read: { ok: true; submission: IntakeSubmission } | { ok: false; problem: string }, route: LeadRoute) =>
    read.ok ? { ok: true as const, submission: read.submission, includeTestLeads: route.includeTestLeads } : read;
  if (request.platform === 'meta') {
    // The webhook names the form; should it not, the lead read back does.
    const fetchedFormId = (fetched as { form_id?: unknown } | null)?.form_id;
    const routed = metaRoute(integrations, request.formId ?? (typeof fetchedFormId === 'string' ? fetchedFormId : undefined));
    return routed.ok ? finish(metaLeadToSubmission(fetched, request, routed.route), routed.route) : routed;
  }
  if (request.platform === 'linkedin') {
    // Likewise: the notification's leadGenForm, else the form URN of the lead read back.
    const fetchedFormUrn = (fetched as { versionedLeadGenFormUrn?: unknown } | null)?.versionedLeadGenFormUrn;
    const routed = linkedInRoute(integrations, request.formId ?? linkedInFormId(typeof fetchedFormUrn === 'string' ? fetchedFormUrn : undefined));
    return routed.ok ? finish(linkedInLeadToSubmission(fetched, { action: 'CREATED', leadAction: 'CREATED', ...request }, routed.route), routed.route) : routed;
  }
  // The reverse of Meta and LinkedIn: the trigger's page_id may come from an unsigned sender, the lead read back from TikTok's API cannot, so it wins.
  const routed = tikTokRoute(integrations, tikTokLeadPageId(fetched) ?? request.pageId);
  return routed.ok ? finish(tikTokLeadToSubmission(fetched, request, routed.route), routed.route) : routed;
}

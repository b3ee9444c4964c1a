import './zod-locale';
import * as z from 'zod/mini';
import { adTouch, answerTargetOf, describeIssues, payloadIssues, platformDeliveryReading, platformIdSchema, platformSubmission, readAnswers, type PlatformDeliveryReading } from './ad-platform-intake';
import { formatPath } from './issue-list';
import type { FieldIssue } from './form-submission';
import type { TikTokFormRoute } from './integrations-configuration';
import type { IntakeSubmission } from './lead-intake';
import { parseJsonKeepingLargeIntegers } from './lossless-json';

/**
 * TikTok Lead Generation: whether the LEAD webhook is signed, and its exact shape, are not settled in
 * the public material, so a delivery is only a trigger. Its lead ids are read tolerantly, and each lead
 * is read back from the authenticated Lead API (`GET /open_api/v1.3/lead/get/`) before it is trusted.
 */

/**
 * One lead a delivery points at. TikTok calls an instant form a "page": `pageId` is the form. No
 * advertiser id: the Lead API is only ever asked about the configured advertiser.
 */
export interface TikTokLeadTrigger {
  leadId: string;
  pageId: string;
}

/**
 * The most leads one delivery may name. Every delivery seen in the wild names one lead; each named lead
 * costs a stored intake record and a Lead API read, and ten is what `receivePlatformLeads` reads while
 * the platform waits, so a bigger batch is refused rather than left to pile up for the retry schedule.
 */
export const maxTikTokLeadsPerDelivery = 10;

const triggerSchema = z.object({
  lead_id: z.optional(platformIdSchema),
  id: z.optional(platformIdSchema),
  page_id: z.optional(platformIdSchema),
});

/**
 * The leads a delivery points at. Reads `entry[]` items (`{id, page_id, …}`, the documented shape), and,
 * defensively, `leads[]`, a top-level `{lead_id, page_id}`, and a `lead`, `data` or `content` object (or
 * JSON string) holding any of those. Each needs a lead id and a `page_id`: an item without them is
 * `unreadable`, and the others are read all the same, as for Meta. Refused (`ok: false`) when a list or a
 * nested object is malformed, when the delivery names no lead or none readable, or more than `maxTikTokLeadsPerDelivery`.
 */
export function readTikTokLeadTriggers(body: unknown): PlatformDeliveryReading<TikTokLeadTrigger> {
  const triggers: TikTokLeadTrigger[] = [];
  const malformed: FieldIssue[] = [];
  const unreadable: FieldIssue[] = [];
  const visit = (value: unknown, path: Array<string | number>, depth: number): void => {
    if (depth > 2 || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) return;
    const record = value as Record<string, unknown>;
    for (const listName of ['entry', 'leads'] as const) {
      const list = record[listName];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        malformed.push({ path: formatPath([...path, listName]), message: 'must be a list of leads' });
        continue;
      }
      list.forEach((item, index) => readOne(item, [...path, listName, index]));
    }
    if (record.lead_id !== undefined) readOne(record, path);
    for (const nested of ['lead', 'data', 'content'] as const) {
      const inner = record[nested];
      if (typeof inner === 'string') {
        try {
          visit(parseJsonKeepingLargeIntegers(inner), [...path, nested], depth + 1);
        } catch {
          malformed.push({ path: formatPath([...path, nested]), message: 'must be an object, or a JSON string of one' });
        }
      } else visit(inner, [...path, nested], depth + 1);
    }
  };
  const readOne = (item: unknown, path: Array<string | number>) => {
    const parsed = triggerSchema.safeParse(item);
    if (!parsed.success) {
      unreadable.push(...payloadIssues(parsed.error, path));
      return;
    }
    const leadId = parsed.data.lead_id ?? parsed.data.id;
    const label = (field: string) => formatPath([...path, field]);
    if (!leadId) unreadable.push({ path: label('lead_id'), message: 'is required: the id of the lead' });
    if (!parsed.data.page_id) unreadable.push({ path: label('page_id'), message: 'is required: the instant form (page) the lead was submitted on' });
    if (leadId && parsed.data.page_id) triggers.push({ leadId, pageId: parsed.data.page_id });
  };
  visit(body, [], 0);
  if (triggers.length > maxTikTokLeadsPerDelivery) malformed.push({ path: '(body)', message: `names ${triggers.length} leads; one delivery may name at most ${maxTikTokLeadsPerDelivery}` });
  if (!malformed.length && !triggers.length && !unreadable.length) malformed.push({ path: '(body)', message: 'names no lead: expected entry[] items with id and page_id, or lead_id and page_id' });
  return malformed.length ? { ok: false, issues: [...malformed, ...unreadable] } : platformDeliveryReading(triggers, unreadable, []);
}

const leadGetSchema = z.object({
  code: z.number(),
  message: z.optional(z.string()),
  request_id: z.optional(z.string()),
  data: z.optional(
    z.object({
      lead_data: z._default(
        z.record(
          z.string(),
          z.pipe(
            z.union([z.string(), z.number(), z.boolean(), z.null()]),
            z.transform((value) => (value === null ? '' : String(value))),
          ),
        ),
        {},
      ),
      meta_data: z._default(
        z.object({
          lead_id: z.optional(platformIdSchema),
          lead_source: z.optional(z.string()),
          page_id: z.optional(platformIdSchema),
          create_time: z.optional(z.string()),
          campaign_id: z.optional(platformIdSchema),
          adgroup_id: z.optional(platformIdSchema),
          ad_id: z.optional(platformIdSchema),
        }),
        {},
      ),
    }),
  ),
});

const leadPageSchema = z.object({ data: z.optional(z.object({ meta_data: z.optional(z.object({ page_id: z.optional(platformIdSchema) })) })) });

/**
 * The instant form (page) a lead read back from the Lead API says it was submitted on, or `undefined`
 * when the answer names none. Unlike a trigger's `page_id`, which an unsigned sender chooses, it comes
 * from TikTok's authenticated API, so it is what the lead is routed by.
 *
 * @example tikTokLeadPageId({ code: 0, data: { meta_data: { page_id: 7410000000000000002 } } }) // '7410000000000000002'
 */
export function tikTokLeadPageId(fetched: unknown): string | undefined {
  const parsed = leadPageSchema.safeParse(fetched);
  return parsed.success ? parsed.data.data?.meta_data?.page_id : undefined;
}

/**
 * A lead read back from the TikTok Lead API (`{code, message, data: {lead_data, meta_data}}`) as an intake
 * submission; `code` other than 0 is TikTok saying the read failed. `lead_data` is a flat map of field
 * names to answers. TikTok has no test flag on leads.
 */
export function tikTokLeadToSubmission(fetched: unknown, trigger: TikTokLeadTrigger, route: TikTokFormRoute): { ok: true; submission: IntakeSubmission } | { ok: false; problem: string } {
  const parsed = leadGetSchema.safeParse(fetched);
  if (!parsed.success) return { ok: false, problem: `the TikTok Lead API answer is not in the expected shape: ${describeIssues(payloadIssues(parsed.error))}` };
  if (parsed.data.code !== 0) return { ok: false, problem: `the TikTok Lead API answered code ${parsed.data.code}: ${parsed.data.message ?? 'no message'}` };
  if (!parsed.data.data) return { ok: false, problem: 'the TikTok Lead API answered without data' };
  const { lead_data: leadData, meta_data: meta } = parsed.data.data;
  if (meta.lead_id && meta.lead_id !== trigger.leadId) return { ok: false, problem: `the TikTok Lead API answered lead ${meta.lead_id} for lead ${trigger.leadId}` };
  const { contact, answers } = readAnswers(
    Object.entries(leadData).map(([key, value]) => ({ key, value })),
    answerTargetOf,
  );
  const pageId = meta.page_id ?? trigger.pageId;
  return {
    ok: true,
    submission: platformSubmission({
      sourceKind: 'tiktok',
      route,
      platformLeadId: trigger.leadId,
      formId: pageId,
      contact,
      answers,
      touch: adTouch({ campaign_id: meta.campaign_id, adgroup_id: meta.adgroup_id, ad_id: meta.ad_id, platform_form_id: pageId }),
      isTest: false,
    }),
  };
}

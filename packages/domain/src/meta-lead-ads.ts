import './zod-locale';
import * as z from 'zod/mini';
import {
  adTouch,
  answerTargetOf,
  describeIssues,
  payloadIssues,
  platformDeliveryReading,
  platformIdSchema,
  platformSubmission,
  readAnswers,
  readLeavingOutMalformed,
  type PlatformDeliveryReading,
} from './ad-platform-intake';
import { unixTimeSchema } from './instant';
import type { FieldIssue } from './form-submission';
import type { MetaFormRoute } from './integrations-configuration';
import type { IntakeSubmission } from './lead-intake';

/**
 * Meta Lead Ads: the `leadgen` webhook carries ids only, so each lead is read back from the Graph API
 * (`GET /{leadgen_id}`) before it becomes a lead.
 */

/** The Graph API version the lead is read with, and the fields asked for (ad-level ones must be named). */
export const metaGraphApiVersion = 'v21.0';
export const metaLeadFields = 'id,created_time,field_data,ad_id,adset_id,campaign_id,campaign_name,form_id,is_organic,platform,custom_disclaimer_responses';

/**
 * The largest `leadgen` delivery taken, where other webhooks stop at 64 KB. Meta batches up to 1,000
 * changes in one POST and retries a refused one for about 36 hours before dropping it, so a 413 would lose
 * every lead in the batch. A change is about 200 bytes (Meta's sample: 203 minified, 258 with an entry of
 * its own, about 440 pretty-printed): 512 KB holds 1,000 in any of those shapes, far below API Gateway's 10 MB.
 */
export const maxMetaDeliveryBytes = 512 * 1024;

/** One `leadgen` change of a webhook delivery: which lead to read, and the ids Meta sent with it. */
export interface MetaLeadgenNotification {
  leadgenId: string;
  pageId?: string;
  formId?: string;
  adId?: string;
  adgroupId?: string;
  createdTime?: number;
}

const leadgenValueSchema = z.object({
  leadgen_id: platformIdSchema,
  page_id: z.optional(platformIdSchema),
  form_id: z.optional(platformIdSchema),
  ad_id: z.optional(platformIdSchema),
  adgroup_id: z.optional(platformIdSchema),
  created_time: z.optional(unixTimeSchema('seconds')),
});

/** The body of a Meta `leadgen` webhook delivery (`POST /webhooks/meta`); exported for the OpenAPI document. */
export const metaLeadgenDeliverySchema = z.object({
  object: z.literal('page', { error: 'must be "page" (only Page leadgen webhooks are handled)' }),
  entry: z.array(
    z.object({
      id: z.optional(platformIdSchema),
      time: z.optional(unixTimeSchema('seconds')),
      // A change's value is read on its own (`readMetaLeadgenDelivery`), so a missing one sets that change aside, not the batch.
      changes: z._default(z.array(z.object({ field: z.string({ error: 'must be the name of the changed field' }), value: z.optional(z.unknown()) })), []),
    }),
    { error: 'must be a list of entries' },
  ),
});

/** What a delivery's `leadgen` changes give: the leads to read, and what could not be used of the rest (malformed optional ids and times, of an entry or a change). */
export type MetaLeadgenDeliveryReading = PlatformDeliveryReading<MetaLeadgenNotification>;

/** An entry's Page id and time only inform: its changes' leads are read by their `leadgen_id`. */
const isEntryInformation = (path: readonly PropertyKey[]) => path.length === 3 && path[0] === 'entry' && (path[2] === 'id' || path[2] === 'time');

/** Every field of a change's value but `leadgen_id` only informs: the lead read back supplies its own. */
const isLeadgenInformation = (path: readonly PropertyKey[]) => path.length === 1 && path[0] !== 'leadgen_id';

/**
 * Reads the leadgen changes of a delivery, in order. Changes of other fields are ignored; a delivery
 * with none is valid (there is just nothing to fetch). One malformed change does not refuse the batch:
 * Meta drops a refused batch after 36 hours of retries, which would lose every good lead in it. A change
 * is set aside only when it names no readable `leadgen_id`, and a malformed optional field (an entry's or
 * a change's) is left out. A delivery is refused (`ok: false`) when its envelope is malformed or none of
 * its leadgen changes is readable.
 */
export function readMetaLeadgenDelivery(body: unknown): MetaLeadgenDeliveryReading {
  const envelope = readLeavingOutMalformed(metaLeadgenDeliverySchema, body, isEntryInformation);
  if ('issues' in envelope) return { ok: false, issues: envelope.issues };
  const notifications: MetaLeadgenNotification[] = [];
  const unreadable: FieldIssue[] = [];
  const ignored: FieldIssue[] = [...envelope.ignored];
  envelope.data.entry.forEach((entry, entryIndex) =>
    entry.changes.forEach((change, changeIndex) => {
      if (change.field !== 'leadgen') return;
      const value = readLeavingOutMalformed(leadgenValueSchema, change.value, isLeadgenInformation, ['entry', entryIndex, 'changes', changeIndex, 'value']);
      if ('issues' in value) {
        unreadable.push(...value.issues);
        return;
      }
      ignored.push(...value.ignored);
      const { leadgen_id, page_id, form_id, ad_id, adgroup_id, created_time } = value.data;
      notifications.push({ leadgenId: leadgen_id, pageId: page_id ?? entry.id, formId: form_id, adId: ad_id, adgroupId: adgroup_id, createdTime: created_time });
    }),
  );
  return platformDeliveryReading(notifications, unreadable, ignored);
}

const metaLeadSchema = z.object({
  id: platformIdSchema,
  created_time: z.optional(z.string()),
  field_data: z._default(z.array(z.object({ name: z.string(), values: z._default(z.array(z.pipe(z.union([z.string(), z.number(), z.boolean()]), z.transform(String))), []) })), []),
  ad_id: z.optional(platformIdSchema),
  adset_id: z.optional(platformIdSchema),
  campaign_id: z.optional(platformIdSchema),
  campaign_name: z.optional(z.string()),
  form_id: z.optional(platformIdSchema),
  is_organic: z.optional(z.boolean()),
  platform: z.optional(z.string()),
  // The form's consent checkboxes; Meta sends `is_checked` as a string, "1" when ticked.
  custom_disclaimer_responses: z._default(
    z.array(
      z.object({
        checkbox_key: platformIdSchema,
        is_checked: z._default(
          z.pipe(
            z.union([z.string(), z.number(), z.boolean()]),
            z.transform((value) => ['1', 'true'].includes(String(value).trim().toLowerCase())),
          ),
          false,
        ),
      }),
    ),
    [],
  ),
});

/**
 * A lead read from the Graph API as an intake submission. `field_data` names (`full_name`, `email`,
 * `phone_number`, …) fill the contact; custom questions are kept under `answers` by their own key, and
 * consent checkboxes as `consent_<checkbox_key>`.
 * Meta has no test flag (Testing Tool leads are organic leads without an ad), so `isTest` stays false.
 */
export function metaLeadToSubmission(fetched: unknown, notification: MetaLeadgenNotification, route: MetaFormRoute): { ok: true; submission: IntakeSubmission } | { ok: false; problem: string } {
  const parsed = metaLeadSchema.safeParse(fetched);
  if (!parsed.success) return { ok: false, problem: `the Graph API lead is not in the expected shape: ${describeIssues(payloadIssues(parsed.error))}` };
  const lead = parsed.data;
  if (lead.id !== notification.leadgenId) return { ok: false, problem: `the Graph API answered lead ${lead.id} for leadgen_id ${notification.leadgenId}` };
  const { contact, answers } = readAnswers(
    lead.field_data.map((field) => ({ key: field.name, value: field.values.join(', ') })),
    answerTargetOf,
  );
  if (lead.platform) answers.meta_platform = lead.platform;
  if (lead.is_organic !== undefined) answers.meta_is_organic = String(lead.is_organic);
  for (const response of lead.custom_disclaimer_responses) answers[`consent_${response.checkbox_key}`] = response.is_checked ? 'accepted' : 'declined';
  const formId = lead.form_id ?? notification.formId;
  return {
    ok: true,
    submission: platformSubmission({
      sourceKind: 'meta',
      route,
      platformLeadId: lead.id,
      formId,
      contact,
      answers,
      touch: adTouch({ campaign_id: lead.campaign_id, campaign_name: lead.campaign_name, adset_id: lead.adset_id, ad_id: lead.ad_id ?? notification.adId, platform_form_id: formId }),
      isTest: false,
    }),
  };
}

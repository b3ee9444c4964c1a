import './zod-locale';
import * as z from 'zod/mini';
import { adTouch, maxAnswerLength, payloadIssues, platformIdSchema, platformSubmission, readAnswers, type AnswerTarget } from './ad-platform-intake';
import type { FieldIssue } from './form-submission';
import type { GoogleFormRoute } from './integrations-configuration';
import type { IntakeSubmission } from './lead-intake';

/**
 * Google Ads lead form webhooks: the answers come in the body (`user_column_data`), and the only proof of
 * origin is the `google_key` typed into the form's webhook settings, echoed in every delivery.
 */

/**
 * What each documented `column_id` fills. Other columns (custom questions, `QUESTION_1` …) are kept under
 * `answers` by their question text (`column_name`) written as a field name a route can match
 * (`What is your budget?` → `what_is_your_budget`), or by their `column_id` when Google leaves the text
 * out or nothing of it is a letter or digit.
 */
const googleColumnTargets: Readonly<Record<string, AnswerTarget | { answer: string }>> = {
  FULL_NAME: 'name',
  FIRST_NAME: 'first_name',
  LAST_NAME: 'last_name',
  EMAIL: 'email',
  WORK_EMAIL: 'email',
  PHONE_NUMBER: 'phone',
  WORK_PHONE: 'phone',
  COMPANY_NAME: 'company',
  JOB_TITLE: 'title',
  REGION: 'region',
  COUNTRY: 'country',
  CITY: { answer: 'city' },
  POSTAL_CODE: { answer: 'postal_code' },
  STREET_ADDRESS: { answer: 'street_address' },
};

/** Just enough of a delivery to find its form and check its key, before anything else is trusted. */
export const googleLeadCredentialsSchema = z.object({
  form_id: platformIdSchema,
  google_key: z.optional(z.string({ error: 'must be text: the key set in the lead form’s webhook settings' })),
});

/** The body of a Google Ads lead form delivery (`POST /webhooks/google`); exported for the OpenAPI document. */
export const googleLeadDeliverySchema = z.object({
  lead_id: platformIdSchema,
  user_column_data: z._default(
    z
      .array(
        z.object({
          column_id: z.string({ error: 'must be the column id, e.g. "EMAIL"' }).check(z.minLength(1)),
          column_name: z.optional(z.string()),
          string_value: z._default(z.string({ error: 'must be the answer as a string' }).check(z.maxLength(maxAnswerLength * 5)), ''),
        }),
        { error: 'must be a list of {column_id, string_value}' },
      )
      .check(z.maxLength(500)),
    [],
  ),
  api_version: z.optional(z.string()),
  form_id: platformIdSchema,
  campaign_id: z.optional(platformIdSchema),
  adgroup_id: z.optional(platformIdSchema),
  creative_id: z.optional(platformIdSchema),
  asset_group_id: z.optional(platformIdSchema),
  gcl_id: z.optional(z.string().check(z.maxLength(2048))),
  is_test: z._default(z.boolean({ error: 'must be true or false' }), false),
  lead_stage: z.optional(z.string()),
  lead_submit_time: z.optional(z.string()),
});

/** The form a delivery claims to come from and the key it presents; issues when the form id is unusable. */
export function readGoogleLeadCredentials(body: unknown): { ok: true; formId: string; googleKey: string | undefined } | { ok: false; issues: FieldIssue[] } {
  const parsed = googleLeadCredentialsSchema.safeParse(body);
  if (!parsed.success) return { ok: false, issues: payloadIssues(parsed.error) };
  return { ok: true, formId: parsed.data.form_id, googleKey: parsed.data.google_key };
}

/**
 * A Google lead form delivery (its key already checked) as an intake submission. `gcl_id` becomes the
 * `gclid` of the touch; campaign, ad group, asset group (Performance Max), creative and form ids are kept
 * as exact strings.
 */
export function googleLeadToSubmission(body: unknown, route: GoogleFormRoute): { ok: true; submission: IntakeSubmission } | { ok: false; issues: FieldIssue[] } {
  const parsed = googleLeadDeliverySchema.safeParse(body);
  if (!parsed.success) return { ok: false, issues: payloadIssues(parsed.error) };
  const lead = parsed.data;
  const known = (columnId: string) => googleColumnTargets[columnId.toUpperCase()];
  const questionTextOf = new Map(lead.user_column_data.map((column) => [column.column_id, column.column_name?.trim()]));
  const { contact, answers } = readAnswers(
    lead.user_column_data.map((column) => ({ key: column.column_id, value: column.string_value })),
    (key) => {
      const target = known(key);
      return typeof target === 'string' ? target : undefined;
    },
    (key) => {
      const target = known(key);
      if (target) return typeof target === 'object' ? target.answer : key;
      return answerKeyOfQuestion(questionTextOf.get(key) ?? '') ?? key;
    },
  );
  if (lead.lead_stage) answers.google_lead_stage = lead.lead_stage;
  return {
    ok: true,
    submission: platformSubmission({
      sourceKind: 'google',
      route,
      platformLeadId: lead.lead_id,
      formId: lead.form_id,
      contact,
      answers,
      touch: adTouch({ gclid: lead.gcl_id, campaign_id: lead.campaign_id, adgroup_id: lead.adgroup_id, asset_group_id: lead.asset_group_id, creative_id: lead.creative_id, platform_form_id: lead.form_id }),
      isTest: lead.is_test,
    }),
  };
}

/** A question's text as a form field name (`^[a-z][a-z0-9_]{0,63}$`, what routes match answers by); undefined when nothing of it is left. */
function answerKeyOfQuestion(text: string): string | undefined {
  const key = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64)
    .replace(/_+$/, '');
  return /^[a-z]/.test(key) ? key : undefined;
}

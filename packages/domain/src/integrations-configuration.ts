import './zod-locale';
import * as z from 'zod/mini';
import { maxTikTokLeadsPerDelivery } from './tiktok-lead-generation';
import { phoneCountrySchema } from './organisation-country';

/**
 * The `integrations` section of the configuration: which ad platforms and generic sources are connected,
 * and which of our pools, channels and countries each platform form (or source) feeds. It holds no
 * secret values: each platform's secrets are named from it (`configuredSecrets`) and read from the
 * secret store, since this file is bundled with every function.
 */

const configIdSchema = z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be lower-case letters, digits, "-" or "_", starting with a letter or digit'));

/** Platform ids are 64-bit integers: in JSON they must be strings, or digits past 2^53 are lost. */
const platformIdSchema = (what: string) =>
  z.string({ error: `must be the ${what} as a string in quotes (JSON numbers lose digits above 2^53)` }).check(z.regex(/^[A-Za-z0-9_.:-]{1,128}$/, `must be the ${what}: letters, digits, ".", ":", "_" or "-"`));

/** Where a platform's leads go: the pool that routes them, the channel credited for ROI, the phone country. */
const leadRouteFields = {
  poolId: configIdSchema,
  channel: configIdSchema,
  /** Country for reading national phone numbers. */
  defaultCountry: phoneCountrySchema,
  /** Platform test leads (Google `is_test`, LinkedIn `testLead`) are stored, flagged and never routed, only if this is true. */
  includeTestLeads: z._default(z.boolean(), false),
};

/** A name for an answer: a lead contact field, `first_name`/`last_name` (joined into `name`), or a key under `answers`. */
const answerTargetSchema = z.string().check(z.regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a lead field such as "email", "first_name" or an answer key such as "company_size"'));

export const metaIntegrationSchema = z.strictObject({
  forms: z.array(z.strictObject({ formId: platformIdSchema('Meta lead form id'), name: z.optional(z.string().check(z.minLength(1))), ...leadRouteFields })).check(z.minLength(1, 'list at least one Meta lead form')),
});

export const googleIntegrationSchema = z.strictObject({
  forms: z
    .array(
      z.strictObject({
        formId: platformIdSchema('Google lead form id (form_id)'),
        name: z.optional(z.string().check(z.minLength(1))),
        ...leadRouteFields,
      }),
    )
    .check(z.minLength(1, 'list at least one Google lead form')),
});

export const linkedInIntegrationSchema = z.strictObject({
  /** The `LinkedIn-Version` header (YYYYMM) of the Marketing API calls. */
  apiVersion: z._default(z.string().check(z.regex(/^\d{6}$/, 'must be a LinkedIn-Version such as "202505"')), '202505'),
  forms: z
    .array(
      z.strictObject({
        formId: platformIdSchema('LinkedIn lead gen form id (the number in urn:li:leadGenForm:<id>)'),
        name: z.optional(z.string().check(z.minLength(1))),
        /** What each question of the form means, by LinkedIn `questionId`; unlisted answers are kept as `question_<id>`. */
        questions: z._default(z.record(z.string().check(z.regex(/^\d{1,20}$/, 'must be a LinkedIn questionId')), answerTargetSchema), {}),
        ...leadRouteFields,
      }),
    )
    .check(z.minLength(1, 'list at least one LinkedIn lead gen form')),
});

/**
 * Lead API reads unsigned TikTok deliveries from one sender address may cause per minute (each lead a delivery
 * names is one read), unless `integrations.tiktok.unsignedLeadReadsPerMinute` says otherwise. Nothing vouches
 * for such a delivery and each read spends the company's TikTok API quota, so this is far below the webhook
 * limit; one lead every two seconds from one address is still far above one advertiser's lead flow.
 */
export const defaultUnsignedTikTokLeadReadsPerMinute = 30;

export const tikTokIntegrationSchema = z.strictObject({
  /** The only advertiser leads are read for; an `advertiser_id` in a delivery is ignored. (Its app secret and access token are secrets, not configuration.) */
  advertiserId: platformIdSchema('TikTok advertiser id'),
  /** Lead API reads one sender address's unsigned deliveries may cause per minute (default 30); at least what one delivery may name, or such a delivery could never be read. */
  unsignedLeadReadsPerMinute: z.optional(z.number().check(z.int(), z.minimum(maxTikTokLeadsPerDelivery, `must be at least ${maxTikTokLeadsPerDelivery}, the leads one delivery may name`), z.maximum(100_000))),
  forms: z
    .array(
      z.strictObject({
        pageId: platformIdSchema('TikTok instant form id (page_id)'),
        name: z.optional(z.string().check(z.minLength(1))),
        /**
         * Accept deliveries for this form without `TikTok-Signature` (whether TikTok signs lead webhooks is
         * unsettled). Off by default: an unsigned trigger costs a stored record and a Lead API read per lead.
         */
        allowUnsigned: z._default(z.boolean(), false),
        ...leadRouteFields,
      }),
    )
    .check(z.minLength(1, 'list at least one TikTok instant form')),
});

export const genericWebhookSourceSchema = z.strictObject({
  /** The `{sourceId}` of `POST /webhooks/generic/{sourceId}`. */
  id: configIdSchema,
  name: z.string().check(z.trim(), z.minLength(1)),
  /** Maps the sender's field keys to ours, e.g. {"work_mail": "email"}; known keys (email, phone, …) need no entry. */
  fieldMap: z._default(z.record(z.string().check(z.minLength(1), z.maxLength(100)), answerTargetSchema), {}),
  ...leadRouteFields,
});

/**
 * Webhook POSTs one sender address may make to one endpoint (a platform, or a generic source) per minute,
 * unless `integrations.webhookRateLimitPerMinute` says otherwise. Ten a second is far above one
 * advertiser's lead flow, and bounds what a flood of deliveries can cost in writes and platform reads.
 */
export const defaultWebhookRateLimitPerMinute = 600;

export const integrationsSchema = z.strictObject({
  webhookRateLimitPerMinute: z.optional(z.number().check(z.int(), z.positive(), z.maximum(100_000))),
  meta: z.optional(metaIntegrationSchema),
  google: z.optional(googleIntegrationSchema),
  linkedin: z.optional(linkedInIntegrationSchema),
  tiktok: z.optional(tikTokIntegrationSchema),
  generic: z.optional(z.strictObject({ sources: z.array(genericWebhookSourceSchema).check(z.minLength(1, 'list at least one source')) })),
});

export type Integrations = z.infer<typeof integrationsSchema>;
export type MetaIntegration = z.infer<typeof metaIntegrationSchema>;
export type GoogleIntegration = z.infer<typeof googleIntegrationSchema>;
export type LinkedInIntegration = z.infer<typeof linkedInIntegrationSchema>;
export type TikTokIntegration = z.infer<typeof tikTokIntegrationSchema>;
export type GenericWebhookSource = z.infer<typeof genericWebhookSourceSchema>;
export type MetaFormRoute = MetaIntegration['forms'][number];
export type GoogleFormRoute = GoogleIntegration['forms'][number];
export type LinkedInFormRoute = LinkedInIntegration['forms'][number];
export type TikTokFormRoute = TikTokIntegration['forms'][number];

/** Where one platform form's leads go. */
export interface LeadRoute {
  poolId: string;
  channel: string;
  defaultCountry: string;
  includeTestLeads: boolean;
}

/** The channel kind an ad platform's leads must be credited to, so ROI reports add up by platform. */
const channelKindOfPlatform = { meta: 'meta', google: 'google', linkedin: 'linkedin', tiktok: 'tiktok' } as const;

interface IssueSink {
  addIssue(issue: { code: 'custom'; path: Array<string | number>; message: string }): void;
}

/**
 * The cross-references of `integrations`, run inside the configuration's own refinement: every pool and
 * channel must exist (an ad platform's channel must be of that platform's kind), and no platform form or
 * generic source may be listed twice. Each issue names its field, e.g. `integrations.meta.forms[0].poolId`.
 */
export function checkIntegrationReferences(integrations: Integrations, known: { poolIds: ReadonlySet<string>; channels: ReadonlyArray<{ id: string; kind: string }> }, ctx: IssueSink): void {
  const checkRoute = (route: LeadRoute, path: Array<string | number>, platform?: keyof typeof channelKindOfPlatform) => {
    if (!known.poolIds.has(route.poolId)) ctx.addIssue({ code: 'custom', path: [...path, 'poolId'], message: `unknown pool "${route.poolId}"` });
    const channel = known.channels.find((candidate) => candidate.id === route.channel);
    if (!channel) ctx.addIssue({ code: 'custom', path: [...path, 'channel'], message: `unknown channel "${route.channel}"` });
    else if (platform && channel.kind !== channelKindOfPlatform[platform]) {
      ctx.addIssue({ code: 'custom', path: [...path, 'channel'], message: `channel "${route.channel}" is of kind "${channel.kind}"; ${platform} leads need a channel of kind "${channelKindOfPlatform[platform]}"` });
    }
  };
  const checkUnique = (ids: string[], path: Array<string | number>, field: string) => {
    const seen = new Set<string>();
    ids.forEach((id, index) => {
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [...path, index, field], message: `duplicate ${field} "${id}"` });
      seen.add(id);
    });
  };
  const platformForms = [
    ['meta', integrations.meta?.forms.map((form) => ({ route: form, id: form.formId }))],
    ['google', integrations.google?.forms.map((form) => ({ route: form, id: form.formId }))],
    ['linkedin', integrations.linkedin?.forms.map((form) => ({ route: form, id: form.formId }))],
    ['tiktok', integrations.tiktok?.forms.map((form) => ({ route: form, id: form.pageId }))],
  ] as const;
  for (const [platform, forms] of platformForms) {
    if (!forms) continue;
    const path = ['integrations', platform, 'forms'];
    forms.forEach(({ route }, index) => checkRoute(route, [...path, index], platform));
    checkUnique(
      forms.map(({ id }) => id),
      path,
      platform === 'tiktok' ? 'pageId' : 'formId',
    );
  }
  const sources = integrations.generic?.sources ?? [];
  sources.forEach((source, index) => checkRoute(source, ['integrations', 'generic', 'sources', index]));
  checkUnique(
    sources.map((source) => source.id),
    ['integrations', 'generic', 'sources'],
    'id',
  );
}

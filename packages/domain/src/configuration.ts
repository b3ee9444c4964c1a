import './zod-locale';
import * as z from 'zod/mini';
import { consentPurposeSchema } from './consent-ledger';
import { isValidPhoneNumber } from './phone-numbers';
import { leadContactFieldNames, sourceKindSchema } from './lead';
import { checkIntegrationReferences, integrationsSchema } from './integrations-configuration';
import { operationsSchema } from './operations-configuration';
import { defaultRetention, retentionSchema } from './data-retention';
import { scoringConfigurationSchema, type ScoringCondition } from './lead-scoring';
import { checkRoutingReferences, routingSchema } from './routing-configuration';
import { checkOfferReferences } from './lead-offer';
import { workingHoursSchema } from './rep-availability';
import { defaultReleaseReasons, poolClaimRulesSchema } from './pool-claim';
import { defaultInvalidReasons, qualificationSchema } from './lead-status-change';
import { poolRecycleRulesSchema, slaRulesSchema } from './follow-up-rules';
import { digestTimePattern } from './team-digest';
import { configuredCountrySchema, givenCountry, phoneCountrySchema } from './organisation-country';
import { defaultNotificationsConfiguration, notificationsConfigurationSchema } from './rep-notifications';
import { channelRoiSchema, checkClickIdChannels } from './channel-roi-configuration';
import { outboundWebhooksSchema } from './outbound-webhooks-configuration';
import { checkTagReferences, tagsConfigurationSchema } from './lead-tags';
import { checkNurtureReferences, nurtureConfigurationSchema } from './nurture-sequences';
import { toIssueList } from './issue-list';
import { ConfigurationError } from './configuration-error';
import { isIsoCurrencyCode } from './money';
import { checkFollowUpTimings } from './follow-up-rules';
import { checkSecretNames } from './integration-secrets';
import { checkExchangeRates } from './channel-roi-configuration';

/** An id that is safe in URLs, DynamoDB keys and log lines. */
const idSchema = z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be lower-case letters, digits, "-" or "_", starting with a letter or digit'));

const timeZoneSchema = z.string().check(
  z.superRefine((zone, ctx) => {
    const issue = timeZoneIssue(zone);
    if (issue) ctx.addIssue({ code: 'custom', message: issue });
  }),
);

/**
 * Why `zone` is not an IANA time zone as the configuration needs it, or `undefined`. ICU (`Intl`) takes more
 * than the IANA names: any case (`america/new_york`) and abbreviations (`PST`, `EST`), and the organisation's
 * zone reaches EventBridge Scheduler as typed. `EST`, `MST` and `HST` are fixed offsets without summer time,
 * an hour out for half the year wherever they are meant as the local time; `PST` is no IANA name at all.
 */
function timeZoneIssue(zone: string): string | undefined {
  let canonical: string;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return 'must be an IANA time zone such as "Europe/Berlin"';
  }
  if (zone !== 'UTC' && !zone.includes('/')) return `must be an IANA time zone of the form Area/Location such as "America/New_York", or "UTC" (abbreviations such as "EST" or "PST" are fixed offsets or no IANA name)`;
  const misspelt = zone.split('/').some((part) => !/^[A-Z]/.test(part)) || (zone !== canonical && zone.toLowerCase() === canonical.toLowerCase());
  if (misspelt) return `must be spelt as the IANA time zone database spells it${/^[A-Z]/.test(canonical) ? `: "${canonical}"` : ''}`;
  return undefined;
}

/**
 * The largest `weight` a rep may have. A weighted turn replays the smooth rotation from its start for up to
 * the sum of the pool's weights in steps, each over every member, so the weights bound each assignment's
 * work; 1000 still gives shares to a tenth of a percent.
 */
export const maxRepWeight = 1000;

export const repSchema = z.strictObject({
  id: idSchema,
  name: z.string().check(z.trim(), z.minLength(1)),
  email: z.email(),
  phone: z.string().check(z.refine((value) => isValidPhoneNumber(value), { message: 'must be a valid phone number in E.164 form, such as "+14155550100"' })),
  /** Regions the rep covers, used by territory routing. */
  regions: z._default(z.array(z.string().check(z.minLength(1))), []),
  /** Countries the rep covers (ISO codes), used by territory routing. */
  countries: z._default(z.array(configuredCountrySchema), []),
  /**
   * Relative share for weighted routing (a whole number, so the rotation repeats exactly), at most
   * `maxRepWeight`: each weighted assignment replays the rotation up to the weights' sum in steps.
   */
  weight: z._default(z.number().check(z.int(), z.positive(), z.maximum(maxRepWeight, `must be at most ${maxRepWeight}: weights are shares, so 70 and 30 give what 700000 and 300000 would`)), 1),
  /** Most open leads the rep may hold at once (持有上限). */
  capacity: z.number().check(z.int(), z.positive()),
  timeZone: timeZoneSchema,
  /** When the rep takes leads, in their own time zone; omitted, at any hour. */
  workingHours: z.optional(workingHoursSchema),
  active: z._default(z.boolean(), true),
});

export const poolSchema = z.strictObject({
  id: idSchema,
  name: z.string().check(z.trim(), z.minLength(1)),
  teamId: idSchema,
  /** Reps who receive and may claim leads of this pool, in routing order. */
  members: z.array(idSchema).check(z.minLength(1)),
  /** Pool admins (公海管理员): may claim like members and are exempt from the daily claim limit. */
  admins: z._default(z.array(idSchema), []),
  claim: z._default(poolClaimRulesSchema, poolClaimRulesSchema.parse({})),
  /** The reasons an owner may give when releasing a lead back to this pool. */
  releaseReasons: z._default(z.array(idSchema).check(z.minLength(1)), defaultReleaseReasons),
  /** The reasons a lead of this pool may be marked invalid with (无效原因). */
  invalidReasons: z._default(z.array(idSchema).check(z.minLength(1)), defaultInvalidReasons),
  /** The qualification levels this pool's leads may be marked `qualified` as. */
  qualifications: z._default(z.array(qualificationSchema).check(z.minLength(1)), ['mql', 'sql']),
  /** Automatic recycling (回收) of leads their owners do not work; none without it. */
  recycle: z.optional(poolRecycleRulesSchema),
});

export const teamSchema = z.strictObject({
  id: idSchema,
  name: z.string().check(z.trim(), z.minLength(1)),
  managers: z._default(z.array(idSchema), []),
  /** The managers' morning digest, by email at a local time on the quarter hour, covering the day before; none without it. */
  digest: z.optional(z.strictObject({ at: z.string().check(z.regex(digestTimePattern, 'must be a time on the quarter hour such as "08:30"')), timeZone: timeZoneSchema })),
});

export const formFieldTypeSchema = z.enum(['text', 'email', 'phone', 'textarea', 'select', 'checkbox', 'hidden']);

export const formFieldSchema = z.strictObject({
  name: z.string().check(z.regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must be a plain field name such as "company_size"')),
  label: z.string().check(z.minLength(1)),
  type: z._default(formFieldTypeSchema, 'text'),
  required: z._default(z.boolean(), false),
  /** The lead contact field this answer fills; answers without one are kept as they are. */
  mapsTo: z.optional(z.enum(leadContactFieldNames)),
  maxLength: z._default(z.number().check(z.int(), z.positive(), z.maximum(10_000)), 500),
  options: z.optional(z.array(z.string().check(z.minLength(1)))),
});

/**
 * A browser origin exactly as browsers send it in `Origin` (`https://northwind.example`: scheme, host, port
 * if not the default; no path, no trailing slash, lower case), or `*`. Any other spelling never matches, so
 * every preflight would be refused; `null` (sandboxed frames, files) would let any site post.
 */
const originSchema = z.string().check(z.refine((value) => value === '*' || isOrigin(value), 'must be an origin such as "https://www.example.com" (scheme, host and port only, lower case, no trailing slash) or "*"'));

function isOrigin(value: string): boolean {
  if (!/^https?:\/\//.test(value)) return false;
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

export const formSchema = z.strictObject({
  id: idSchema,
  name: z.string().check(z.trim(), z.minLength(1)),
  poolId: idSchema,
  channel: idSchema,
  fields: z.array(formFieldSchema).check(z.minLength(1)),
  /** Where national phone numbers are read. */
  defaultCountry: phoneCountrySchema,
  // The page a visitor is sent to: a `javascript:` or `data:` URL there would run in the visitor's browser.
  thankYouUrl: z.optional(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' })),
  allowedOrigins: z._default(z.array(originSchema), []),
  /** The consent text shown; `purposes` says what ticking it allows (add `marketing_email` only when the text asks for it). */
  consent: z.optional(
    z
      .strictObject({
        text: z.string().check(z.minLength(1)),
        version: z.string().check(z.minLength(1)),
        required: z._default(z.boolean(), false),
        purposes: z._default(z.array(consentPurposeSchema).check(z.minLength(1)), ['contact']),
        /** Whether this form's marketing consent waits for the person to confirm it by email; absent: `nurture.doubleOptIn`. */
        doubleOptIn: z.optional(z.boolean()),
      })
      .check(
        z.refine((consent) => consent.doubleOptIn === undefined || consent.purposes.includes('marketing_email'), {
          path: ['doubleOptIn'],
          message: 'only for a consent whose purposes include "marketing_email"',
        }),
      ),
  ),
  /** Posts filled faster than this (measured by the embed script) are treated as bots and quarantined. */
  minFillSeconds: z._default(z.number().check(z.minimum(0), z.maximum(600)), 3),
  /** Most posts one IP address may make to this form per minute; more get 429. */
  rateLimitPerMinute: z._default(z.number().check(z.int(), z.positive(), z.maximum(10_000)), 10),
  /** Cloudflare Turnstile: each post must carry a token the verify endpoint accepts (secret key: secret `forms/<id>/turnstile-secret-key`). */
  turnstile: z._default(z.boolean(), false),
});

export const channelKindSchema = z.enum(['web_form', 'meta', 'google', 'tiktok', 'linkedin', 'webhook', 'import']);

export const channelSchema = z.strictObject({
  id: idSchema,
  name: z.string().check(z.trim(), z.minLength(1)),
  kind: channelKindSchema,
});

/**
 * The whole configuration of a Leadflow installation: who sells, which forms feed which pools, and how
 * leads are reported. Later capabilities (scoring, SLA, recycling) add their own sections here.
 */
export const configurationSchema = z
  .strictObject({
    organisation: z.strictObject({
      name: z.string().check(z.trim(), z.minLength(1)),
      timeZone: timeZoneSchema,
      // Spend rows and sales take only ISO 4217 codes in use: a made-up code such as "RMB" would refuse every one.
      currency: z.string().check(z.refine(isIsoCurrencyCode, 'must be an ISO 4217 currency code such as "USD"')),
      /** The address rep notifications are sent from (a verified SES identity when deployed). */
      notificationSender: z.email(),
    }),
    reps: z.array(repSchema).check(z.minLength(1)),
    teams: z.array(teamSchema).check(z.minLength(1)),
    pools: z.array(poolSchema).check(z.minLength(1)),
    channels: z.array(channelSchema).check(z.minLength(1)),
    forms: z._default(z.array(formSchema), []),
    integrations: z._default(integrationsSchema, {}),
    /** How a deployed stage is operated: alarm recipients, speed-to-lead bound, log retention, data retention. */
    operations: z._default(operationsSchema, operationsSchema.parse({})),
    scoring: scoringConfigurationSchema,
    routing: routingSchema,
    /** First-contact and next-step service levels: reminders, escalation to managers, a second breach's action. */
    sla: z.optional(slaRulesSchema),
    /** How reps are told: channels per grade/temperature, preferences and quiet hours, SMS budgets, one-tap links. */
    notifications: z._default(notificationsConfigurationSchema, defaultNotificationsConfiguration),
    /** Channel ROI for finance: the restatement lookback and dated exchange rates. */
    channelRoi: z._default(channelRoiSchema, channelRoiSchema.parse({})),
    /** Outbound webhooks: lead events POSTed, signed, to the company's own systems (its CRM). */
    webhooks: z._default(outboundWebhooksSchema, { destinations: [] }),
    /** How long test, quarantined and invalid leads, raw platform deliveries and notification records are kept (days). */
    retention: z._default(retentionSchema, defaultRetention),
    /** The tag vocabulary (names, colours, who may set each) and the rules that apply tags when a lead is scored. */
    tags: z._default(tagsConfigurationSchema, tagsConfigurationSchema.parse({})),
    /** Nurture sequences (培育): emails that `nurture` routes start for leads with marketing-email consent. */
    nurture: z._default(nurtureConfigurationSchema, nurtureConfigurationSchema.parse({})),
  })
  .check(
    z.superRefine((config, ctx) => {
      const ids = (items: Array<{ id: string }>) => new Set(items.map((item) => item.id));
      const repIds = ids(config.reps);
      const teamIds = ids(config.teams);
      const poolIds = ids(config.pools);
      const channelIds = ids(config.channels);

      for (const [section, items] of Object.entries({ reps: config.reps, teams: config.teams, pools: config.pools, channels: config.channels, forms: config.forms })) {
        const seen = new Set<string>();
        items.forEach((item, index) => {
          if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [section, index, 'id'], message: `duplicate id "${item.id}"` });
          seen.add(item.id);
        });
      }
      // A rep listed twice would take two turns of every round (an unintended weight) or be told twice.
      const checkRepList = (repIdsListed: readonly string[], path: Array<string | number>) => {
        const listed = new Set<string>();
        repIdsListed.forEach((repId, repIndex) => {
          if (!repIds.has(repId)) ctx.addIssue({ code: 'custom', path: [...path, repIndex], message: `unknown rep "${repId}"` });
          else if (listed.has(repId)) ctx.addIssue({ code: 'custom', path: [...path, repIndex], message: `rep "${repId}" is listed twice` });
          listed.add(repId);
        });
      };
      config.teams.forEach((team, index) => {
        checkRepList(team.managers, ['teams', index, 'managers']);
        // The digest goes to the team's managers and its pools' admins: with neither it would never be sent.
        if (team.digest && team.managers.length === 0 && !config.pools.some((pool) => pool.teamId === team.id && pool.admins.length > 0)) {
          ctx.addIssue({ code: 'custom', path: ['teams', index, 'digest'], message: 'nobody would receive it: the team has no managers and its pools no admins' });
        }
      });
      config.pools.forEach((pool, index) => {
        if (!teamIds.has(pool.teamId)) ctx.addIssue({ code: 'custom', path: ['pools', index, 'teamId'], message: `unknown team "${pool.teamId}"` });
        checkRepList(pool.members, ['pools', index, 'members']);
        checkRepList(pool.admins, ['pools', index, 'admins']);
        if (pool.recycle?.toRep && !repIds.has(pool.recycle.toRep)) ctx.addIssue({ code: 'custom', path: ['pools', index, 'recycle', 'toRep'], message: `unknown rep "${pool.recycle.toRep}"` });
      });
      config.forms.forEach((form, index) => {
        if (!poolIds.has(form.poolId)) ctx.addIssue({ code: 'custom', path: ['forms', index, 'poolId'], message: `unknown pool "${form.poolId}"` });
        if (!channelIds.has(form.channel)) ctx.addIssue({ code: 'custom', path: ['forms', index, 'channel'], message: `unknown channel "${form.channel}"` });
        const fieldNames = new Set<string>();
        form.fields.forEach((field, fieldIndex) => {
          if (fieldNames.has(field.name)) ctx.addIssue({ code: 'custom', path: ['forms', index, 'fields', fieldIndex, 'name'], message: `duplicate field "${field.name}"` });
          fieldNames.add(field.name);
          if (field.type === 'select' && !field.options?.length) ctx.addIssue({ code: 'custom', path: ['forms', index, 'fields', fieldIndex, 'options'], message: 'a select field needs options' });
        });
        if (!form.fields.some((field) => field.mapsTo === 'email' || field.mapsTo === 'phone')) {
          ctx.addIssue({ code: 'custom', path: ['forms', index, 'fields'], message: 'a form needs a field that maps to "email" or "phone", or its leads cannot be contacted' });
        }
      });
      checkIntegrationReferences(config.integrations, { poolIds, channels: config.channels }, ctx);
      checkClickIdChannels(config, ctx);
      checkRoutingReferences(config, ctx);
      checkOfferReferences(config, ctx);
      checkTagReferences(config.tags, ctx);
      checkNurtureReferences(config, ctx);
      checkConditionValues(config, ctx);
      checkExchangeRates(config, ctx);
      checkFollowUpTimings(config, ctx);
      checkSecretNames(config, ctx);
      for (const repId of Object.keys(config.notifications.repPreferences)) {
        if (!repIds.has(repId)) ctx.addIssue({ code: 'custom', path: ['notifications', 'repPreferences', repId], message: `unknown rep "${repId}"` });
      }
    }),
  );

/**
 * A scoring or tag rule's `in` on the lead's `channel`, `country` or `sourceKind` compares it with values those facts
 * can have (ignoring case): a configured channel's id, an ISO country code as leads are filed under (`GB`, never `UK`),
 * a source kind. Any other value never matches, and the rule would silently never apply.
 */
function checkConditionValues(config: Pick<Configuration, 'channels' | 'scoring' | 'tags'>, ctx: z.core.$RefinementCtx): void {
  const channelIds = new Set(config.channels.map((channel) => channel.id.toLowerCase()));
  const problemOf: Partial<Record<ScoringCondition['fact'], (value: string) => string | undefined>> = {
    channel: (value) => (channelIds.has(value.toLowerCase()) ? undefined : `unknown channel "${value}"`),
    country: (value) =>
      givenCountry(value)?.toLowerCase() === value.trim().toLowerCase()
        ? undefined
        : givenCountry(value) === 'GB'
          ? `"${value}" never matches: leads who give it are filed under "GB"`
          : `"${value}" never matches: must be an ISO 3166-1 alpha-2 country code such as "US"`,
    sourceKind: (value) => ((sourceKindSchema.options as readonly string[]).includes(value.toLowerCase()) ? undefined : `unknown source kind "${value}": must be one of ${sourceKindSchema.options.join(', ')}`),
  };
  const check = (condition: ScoringCondition | undefined, path: Array<string | number>) => {
    const problem = condition && problemOf[condition.fact];
    if (!condition || !problem || !('in' in condition)) return;
    condition.in.forEach((value, valueIndex) => {
      const message = problem(value);
      if (message) ctx.addIssue({ code: 'custom', path: [...path, 'in', valueIndex], message });
    });
  };
  config.scoring.rules.forEach((rule, index) => check(rule.when, ['scoring', 'rules', index, 'when']));
  config.tags.rules.forEach((rule, index) => check(rule.when, ['tags', 'rules', index, 'when']));
}

export type Configuration = z.infer<typeof configurationSchema>;
export type Rep = z.infer<typeof repSchema>;
export type Pool = z.infer<typeof poolSchema>;
export type Team = z.infer<typeof teamSchema>;
export type Form = z.infer<typeof formSchema>;
export type FormField = z.infer<typeof formFieldSchema>;
export type Channel = z.infer<typeof channelSchema>;

/**
 * Validates a configuration document.
 * @throws ConfigurationError naming each offending field, e.g. `forms[0].poolId: unknown pool "x"`.
 */
export function parseConfiguration(document: unknown, source = 'configuration'): Configuration {
  const result = configurationSchema.safeParse(document);
  if (!result.success) throw new ConfigurationError(source, toIssueList(result.error));
  return result.data;
}

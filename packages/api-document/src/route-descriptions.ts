import * as z from 'zod/mini';
import {
  activityBodySchema,
  assignBodySchema,
  availabilityChangeSchema,
  claimBodySchema,
  conversionBodySchema,
  conversionCorrectionBodySchema,
  correctedConversionSchema,
  defaultInvalidReasons,
  defaultReleaseReasons,
  genericLeadWebhookBodySchema,
  googleLeadCredentialsSchema,
  googleLeadDeliverySchema,
  leadSchema,
  linkedInNotificationSchema,
  lockBodySchema,
  metaLeadgenDeliverySchema,
  myLeadsQuerySchema,
  consentLedgerQuerySchema,
  outOfOfficeSchema,
  poolListingQuerySchema,
  qualificationSchema,
  releaseBodySchema,
  funnelQuerySchema,
  reportPageQuerySchema,
  reportQuerySchema,
  rollupRangeSchema,
  routeSchema,
  statusBodySchema,
  tagBodySchema,
  type TextEncodingName,
} from '@leadflow/domain';
import type { HttpMethod } from '@leadflow/manifest';
import { channelRoiRollupSchema, rollupRefusalSchema, spendBodySchema } from './channel-roi-bodies';
import type { ContentDescription, NamedSchema, ParameterDescription, ResponseDescription, RouteDescription } from './route-description';

/** `METHOD /path`, as the manifest's HTTP triggers spell them. */
export type RouteKey = `${HttpMethod} /${string}`;

/**
 * Lists a pool reads from the configuration, so a body's values differ per pool: the schemas are built
 * with the defaults, and the document says where the real values come from (see `configuredLists`).
 */
const documentedPool = { releaseReasons: defaultReleaseReasons, invalidReasons: defaultInvalidReasons, qualifications: qualificationSchema.options };

/** Pool lists as they appear in a schema built from `documentedPool`, with what the document says instead. */

export const configuredLists: ReadonlyArray<{ values: readonly string[]; description: string }> = [
  { values: defaultReleaseReasons, description: `One of the pool's \`releaseReasons\` (configuration; by default ${defaultReleaseReasons.join(', ')}).` },
  { values: defaultInvalidReasons, description: `One of the pool's \`invalidReasons\` (configuration; by default ${defaultInvalidReasons.join(', ')}).` },
  {
    values: qualificationSchema.options,
    description: `One of the pool's \`qualifications\` (configuration: some of ${qualificationSchema.options.join(', ')}; by default all of them).`,
  },
];

/** Checks against "now" (a next step after it, a sale not after it) have no JSON Schema form, so any instant builds the same schema. */
const documentedNow = new Date(0);

const lead: NamedSchema = { name: 'Lead', schema: leadSchema };
const json = (schema: NamedSchema | null = null): ContentDescription => ({ 'application/json': schema });
const theLead: Record<number, ResponseDescription> = { 200: { description: 'The lead as it now is.', content: json(lead) } };
const leadIdParameter = { leadId: 'The lead id.' };
const html = { 'text/html': null };

/** A lifecycle step's answers, as the shared lead-transition handler gives them. */
const leadStepErrors = {
  400: 'The body is invalid; `issues` name the fields.',
  403: 'The caller may not take this step (`rule` names why where a rule decided).',
  404: 'No such lead.',
  409: 'Refused by a lifecycle rule (`rule`: `illegal_transition`, `lead_changed`, …).',
  413: 'The body is over 64 KB.',
  415: 'The body is not JSON, or is JSON in a charset other than UTF-8.',
} as const;

const webhookIntakeErrors = {
  400: 'The delivery is invalid; `issues` name the fields.',
  401: 'The signature is missing or does not match the body.',
  404: 'This integration is not configured.',
  413: 'The body is over 64 KB.',
  429: 'Over the webhook intake limit; retry after `Retry-After` seconds.',
} as const;

const intakeAcknowledgement: Record<number, ResponseDescription> = {
  200: { description: '`{"leadId"}` once stored, with `"duplicate": true` when the person already had a lead; `{"skipped"}` for a test lead the source does not include.', content: json() },
};

/**
 * The \`charset=\` labels a \`text/csv\` body may name, by the encoding they are read in (\`readCsvBody\` and
 * \`textEncodingNamed\`); the document test holds them to the domain's labels.
 */
export const csvCharsetLabels: Readonly<Record<TextEncodingName, readonly string[]>> = {
  'utf-8': ['utf-8', 'utf8'],
  'windows-1252': ['windows-1252', 'cp1252', 'latin1', 'iso-8859-1'],
  gb18030: ['gb18030', 'gbk', 'gb2312', 'cp936'],
};

const labelsInWords = (labels: readonly string[]) => labels.map((label) => `\`${label}\``).join(', ');
const csvCharsets =
  `UTF-8 without a \`charset\` (or ${labelsInWords(csvCharsetLabels['utf-8'])}), Windows-1252 with \`charset=\` ${labelsInWords(csvCharsetLabels['windows-1252'])}, ` +
  `or GB18030 with \`charset=\` ${labelsInWords(csvCharsetLabels.gb18030)}; a body starting with the UTF-8 byte-order mark is UTF-8 whatever the charset`;

const lookupQuery: ParameterDescription[] = [
  { name: 'email', description: 'The email address to look up; exactly one of `email` and `phone`.' },
  { name: 'phone', description: 'The phone number to look up (E.164, or national in `country`); exactly one of `email` and `phone`.' },
  { name: 'country', description: "ISO 3166-1 alpha-2 country national phone numbers are read in; by default the organisation's." },
];

const importQuery: ParameterDescription[] = [
  { name: 'source', required: true, description: 'The configured channel the leads came from.' },
  { name: 'campaign', description: 'The campaign id: 1-128 letters of any script (`展会`, `Messe München`), digits, spaces or `_.:/-`, starting with a letter or digit; kept in Unicode NFC.' },
  { name: 'pool', description: 'The pool the leads go to; required unless the configuration has one pool.' },
  { name: 'country', description: 'ISO 3166-1 alpha-2 country national phone numbers are read in.' },
  { name: 'fromLine', description: 'The line to go on from (line 1 is the header): the `nextLine` of an answer that stopped early, to store the rest of the same file.' },
];

/**
 * A plain form post: the form's configured fields by name (`forms[].fields`), `consent`, the embed
 * script's `_hp`, `_started_at` and `_fill_ms`, attribution keys (`utm_*`, click ids) and `first_touch`. Which
 * fields are required and how they are checked is the form's configuration.
 */
const formPostSchema = z.record(z.string(), z.unknown()).check(z.describe("The form's fields by name, with consent and attribution keys; checked against the form's configuration."));

/** What `GET /routing` answers: the configured routes in order, each with the name and pattern of the rule compiled from it. */
const routingTableSchema = z.strictObject({ routes: z.array(z.extend(routeSchema, { ruleName: z.string(), pattern: z.record(z.string(), z.unknown()) })) });

/**
 * Every route of the manifest, described: the one place to add a route's schemas and answers. The
 * document test fails, naming the route, when a route of the manifest has no entry here or an entry
 * here has no route.
 */
export const routeDescriptions: Readonly<Record<RouteKey, RouteDescription>> = {
  'GET /health': {
    responses: { 200: { description: '`{"status": "ok"}`.', content: json() } },
  },
  'GET /openapi.json': {
    responses: { 200: { description: 'This document.', content: json() } },
  },
  'GET /embed.js': {
    headers: [{ name: 'If-None-Match', description: 'The ETag of a copy the caller holds.' }],
    responses: {
      200: { description: 'The embed script.', content: { 'application/javascript': null }, headers: { ETag: 'SHA-256 of the script.', 'Cache-Control': 'Five minutes, then stale while revalidating.' } },
      304: { description: 'The copy the caller holds is current.' },
    },
  },
  'POST /forms/{formId}/submissions': {
    pathParameters: { formId: 'A configured form id.' },
    headers: [{ name: 'Idempotency-Key', description: 'Repeating a key repeats the first answer instead of storing again.' }],
    requestBody: {
      required: true,
      content: {
        'application/json': { name: 'FormPost', schema: formPostSchema },
        'application/x-www-form-urlencoded': { name: 'FormPost', schema: formPostSchema },
        'multipart/form-data': { name: 'FormPost', schema: formPostSchema },
      },
    },
    responses: {
      202: {
        description: 'Stored: `{"leadId"}`; when the person already had a lead (the post became a touch on it) or the `Idempotency-Key` repeats, that lead, answered alike so a post cannot tell who is known.',
        content: json(),
      },
      303: { description: "A plain HTML post (`Accept: text/html`): on to the form's `thankYouUrl?leadId=…`.", headers: { Location: 'The thank-you page.' } },
      200: { description: 'A plain HTML post to a form without `thankYouUrl`: a confirmation page.', content: html },
    },
    errors: {
      400: 'Invalid fields, missing consent or a `consent` that is not a string or true/false, a failed human check, a body that is not UTF-8, or a file part with content (file uploads are not accepted; an empty file input is ignored); `issues` name the fields.',
      404: 'No such form.',
      413: 'The body is over 64 KB.',
      415: 'Not JSON, urlencoded or multipart form data, or JSON in a charset other than UTF-8.',
      429: "Over the form's per-IP limit; retry after `Retry-After` seconds.",
      503: 'Turnstile (the human check) failed on its side or did not answer; nothing was stored. Post again after `Retry-After` seconds.',
    },
  },
  'OPTIONS /forms/{formId}/submissions': {
    pathParameters: { formId: 'A configured form id.' },
    headers: [{ name: 'Origin', description: "The page's origin; allowed when it is in the form's `allowedOrigins`." }],
    responses: {
      204: { description: 'The origin may post: the CORS headers.', headers: { 'Access-Control-Allow-Origin': 'The allowed origin.' } },
      403: { description: 'The origin is not allowed (no body).' },
    },
    errors: { 404: 'No such form.' },
  },
  'GET /leads/{leadId}': {
    pathParameters: leadIdParameter,
    responses: { 200: { description: 'The lead.', content: json(lead) } },
    errors: { 403: 'The lead belongs to another rep, or the caller is finance.', 404: 'No such lead.' },
  },
  'POST /leads/{leadId}/tags': {
    pathParameters: leadIdParameter,
    requestBody: { required: true, description: 'A tag of the configured vocabulary (`tags.vocabulary[].id`).', content: json({ name: 'TagBody', schema: tagBodySchema({ vocabulary: [], rules: [] }) }) },
    responses: theLead,
    errors: {
      ...leadStepErrors,
      400: 'The body is invalid or names a tag outside the vocabulary; `issues` name the field.',
      403: 'The caller may not set this tag (`may_not_tag`).',
      409: 'The lead has the tag already (`already_tagged`), or the person was erased (`erased`).',
    },
  },
  'DELETE /leads/{leadId}/tags/{tag}': {
    pathParameters: { ...leadIdParameter, tag: 'A tag of the configured vocabulary.' },
    responses: theLead,
    errors: {
      400: 'The tag is outside the vocabulary.',
      403: 'The caller may not remove this tag (`may_not_tag`).',
      404: 'No such lead.',
      409: 'The lead does not have the tag (`not_tagged`), or the person was erased (`erased`).',
    },
  },
  'GET /leads/{leadId}/consents': {
    pathParameters: leadIdParameter,
    query: consentLedgerQuerySchema,
    responses: {
      200: {
        description: 'A page of the consent ledger in time order and the purposes in force (read from the whole ledger): `{"leadId", "entries": [...], "inForce": {...}, "cursor"?}`.',
        content: json(),
      },
    },
    errors: { 400: 'A bad or unknown parameter, or a cursor of another list; `issues` name it.', 403: 'The lead belongs to another rep, or the caller is finance.', 404: 'No such lead.' },
  },
  'GET /leads/{leadId}/export': {
    pathParameters: leadIdParameter,
    responses: {
      200: {
        description:
          'Everything held about the person: the lead and its timeline, the consent ledger (its newest 100 entries; when there are more, `consentsLeftOut` gives how many older ones are left out and `pagedAt` the route that pages them all), the intake records of the platform deliveries that brought it or touched it (`intakeRecords`), its notification send records, its conversions queued for the ad platforms (`conversionFeedback`: pending, sent or dead, with the Meta lead id or click id), and the outbound webhook deliveries holding what the person answered (`webhookDeliveries`).',
        content: json(),
      },
    },
    errors: { 403: 'Only admins may export a person.', 404: 'No such lead.' },
  },
  'DELETE /leads/{leadId}': {
    pathParameters: leadIdParameter,
    responses: {
      200: { description: 'The person is erased everywhere they are stored: `{"leadId", "status": "erased", "alreadyErased": false}`; a repeat answers `alreadyErased: true` and changes nothing.', content: json() },
    },
    errors: {
      403: 'Only admins may erase a person.',
      404: 'No such lead.',
      503: 'The outbox backlog is too large to search for the lead’s unpublished events (the event relay is behind); nothing changed. Ask again after `Retry-After` seconds.',
    },
  },
  'GET /leads/lookup': {
    query: lookupQuery,
    responses: {
      200: {
        description:
          '`{"exists": false}` or who holds the person: `{"exists": true, "leadId", "status", "heldBy", "poolId", "owner", "since"}`; `owner.id` is `null` and `owner.name` masked for another rep; never contact details.',
        content: json(),
      },
    },
    errors: { 400: 'Not exactly one valid `email` or `phone`, or a bad `country`.', 403: 'Finance may not look up leads.', 429: 'Over 30 checks a minute for the caller; retry after `Retry-After` seconds.' },
  },
  'POST /imports': {
    query: importQuery,
    requestBody: { required: true, description: `A CSV lead list with a header row: ${csvCharsets}.`, content: { 'text/csv': null } },
    responses: {
      200: {
        description:
          'The counts and each row\'s errors: `{"rows", "created", "touched", "replayed", "invalid", "errors": [{"row", "column", "message"}]}`, and `"nextLine"` when time ran out first: the counts cover the lines before it; send the file again with `fromLine` for the rest. `errors` holds as many as fit in one answer; `"errorsNotListed"` counts the rest. A row is keyed by its `external_id` column when the file has one (so a corrected row is the same lead), else by its content.',
        content: json(),
      },
    },
    errors: {
      400: 'A bad parameter, an unknown charset (`content-type`), a file not in its charset or a UTF-8 file sent as windows-1252 (`(file)`, `content-type`, naming the line), or a file that cannot be imported; `issues` name them.',
      403: 'Imports are for managers and admins.',
      413: 'The file is over 1 MB.',
      415: 'Not `text/csv`.',
      503: 'The database was unavailable before any row was stored (once rows are stored, the answer is a `200` with `nextLine`).',
    },
  },
  'GET /routing': {
    responses: { 200: { description: 'The routing table in order, each route with its compiled EventBridge rule.', content: json({ name: 'RoutingTable', schema: routingTableSchema }) } },
    errors: { 403: 'The routing table is for managers and admins.' },
  },
  'GET /reps': {
    responses: {
      200: {
        description:
          'Every configured rep, as routing sees them now: `{"asOf", "reps": [{"id", "name", "email", "active", "available", "unavailable"?, "outOfOffice"?, "timeZone", "workingHours"?, "openLeads", "capacity", "pools": [{"poolId", "holdingCap"}]}]}`.',
        content: json(),
      },
    },
    errors: { 403: 'Reps and finance.' },
  },
  'PUT /reps/{repId}/availability': {
    pathParameters: { repId: 'A configured rep id.' },
    requestBody: { required: true, content: json({ name: 'AvailabilityChange', schema: availabilityChangeSchema }) },
    responses: { 200: { description: 'The availability record as stored.', content: json({ name: 'OutOfOffice', schema: outOfOfficeSchema }) } },
    errors: {
      400: 'The body is invalid (`until` must be in the future, and comes only with `"outOfOffice": true`); `issues` name the field.',
      403: 'Only the rep themself, a manager or an admin.',
      404: 'No such rep.',
      413: 'The body is over 64 KB.',
      415: 'The body is not JSON, or is JSON in a charset other than UTF-8.',
    },
  },
  'GET /pools/{poolId}/leads': {
    pathParameters: { poolId: 'A configured pool id.' },
    query: poolListingQuerySchema,
    responses: { 200: { description: 'The leads waiting in the pool, oldest first, contacts masked for reps: `{"poolId", "leads": [...], "cursor"?}`.', content: json() } },
    errors: { 400: 'A bad or unknown parameter, or a channel or tag the configuration does not have; `issues` name it.', 403: 'Not a member of the pool, or finance.', 404: 'No such pool.' },
  },
  'POST /leads/{leadId}/claim': {
    pathParameters: leadIdParameter,
    requestBody: { required: false, content: json({ name: 'ClaimBody', schema: claimBodySchema }) },
    responses: theLead,
    errors: { ...leadStepErrors, 409: 'Refused by a claim rule (`rule`: `already_owned`, `not_in_pool`, `new_lead_wait`, `previous_owner_cooldown`, `daily_limit`, `holding_cap`).' },
  },
  'POST /leads/{leadId}/release': {
    pathParameters: leadIdParameter,
    requestBody: { required: true, content: json({ name: 'ReleaseBody', schema: releaseBodySchema(documentedPool) }) },
    responses: theLead,
    errors: {
      ...leadStepErrors,
      403: "The lead is another's (`rule`: `not_owner`), or the caller is finance.",
      409: 'The caller no longer holds the lead (released or recycled, it waits unowned), or it is not in a releasable state (`rule`: `not_held`); or its pool is no longer configured (`not_in_pool`).',
    },
  },
  'POST /leads/{leadId}/assign': {
    pathParameters: leadIdParameter,
    requestBody: { required: true, content: json({ name: 'AssignBody', schema: assignBodySchema }) },
    responses: theLead,
    errors: leadStepErrors,
  },
  'POST /leads/{leadId}/lock': {
    pathParameters: leadIdParameter,
    requestBody: { required: false, content: json({ name: 'LockBody', schema: lockBodySchema }) },
    responses: theLead,
    errors: leadStepErrors,
  },
  'POST /leads/{leadId}/unlock': {
    pathParameters: leadIdParameter,
    requestBody: { required: false, content: json({ name: 'LockBody', schema: lockBodySchema }) },
    responses: theLead,
    errors: leadStepErrors,
  },
  'POST /leads/{leadId}/activities': {
    pathParameters: leadIdParameter,
    requestBody: { required: true, description: '`nextStepAt` must be after now.', content: json({ name: 'ActivityBody', schema: activityBodySchema(documentedNow) }) },
    responses: theLead,
    errors: leadStepErrors,
  },
  'POST /leads/{leadId}/status': {
    pathParameters: leadIdParameter,
    requestBody: { required: true, content: json({ name: 'StatusBody', schema: statusBodySchema(documentedPool) }) },
    responses: theLead,
    errors: leadStepErrors,
  },
  'POST /leads/{leadId}/convert': {
    pathParameters: leadIdParameter,
    requestBody: { required: true, description: '`wonAt` must not be after now.', content: json({ name: 'ConversionBody', schema: conversionBodySchema(documentedNow) }) },
    responses: theLead,
    errors: leadStepErrors,
  },
  'POST /leads/{leadId}/conversion/corrections': {
    pathParameters: leadIdParameter,
    requestBody: {
      required: true,
      description: '`wonAt` must not be after now; without it, or without `dealId`, the conversion keeps its own. `revenue: 0` is a full refund.',
      content: json({ name: 'ConversionCorrectionBody', schema: conversionCorrectionBodySchema(documentedNow) }),
    },
    responses: {
      200: {
        description:
          "The lead as it now is (as it was, when it already held this conversion: nothing is written); finance, who does not see leads in full, gets the lead's id, status, channel, capture time and conversion.",
        content: json({ name: 'CorrectedLead', schema: z.union([leadSchema, correctedConversionSchema]) }),
      },
    },
    errors: { ...leadStepErrors, 409: 'Refused by a lifecycle rule (`rule`: `illegal_transition` when the lead is not converted, `lead_changed` when its conversion changed meanwhile).' },
  },
  'GET /me/leads': {
    query: myLeadsQuerySchema,
    responses: { 200: { description: 'The caller\'s own leads in the order to work them: `{"ownerId", "leads": [...], "cursor"?}`.', content: json() } },
    errors: { 400: 'A bad parameter; `issues` name it.', 403: 'Finance has no leads of its own.' },
  },
  'GET /reps/{repId}/leads': {
    pathParameters: { repId: 'A configured rep id.' },
    query: myLeadsQuerySchema,
    responses: { 200: { description: 'The rep\'s leads as `GET /me/leads` lists the rep their own: `{"ownerId", "leads": [...], "cursor"?}`.', content: json() } },
    errors: { 400: 'A bad parameter; `issues` name it.', 403: 'Another rep, or finance.', 404: 'No such rep is configured.' },
  },
  'GET /a/{token}': {
    pathParameters: { token: 'The signed one-tap link token from a notification.' },
    responses: {
      200: { description: 'The confirmation page, with the button that acts.', content: html },
      403: { description: "A forged link, or the lead is no longer the rep's: a page saying so.", content: html },
      409: { description: 'The link was used, or the lead changed: a page saying so.', content: html },
      410: { description: 'The link expired: a page saying so.', content: html },
    },
  },
  'POST /a/{token}': {
    pathParameters: { token: 'The signed one-tap link token from a notification.' },
    requestBody: { required: false, description: "The release form: `reason=<one of the pool's releaseReasons>`.", content: { 'application/x-www-form-urlencoded': null } },
    responses: {
      200: { description: 'Done: a page saying so.', content: html },
      400: { description: 'A release without a listed reason: a page saying so; nothing changed.', content: html },
      403: { description: "A forged link, or the lead is no longer the rep's: a page saying so.", content: html },
      409: { description: 'The link was used, or the lead changed: a page saying so.', content: html },
      410: { description: 'The link expired: a page saying so.', content: html },
    },
    errors: {
      400: 'Or (a link still usable) a form body that is not UTF-8; nothing changed.',
      413: 'A link still usable, with a body over 64 KB; nothing changed.',
      415: 'A link still usable, with a body declared JSON in a charset other than UTF-8; nothing changed.',
    },
  },
  'GET /u/{token}': {
    pathParameters: { token: 'The unsubscribe token from a nurture email (it proves the email went to the lead).' },
    responses: {
      200: { description: 'The confirmation page, with the button that unsubscribes; changes nothing.', content: html },
      403: { description: 'A forged or altered token: a page saying so.', content: html },
    },
  },
  'POST /u/{token}': {
    pathParameters: { token: 'The unsubscribe token from a nurture email (it proves the email went to the lead).' },
    requestBody: { required: false, description: 'RFC 8058 one-click: any body, e.g. `List-Unsubscribe=One-Click`.', content: { 'application/x-www-form-urlencoded': null } },
    responses: {
      200: { description: 'Unsubscribed (`withdrawn` marketing email on the consent ledger, once; the lead leaves its nurture sequence): a page saying so.', content: html },
      403: { description: 'A forged or altered token: a page saying so; nothing written.', content: html },
    },
  },
  'GET /c/{token}': {
    pathParameters: { token: 'The signed token of a double opt-in email (the lead and the link’s expiry, signed with the action-link key).' },
    responses: {
      200: { description: 'The page with the button that confirms marketing email (or, once confirmed, a page saying so); changes nothing.', content: html },
      403: { description: 'A forged or altered token: a page saying so.', content: html },
      409: { description: 'The person unsubscribed since (an unsubscribe stands), or gave no marketing consent: a page saying so.', content: html },
      410: { description: 'The link expired, or the person was erased: a page saying so.', content: html },
    },
  },
  'POST /c/{token}': {
    pathParameters: { token: 'The signed token of a double opt-in email (the lead and the link’s expiry, signed with the action-link key).' },
    requestBody: { required: false, description: 'The confirmation page’s form: an empty body.', content: { 'application/x-www-form-urlencoded': null } },
    responses: {
      200: {
        description:
          'Confirmed (`confirmed` marketing email on the consent ledger, once, with the IP and user agent of the press; a lead waiting for it starts its nurture sequence from the first step): a page saying so. Twice is once.',
        content: html,
      },
      403: { description: 'A forged or altered token: a page saying so; nothing written.', content: html },
      409: { description: 'The person unsubscribed since (an unsubscribe stands), or gave no marketing consent: a page saying so; nothing written.', content: html },
      410: { description: 'The link expired, or the person was erased: a page saying so; nothing written.', content: html },
    },
  },
  'GET /webhooks/meta': {
    query: [
      { name: 'hub.mode', required: true, description: '`subscribe`.' },
      { name: 'hub.verify_token', required: true, description: 'The configured verify token.' },
      { name: 'hub.challenge', required: true, description: 'Echoed back (at most 256 characters).' },
    ],
    responses: { 200: { description: '`hub.challenge`, as plain text.', content: { 'text/plain': null } } },
    errors: { 400: '`hub.challenge` is missing or too long.', 403: 'Not a subscription with the configured verify token.', 404: 'Meta Lead Ads is not configured.' },
  },
  'POST /webhooks/meta': {
    signature: { header: 'metaSignature' },
    requestBody: { required: true, content: json({ name: 'MetaLeadgenDelivery', schema: metaLeadgenDeliverySchema }) },
    responses: {
      200: {
        description:
          'Each lead the delivery names, stored or left pending for the retry schedule: `{"deliveries": [...], "unreadable"?: [{"path", "message"}], "ignored"?: [...]}`. A change naming no readable `leadgen_id` is listed under `unreadable` and not stored; a malformed Page id or time of an entry, or optional id or time of a readable change, is left out and listed under `ignored`. The other changes are stored all the same: Meta drops a refused batch.',
        content: json(),
      },
    },
    errors: {
      ...webhookIntakeErrors,
      400: 'A malformed envelope, or no leadgen change naming a readable lead; `issues` name the fields, and nothing is stored.',
      413: 'The body is over 512 KB (Meta batches up to 1,000 changes).',
    },
  },
  'POST /webhooks/google': {
    signature: { bodyField: 'google_key' },
    requestBody: { required: true, content: json({ name: 'GoogleLeadDelivery', schema: z.extend(googleLeadDeliverySchema, googleLeadCredentialsSchema.shape) }) },
    responses: intakeAcknowledgement,
    errors: { ...webhookIntakeErrors, 401: '`google_key` is missing or does not match the key configured for the form.', 403: 'The form is not configured to deliver leads here.' },
  },
  'GET /webhooks/linkedin': {
    query: [{ name: 'challengeCode', required: true, description: "LinkedIn's challenge: letters, digits and `-`, at most 64." }],
    responses: { 200: { description: '`{"challengeCode", "challengeResponse"}`: hex HMAC-SHA256 of the code with the client secret.', content: json() } },
    errors: { 400: 'No challenge code, or not shaped like one.', 404: 'LinkedIn Lead Sync is not configured.' },
  },
  'POST /webhooks/linkedin': {
    signature: { header: 'linkedInSignature' },
    requestBody: { required: true, content: json({ name: 'LinkedInLeadNotification', schema: linkedInNotificationSchema }) },
    responses: { 200: { description: '`{"deliveries": [...]}` for `CREATED` and `DELETED`; other actions are acknowledged with `ignored`.', content: json() } },
    errors: webhookIntakeErrors,
  },
  'POST /webhooks/tiktok': {
    signature: { header: 'tikTokSignature', optional: true },
    requestBody: { required: true, description: 'A lead webhook, read as a trigger only: each lead id with its `page_id`; the lead is read back from the Lead API.', content: json() },
    responses: {
      200: {
        description:
          'Each lead the delivery names, stored or left pending for the retry schedule: `{"deliveries": [...], "unreadable"?: [{"path", "message"}]}`. Signed, an item naming no lead id or `page_id` is listed under `unreadable` and not stored; the other leads are stored all the same.',
        content: json(),
      },
    },
    errors: {
      ...webhookIntakeErrors,
      400: 'A malformed list or nested object, no lead named, none readable, more than 10 leads, or (unsigned) any item naming no lead id or `page_id`; `issues` name the fields, and nothing is stored.',
      401: 'The signature is missing (required unless every form named has `allowUnsigned`) or does not match.',
      503: 'Unsigned only: a lead named could not be read back from the Lead API (or its form is not configured), so nothing was stored for it; the leads that were read are stored. Deliver again after `Retry-After` seconds (the stored ones are then duplicates).',
    },
  },
  'POST /webhooks/generic/{sourceId}': {
    pathParameters: { sourceId: 'A configured generic webhook source id.' },
    signature: { header: 'leadSignature' },
    headers: [{ name: 'Idempotency-Key', description: 'Without `event_id`, what makes a redelivery (even re-signed) a replay: 1 to 200 printable ASCII characters, per source.' }],
    requestBody: { required: true, content: json({ name: 'GenericLeadWebhook', schema: genericLeadWebhookBodySchema }) },
    responses: intakeAcknowledgement,
    errors: { ...webhookIntakeErrors, 409: 'The `event_id` (or `Idempotency-Key`) was sent before with other content; `issues` name it, and nothing is stored. A redelivery saying the same is a `200` duplicate.' },
  },
  'POST /spend': {
    requestBody: {
      required: true,
      description: `JSON rows, or a CSV file with a header row naming the same columns (any order and case; \`campaign\` may be left out): ${csvCharsets}. Each day and channel named is replaced.`,
      content: { 'application/json': { name: 'SpendBody', schema: spendBodySchema }, 'text/csv': null },
    },
    responses: {
      200: {
        description:
          '`{"rows", "replaced": [{"date", "channel", "campaigns"}], "currency", "rollupNeeded", "note"?}`: `rollupNeeded` lists the days too old for the nightly rollup to restate (before `channelRoi.lookbackDays` days before today), and `note` says to request `POST /rollups/channel-roi` for them.',
        content: json(),
      },
    },
    errors: {
      400: 'A bad row or field, or a CSV file with an unknown charset or not in its charset; `issues` name each. Nothing is recorded.',
      403: 'Spend is recorded by finance or an admin.',
      413: 'The body is over 1 MB.',
      415: 'Not JSON or CSV, or JSON in a charset other than UTF-8.',
    },
  },
  'POST /rollups/channel-roi': {
    requestBody: { required: true, content: json({ name: 'DayRange', schema: rollupRangeSchema }) },
    responses: {
      200: {
        description:
          'Each day rolled up: `{"days": [{"day", "version", "restated", "unchanged", "itemsRead"}], "nextFrom"?, "note"?}`. A range longer than one invocation has time for is rolled up as far as time allows (at least one day): `nextFrom` is the first day not rolled up, to request the rest from.',
        content: json({ name: 'ChannelRoiRollup', schema: channelRoiRollupSchema }),
      },
    },
    errors: {
      400: 'A bad range; `issues` name the field.',
      403: 'Rollups are run by finance or an admin.',
      409: {
        description:
          'A day holds a sale in a currency with no exchange rate configured on the day it was won (`rule: missing_exchange_rate`, naming the day and lead); `days` lists the days rolled up before it, and it and the days after it are not.',
        body: { name: 'RollupRefusal', schema: rollupRefusalSchema },
      },
      413: 'The body is over 64 KB.',
      415: 'The body is not JSON, or is JSON in a charset other than UTF-8.',
    },
  },
  'GET /reports/channel-roi': {
    query: reportQuerySchema,
    responses: {
      200: {
        description:
          'Channel ROI per day of the latest rollup versions, as CSV (RFC 4180) or, with `format=json`, `{…query, "asOf", "currency", "rows": [...]}`; `asOf` (also the `X-Report-As-Of` header) is the `changedSince` to give the next export.',
        headers: { 'X-Report-As-Of': 'The `changedSince` to give the next export.' },
        content: { 'text/csv': null, 'application/json': null },
      },
    },
    errors: { 400: 'A bad parameter; `issues` name it.', 403: 'Channel ROI is for finance, managers and admins.' },
  },
  'GET /reports/channel-roi.html': {
    query: reportPageQuerySchema,
    responses: { 200: { description: 'The report as a page with a chart of spend against revenue per channel.', content: html } },
    errors: { 400: 'A bad or unknown parameter (also `format`: the page is HTML), or a page over 5 MB; `issues` name it.', 403: 'Channel ROI is for finance, managers and admins.' },
  },
  'GET /reports/funnel': {
    query: funnelQuerySchema,
    responses: {
      200: {
        description:
          'Leads at each funnel stage (captured, valid, contacted, qualified, converted) per day of the latest rollup versions, with the rate and median days from each stage to the next: `{…query, "format", "rows": [...], "total": {…}}`, or CSV (RFC 4180) with `format=csv` or `Accept: text/csv`.',
        content: { 'application/json': null, 'text/csv': null },
      },
    },
    errors: { 400: 'A bad parameter; `issues` name it.', 403: 'The funnel is for finance, managers and admins.' },
  },
  'GET /reports/channel-rates': {
    responses: { 200: { description: "Each channel's measured qualification and conversion rates, with the prior they suggest.", content: json() } },
    errors: { 403: 'Channel rates are for finance, managers and admins.', 404: 'Measured channel priors are off.' },
  },
};

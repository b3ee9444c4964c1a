import { createHash } from 'node:crypto';
import { parseJsonKeepingLargeIntegers } from '@leadflow/domain';
import type { LocalRouteHandler } from './http-host';

/** Where the stand-ins live on the local HTTP host. */
export const standInsBasePath = '/_local/stand-ins';

/**
 * Cloudflare's documented test secrets behave as in production: `1x…AA` always passes, `2x…AA` always
 * fails, `3x…AA` reports a spent token. Any other secret accepts only the dummy token below.
 */
const turnstileAlwaysPasses = '1x0000000000000000000000000000000AA';
const turnstileAlwaysFails = '2x0000000000000000000000000000000AA';
const turnstileTokenSpent = '3x0000000000000000000000000000000AA';
export const turnstileDummyToken = 'XXXX.DUMMY.TOKEN.XXXX';

const metaConversionsPath = /^\/meta-graph\/v\d+\.\d+\/\d+\/events$/;
const googleIngestPath = '/google-datamanager/v1/events:ingest';
const metaLeadPath = /^\/meta-graph\/v\d+\.\d+\/([^/]+)$/;
const linkedInLeadPath = /^\/linkedin\/rest\/leadFormResponses\/([^/]+)$/;
const tikTokLeadPath = '/tiktok/open_api/v1.3/lead/get/';

/**
 * Whether a request (path below `standInsBasePath`) is one a handler makes: a Turnstile check, an ad
 * platform's lead read, a conversion upload. The rest of the stand-ins (what they received, the outage
 * switch) is for the developer, like every other `/_local/` route.
 */
export function isThirdPartyStandInCall(method: string, path: string): boolean {
  if (method === 'GET') return metaLeadPath.test(path) || linkedInLeadPath.test(path) || path === tikTokLeadPath;
  return method === 'POST' && (path === '/turnstile/siteverify' || metaConversionsPath.test(path) || path === googleIngestPath);
}

/**
 * Offline stand-ins for the third-party APIs the handlers call, answering in those APIs' own shapes so
 * the real adapters run unchanged. Their base URLs are what the handlers' settings point at locally.
 */
export function thirdPartyStandIns(): LocalRouteHandler {
  const outage = new Set<AdPlatform>();
  const conversions: ReceivedConversions = { meta: [], google: [] };
  return async ({ method, url, body, headers }) => {
    if (!url.pathname.startsWith(`${standInsBasePath}/`)) return undefined;
    const path = url.pathname.slice(standInsBasePath.length);
    if (method === 'POST' && path === '/turnstile/siteverify') return turnstileSiteverify(new URLSearchParams(body.toString('utf8')));
    if (path === '/outage' && method === 'GET') return { status: 200, body: { down: [...outage] } };
    if (path === '/outage' && method === 'POST') return toggleOutage(outage, body);
    const platformLead = method === 'GET' ? adPlatformLeadRead(path, url.searchParams, outage) : undefined;
    if (platformLead) return platformLead;
    if (method === 'GET' && path === '/conversions') return { status: 200, body: conversions };
    if (method === 'POST' && metaConversionsPath.test(path)) return metaConversionsEvents(body, outage.has('meta'), conversions);
    if (method === 'POST' && path === googleIngestPath) return googleEventsIngest(body, headers.authorization, outage.has('google'), conversions);
    return { status: 404, body: { error: `No stand-in for ${method} ${path}` } };
  };
}

function turnstileSiteverify(form: URLSearchParams) {
  const secret = form.get('secret') ?? '';
  const token = form.get('response') ?? '';
  if (!secret) return { status: 200, body: { success: false, 'error-codes': ['missing-input-secret'] } };
  if (!token) return { status: 200, body: { success: false, 'error-codes': ['missing-input-response'] } };
  if (secret === turnstileAlwaysFails) return { status: 200, body: { success: false, 'error-codes': ['invalid-input-response'] } };
  if (secret === turnstileTokenSpent) return { status: 200, body: { success: false, 'error-codes': ['timeout-or-duplicate'] } };
  const success = secret === turnstileAlwaysPasses || token === turnstileDummyToken;
  return { status: 200, body: success ? { success, challenge_ts: new Date().toISOString(), hostname: 'localhost', 'error-codes': [] } : { success, 'error-codes': ['invalid-input-response'] } };
}

// ── Ad-platform lead reads (Meta Graph API, LinkedIn Lead Sync, TikTok Lead API) ───────────────────

/**
 * The ad platforms' lead reads answer a made-up lead derived from the id, in each platform's own shape,
 * so the same id always yields the same person. Ids starting with `fail-` answer 503; so does every read
 * of a platform switched off with `POST /_local/stand-ins/outage {"platform": "meta", "down": true}`.
 */
export const adPlatforms = ['meta', 'linkedin', 'tiktok', 'google'] as const;
type AdPlatform = (typeof adPlatforms)[number];

function toggleOutage(outage: Set<AdPlatform>, body: Buffer) {
  let request: { platform?: unknown; down?: unknown };
  try {
    request = JSON.parse(body.toString('utf8') || '{}') as typeof request;
  } catch {
    request = {};
  }
  const platforms = request.platform === 'all' ? [...adPlatforms] : adPlatforms.filter((platform) => platform === request.platform);
  if (platforms.length === 0 || typeof request.down !== 'boolean') {
    return {
      status: 400,
      body: { error: 'Send {"platform": "meta" | "linkedin" | "tiktok" | "google" | "all", "down": true | false}', issues: [{ path: 'platform', message: 'must be meta, linkedin, tiktok, google or all' }] },
    };
  }
  for (const platform of platforms) {
    if (request.down) outage.add(platform);
    else outage.delete(platform);
  }
  return { status: 200, body: { down: [...outage] } };
}

function adPlatformLeadRead(path: string, query: URLSearchParams, outage: ReadonlySet<AdPlatform>) {
  const meta = metaLeadPath.exec(path);
  if (meta) return metaGraphLead(decodeURIComponent(meta[1]), query, outage.has('meta'));
  const linkedin = linkedInLeadPath.exec(path);
  if (linkedin) return linkedInLeadFormResponse(decodeURIComponent(linkedin[1]), outage.has('linkedin'));
  if (path === tikTokLeadPath) return tikTokLeadGet(query, outage.has('tiktok'));
  return undefined;
}

const firstNames = ['Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Margaret', 'Tim', 'Radia', 'Ken', 'Barbara'];
const lastNames = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Torvalds', 'Hamilton', 'Berners-Lee', 'Perlman', 'Thompson', 'Liskov'];
const companies = ['Initech', 'Globex', 'Umbrella Robotics', 'Hooli', 'Stark Industries'];
const titles = ['Head of Operations', 'CTO', 'Facilities Manager', 'Procurement Lead', 'Plant Director'];

/** A person made up from the id: the same id, the same person; different ids, different emails and phones. */
function personFrom(id: string) {
  const hash = createHash('sha256').update(id).digest();
  const first = firstNames[hash[0] % firstNames.length];
  const last = lastNames[hash[1] % lastNames.length];
  let exchange = 200 + (hash.readUInt16BE(2) % 800);
  if (exchange % 100 === 11) exchange += 1; // N11 codes (411, 911, …) are not phone exchanges
  const line = String(hash.readUInt16BE(4) % 10000).padStart(4, '0');
  const digits = (offset: number, count: number) => Array.from({ length: count }, (_, index) => hash[(offset + index) % hash.length] % 10).join('');
  return {
    first,
    last,
    email: `${first}.${last}.${hash.toString('hex').slice(0, 8)}@example.com`.toLowerCase(),
    phone: `+1650${exchange}${line}`,
    company: companies[hash[6] % companies.length],
    title: titles[hash[7] % titles.length],
    digits,
  };
}

const unavailable = (body: unknown) => ({ status: 503, body });

function metaGraphLead(leadgenId: string, query: URLSearchParams, down: boolean) {
  if (down || leadgenId.startsWith('fail-')) return unavailable({ error: { message: 'Service temporarily unavailable', type: 'OAuthException', is_transient: true, code: 2 } });
  if (!query.get('access_token')) return { status: 400, body: { error: { message: 'An access token is required to request this resource.', type: 'OAuthException', code: 104 } } };
  const person = personFrom(leadgenId);
  return {
    status: 200,
    body: {
      id: leadgenId,
      created_time: '2026-03-02T10:00:00+0000',
      ad_id: `2385${person.digits(8, 13)}`,
      adset_id: `2385${person.digits(12, 13)}`,
      campaign_id: `2385${person.digits(16, 13)}`,
      form_id: '172036835026334',
      is_organic: false,
      platform: 'fb',
      field_data: [
        { name: 'full_name', values: [`${person.first} ${person.last}`] },
        { name: 'email', values: [person.email] },
        { name: 'phone_number', values: [person.phone] },
        { name: 'company_name', values: [person.company] },
        { name: 'job_title', values: [person.title] },
        { name: 'how_many_sites_do_you_run?', values: ['2-5'] },
      ],
    },
  };
}

function linkedInLeadFormResponse(responseId: string, down: boolean) {
  if (down || responseId.startsWith('fail-')) return unavailable({ status: 503, serviceErrorCode: 0, message: 'Service Unavailable' });
  const person = personFrom(responseId);
  const text = (questionId: number, answer: string) => ({ questionId, answerDetails: { textQuestionAnswer: { answer } } });
  return {
    status: 200,
    body: {
      id: responseId,
      owner: { sponsoredAccount: 'urn:li:sponsoredAccount:5012345' },
      submitter: `urn:li:person:${person.digits(3, 10)}`,
      leadType: 'SPONSORED',
      versionedLeadGenFormUrn: 'urn:li:versionedLeadGenForm:(urn:li:leadGenForm:1234567,1)',
      submittedAt: 1772445600000,
      testLead: responseId.startsWith('test-'),
      associatedEntity: { associatedCreative: `urn:li:sponsoredCreative:${person.digits(9, 9)}` },
      leadMetadata: { sponsoredLeadMetadata: { campaign: `urn:li:sponsoredCampaign:${person.digits(14, 9)}` } },
      formResponse: {
        answers: [text(1, person.first), text(2, person.last), text(3, person.email), text(4, person.company), text(5, person.title), text(6, person.phone)],
        consentResponses: [{ consentId: 11, accepted: true }],
      },
    },
  };
}

/** TikTok sends 64-bit ids; this stand-in sends them as bare JSON numbers, as a careless serializer would, to keep clients honest. */
function tikTokLeadGet(query: URLSearchParams, down: boolean) {
  const leadId = query.get('lead_id') ?? '';
  if (down || leadId.startsWith('fail-')) return unavailable({ code: 50002, message: 'Service unavailable, please retry later', request_id: 'stand-in' });
  const missing = ['advertiser_id', 'page_id', 'lead_id'].find((name) => !query.get(name));
  if (missing) return { status: 200, body: { code: 40002, message: `${missing}: Missing data for required field.`, request_id: 'stand-in', data: {} } };
  const person = personFrom(leadId);
  const id = (offset: number) => `18${person.digits(offset, 17)}`;
  const leadData = { name: `${person.first} ${person.last}`, email: person.email, phone_number: person.phone, company_name: person.company, job_title: person.title, city: 'Austin' };
  const text =
    `{"code":0,"message":"OK","request_id":"stand-in","data":{"lead_data":${JSON.stringify(leadData)},"meta_data":{"lead_id":${JSON.stringify(leadId)},"lead_source":"INSTANT_FORM",` +
    `"page_id":${JSON.stringify(query.get('page_id'))},"create_time":"2026-03-02 10:00:00","campaign_id":${id(5)},"adgroup_id":${id(10)},"ad_id":${id(15)}}}}`;
  return { status: 200, body: text, headers: { 'content-type': 'application/json; charset=utf-8' } };
}

// ── Conversion feedback (Meta Conversions API, Google Data Manager API) ───────────────────────────────

/** Every event each conversion stand-in accepted, for `GET /_local/stand-ins/conversions`. */
interface ReceivedConversions {
  meta: unknown[];
  google: unknown[];
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Meta's Conversions API for CRM leads, checking the shape Conversion Leads requires: ≤1,000 events,
 * `action_source: system_generated`, `user_data.lead_id` a JSON integer (the leadgen id, unhashed),
 * `custom_data.event_source: crm` with a `lead_event_source`. One bad event fails the whole request, as on Meta.
 */
function metaConversionsEvents(body: Buffer, down: boolean, received: ReceivedConversions) {
  const graphError = (status: number, message: string, code: number) => ({ status, body: { error: { message, type: 'OAuthException', code, fbtrace_id: 'local-stand-in' } } });
  if (down) return graphError(503, 'Service temporarily unavailable', 2);
  // Read losslessly, so a 16-digit lead id is checked and recorded exactly as sent.
  let request: unknown;
  try {
    request = parseJsonKeepingLargeIntegers(body.toString('utf8'));
  } catch {
    request = undefined;
  }
  if (/"lead_id"\s*:\s*"/.test(body.toString('utf8'))) return graphError(400, 'Invalid parameter: user_data.lead_id must be a JSON integer, not a string', 100);
  if (!isRecord(request)) return graphError(400, 'Invalid parameter: the body is not a JSON object', 100);
  if (typeof request.access_token !== 'string' || !request.access_token) return graphError(400, 'An access token is required to request this resource.', 104);
  const data: unknown = request.data;
  if (!Array.isArray(data) || data.length === 0 || data.length > 1000) return graphError(400, 'Invalid parameter: data must hold 1 to 1000 events', 100);
  for (const [index, event] of data.entries()) {
    const problem = metaEventProblem(event);
    if (problem) return graphError(400, `Invalid parameter: data[${index}]: ${problem}`, 100);
  }
  received.meta.push(...(data as unknown[]));
  return { status: 200, body: { events_received: data.length, messages: [], fbtrace_id: 'local-stand-in' } };
}

function metaEventProblem(event: unknown): string | undefined {
  if (!isRecord(event)) return 'is not an object';
  if (typeof event.event_name !== 'string' || !event.event_name) return 'event_name is required';
  if (!Number.isInteger(event.event_time)) return 'event_time must be Unix seconds';
  if (event.action_source !== 'system_generated') return 'action_source must be system_generated';
  if (typeof event.event_id !== 'string' || !event.event_id) return 'event_id is required for de-duplication';
  const userData = event.user_data;
  const leadId = isRecord(userData) ? userData.lead_id : undefined;
  if (!(typeof leadId === 'number' && Number.isInteger(leadId)) && !(typeof leadId === 'string' && /^\d{16,}$/.test(leadId))) return 'user_data.lead_id must be the lead id as a JSON integer';
  const customData = event.custom_data;
  if (!isRecord(customData) || customData.event_source !== 'crm' || typeof customData.lead_event_source !== 'string') return 'custom_data needs event_source "crm" and lead_event_source';
  return undefined;
}

/**
 * Google's Data Manager API `events:ingest`, checking a bearer token, a Google Ads destination with a
 * conversion action, ≤2,000 events each with an RFC 3339 time, a transaction id, exactly one click id,
 * and value and currency together. Errors fail the whole request, as the API does.
 */
function googleEventsIngest(body: Buffer, authorization: string | undefined, down: boolean, received: ReceivedConversions) {
  const googleError = (status: number, message: string) => ({ status, body: { error: { code: status, message, status: status === 503 ? 'UNAVAILABLE' : status === 401 ? 'UNAUTHENTICATED' : 'INVALID_ARGUMENT' } } });
  if (down) return googleError(503, 'The service is currently unavailable.');
  if (!/^Bearer \S+$/.test(authorization ?? '')) return googleError(401, 'Request is missing required authentication credential.');
  const request = parseJson(body);
  if (!isRecord(request)) return googleError(400, 'Invalid JSON payload.');
  const destination: unknown = Array.isArray(request.destinations) ? (request.destinations as unknown[])[0] : undefined;
  const account = isRecord(destination) ? destination.operatingAccount : undefined;
  if (!isRecord(destination) || !isRecord(account) || account.accountType !== 'GOOGLE_ADS' || !/^\d+$/.test(String(account.accountId)) || !/^\d+$/.test(String(destination.productDestinationId))) {
    return googleError(400, 'destinations[0] needs operatingAccount {accountType: GOOGLE_ADS, accountId} and productDestinationId');
  }
  const events = request.events;
  if (!Array.isArray(events) || events.length === 0 || events.length > 2000) return googleError(400, 'events must hold 1 to 2000 events');
  for (const [index, event] of events.entries()) {
    const problem = googleEventProblem(event);
    if (problem) return googleError(400, `events[${index}]: ${problem}`);
  }
  received.google.push(...events.map((event) => ({ ...(event as Record<string, unknown>), productDestinationId: destination.productDestinationId })));
  return { status: 200, body: { requestId: `local-${received.google.length}` } };
}

function googleEventProblem(event: unknown): string | undefined {
  if (!isRecord(event)) return 'is not an object';
  if (typeof event.eventTimestamp !== 'string' || Number.isNaN(Date.parse(event.eventTimestamp))) return 'eventTimestamp must be an RFC 3339 time';
  if (typeof event.transactionId !== 'string' || !event.transactionId) return 'transactionId is required';
  const ids = isRecord(event.adIdentifiers) ? ['gclid', 'gbraid', 'wbraid'].filter((key) => typeof (event.adIdentifiers as Record<string, unknown>)[key] === 'string') : [];
  if (ids.length !== 1) return 'adIdentifiers must hold exactly one of gclid, gbraid, wbraid';
  if ((event.conversionValue === undefined) !== (event.currency === undefined)) return 'conversionValue and currency go together';
  if (event.currency !== undefined && !(typeof event.currency === 'string' && /^[A-Z]{3}$/.test(event.currency))) return 'currency must be an ISO 4217 code';
  return undefined;
}

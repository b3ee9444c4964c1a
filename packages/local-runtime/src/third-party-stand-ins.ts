import { createHash } from 'node:crypto';
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

/**
 * Offline stand-ins for the third-party APIs the handlers call, answering in those APIs' own shapes so
 * the real adapters run unchanged. Their base URLs are what the handlers' settings point at locally.
 */
export function thirdPartyStandIns(): LocalRouteHandler {
  const outage = new Set<AdPlatform>();
  return async ({ method, url, body }) => {
    if (!url.pathname.startsWith(`${standInsBasePath}/`)) return undefined;
    const path = url.pathname.slice(standInsBasePath.length);
    if (method === 'POST' && path === '/turnstile/siteverify') return turnstileSiteverify(new URLSearchParams(body.toString('utf8')));
    if (path === '/outage' && method === 'GET') return { status: 200, body: { down: [...outage] } };
    if (path === '/outage' && method === 'POST') return toggleOutage(outage, body);
    const platformLead = method === 'GET' ? adPlatformLeadRead(path, url.searchParams, outage) : undefined;
    if (platformLead) return platformLead;
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
export const adPlatforms = ['meta', 'linkedin', 'tiktok'] as const;
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
    return { status: 400, body: { error: 'Send {"platform": "meta" | "linkedin" | "tiktok" | "all", "down": true | false}', issues: [{ path: 'platform', message: 'must be meta, linkedin, tiktok or all' }] } };
  }
  for (const platform of platforms) {
    if (request.down) outage.add(platform);
    else outage.delete(platform);
  }
  return { status: 200, body: { down: [...outage] } };
}

function adPlatformLeadRead(path: string, query: URLSearchParams, outage: ReadonlySet<AdPlatform>) {
  const meta = /^\/meta-graph\/v\d+\.\d+\/([^/]+)$/.exec(path);
  if (meta) return metaGraphLead(decodeURIComponent(meta[1]), query, outage.has('meta'));
  const linkedin = /^\/linkedin\/rest\/leadFormResponses\/([^/]+)$/.exec(path);
  if (linkedin) return linkedInLeadFormResponse(decodeURIComponent(linkedin[1]), outage.has('linkedin'));
  if (path === '/tiktok/open_api/v1.3/lead/get/') return tikTokLeadGet(query, outage.has('tiktok'));
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

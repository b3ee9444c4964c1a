import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkedInLeadReader, MetaGraphLeadReader, TikTokLeadReader, readLambdaSettings } from '@leadflow/platform';

/** A loopback server that records each request and answers what the test set. */
let server: Server;
let baseUrl: string;
let requests: Array<{ url: string; headers: IncomingMessage['headers'] }> = [];
let answer: { status: number; body: string; delayMs?: number } = { status: 200, body: '{}' };

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push({ url: request.url ?? '', headers: request.headers });
    setTimeout(() => {
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(answer.body);
    }, answer.delayMs ?? 0);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address() as { port: number };
  baseUrl = `http://127.0.0.1:${address.port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

function reset(next: typeof answer) {
  requests = [];
  answer = next;
}

describe('MetaGraphLeadReader', () => {
  it('GETs /v21.0/{leadgen_id} with the fields and token, keeping int64 ids of the answer exact', async () => {
    reset({ status: 200, body: '{"id":"55459717045641545","campaign_id":23850000000000003,"field_data":[]}' });
    const lead = await new MetaGraphLeadReader(`${baseUrl}/`).readLead({ leadgenId: '55459717045641545', accessToken: 'page-token' });
    expect(lead).toEqual({ id: '55459717045641545', campaign_id: '23850000000000003', field_data: [] });
    const url = new URL(requests[0].url, baseUrl);
    expect(url.pathname).toBe('/v21.0/55459717045641545');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      fields: 'id,created_time,field_data,ad_id,adset_id,campaign_id,campaign_name,form_id,is_organic,platform,custom_disclaimer_responses',
      access_token: 'page-token',
    });
  });

  it('rejects with the status and Meta’s message, never the URL with its token', async () => {
    reset({ status: 503, body: '{"error":{"message":"Service temporarily unavailable","code":2}}' });
    const failure = new MetaGraphLeadReader(baseUrl).readLead({ leadgenId: '1', accessToken: 'secret-page-token' });
    await expect(failure).rejects.toThrow('The Meta Graph API answered HTTP 503: Service temporarily unavailable');
    await expect(new MetaGraphLeadReader(baseUrl).readLead({ leadgenId: '1', accessToken: 'secret-page-token' })).rejects.not.toThrow(/secret-page-token/);
  });
});

describe('LinkedInLeadReader', () => {
  it('GETs /rest/leadFormResponses/{id} with the bearer token, LinkedIn-Version and Rest.li headers', async () => {
    reset({ status: 200, body: '{"id":"abc","testLead":false}' });
    expect(await new LinkedInLeadReader(baseUrl).readLead({ responseId: 'abc-123', accessToken: 'li-token', apiVersion: '202505' })).toEqual({ id: 'abc', testLead: false });
    expect(requests[0].url).toBe('/rest/leadFormResponses/abc-123');
    expect(requests[0].headers).toMatchObject({ authorization: 'Bearer li-token', 'linkedin-version': '202505', 'x-restli-protocol-version': '2.0.0' });
  });

  it('rejects on an error status with LinkedIn’s message, and on a body that is not JSON', async () => {
    reset({ status: 401, body: '{"status":401,"message":"Invalid access token"}' });
    await expect(new LinkedInLeadReader(baseUrl).readLead({ responseId: 'x', accessToken: 't', apiVersion: '202505' })).rejects.toThrow('The LinkedIn API answered HTTP 401: Invalid access token');
    reset({ status: 200, body: '<html>' });
    await expect(new LinkedInLeadReader(baseUrl).readLead({ responseId: 'x', accessToken: 't', apiVersion: '202505' })).rejects.toThrow('The LinkedIn API answered HTTP 200 with a body that is not JSON');
  });
});

describe('TikTokLeadReader', () => {
  it('GETs /open_api/v1.3/lead/get/ with the ids and the Access-Token header', async () => {
    reset({ status: 200, body: '{"code":0,"data":{"meta_data":{"ad_id":1800000000000000003}}}' });
    const answerBody = await new TikTokLeadReader(baseUrl).readLead({ leadId: 'L1', pageId: 'P1', advertiserId: 'A1', accessToken: 'tt-token' });
    expect(answerBody).toEqual({ code: 0, data: { meta_data: { ad_id: '1800000000000000003' } } });
    const url = new URL(requests[0].url, baseUrl);
    expect(url.pathname).toBe('/open_api/v1.3/lead/get/');
    expect(Object.fromEntries(url.searchParams)).toEqual({ advertiser_id: 'A1', page_id: 'P1', lead_id: 'L1', lead_source: 'INSTANT_FORM' });
    expect(requests[0].headers['access-token']).toBe('tt-token');
  });

  it('gives up on a platform that does not answer in time, and on one that cannot be reached', async () => {
    const { getPlatformJson } = await import('../../../packages/platform/src/adapters/platform-api-request');
    reset({ status: 200, body: '{}', delayMs: 500 });
    await expect(getPlatformJson('The TikTok Business API', new URL(baseUrl), {}, 50)).rejects.toThrow('The TikTok Business API could not be reached: no answer within 50 ms');
    await expect(new TikTokLeadReader('http://127.0.0.1:9').readLead({ leadId: 'L', pageId: 'P', advertiserId: 'A', accessToken: 't' })).rejects.toThrow(/^The TikTok Business API could not be reached/);
  });
});

describe('ad-platform API base URLs in the settings', () => {
  const required = { LEADS_TABLE_NAME: 'leads', LEADS_EVENT_BUS_NAME: 'leadflow', LEADS_VALIDATED_CONFIG_FILE: 'config.json' };

  it('default to the platforms’ public APIs and can be pointed elsewhere (the local stand-ins)', () => {
    expect(readLambdaSettings(required).thirdParty).toMatchObject({ metaGraphBaseUrl: 'https://graph.facebook.com', linkedInBaseUrl: 'https://api.linkedin.com', tiktokBaseUrl: 'https://business-api.tiktok.com' });
    const local = readLambdaSettings({ ...required, LEADS_META_GRAPH_BASE_URL: 'http://127.0.0.1:3000/_local/stand-ins/meta-graph', LEADS_TIKTOK_API_BASE_URL: 'http://127.0.0.1:3000/_local/stand-ins/tiktok' });
    expect(local.thirdParty).toMatchObject({ metaGraphBaseUrl: 'http://127.0.0.1:3000/_local/stand-ins/meta-graph', tiktokBaseUrl: 'http://127.0.0.1:3000/_local/stand-ins/tiktok' });
    expect(() => readLambdaSettings({ ...required, LEADS_LINKEDIN_API_BASE_URL: 'not a url' })).toThrow(/LEADS_LINKEDIN_API_BASE_URL/);
  });
});

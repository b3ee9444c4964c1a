import type { PlatformLeadReader, TikTokLeadQuery } from '../ports/platform-lead-readers';
import { getPlatformJson } from './platform-api-request';

/**
 * Reads an instant-form lead from the TikTok Business API: `GET {base}/open_api/v1.3/lead/get/` with the
 * `Access-Token` header. The answer's own `code` (0 = success) is checked by the domain mapper.
 */
export class TikTokLeadReader implements PlatformLeadReader<TikTokLeadQuery> {
  constructor(private readonly baseUrl: string) {}

  readLead(query: TikTokLeadQuery): Promise<unknown> {
    const url = new URL(`${this.baseUrl.replace(/\/+$/, '')}/open_api/v1.3/lead/get/`);
    url.searchParams.set('advertiser_id', query.advertiserId);
    url.searchParams.set('page_id', query.pageId);
    url.searchParams.set('lead_id', query.leadId);
    url.searchParams.set('lead_source', 'INSTANT_FORM');
    return getPlatformJson('The TikTok Business API', url, { 'access-token': query.accessToken });
  }
}

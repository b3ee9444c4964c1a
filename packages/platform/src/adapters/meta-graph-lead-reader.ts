import { metaGraphApiVersion, metaLeadFields } from '@leadflow/domain';
import type { MetaLeadQuery, PlatformLeadReader } from '../ports/platform-lead-readers';
import { getPlatformJson } from './platform-api-request';

/** Reads a lead from the Meta Graph API: `GET {base}/v21.0/{leadgen_id}?fields=…&access_token=…`. */
export class MetaGraphLeadReader implements PlatformLeadReader<MetaLeadQuery> {
  constructor(private readonly baseUrl: string) {}

  readLead(query: MetaLeadQuery): Promise<unknown> {
    const url = new URL(`${this.baseUrl.replace(/\/+$/, '')}/${metaGraphApiVersion}/${encodeURIComponent(query.leadgenId)}`);
    url.searchParams.set('fields', metaLeadFields);
    url.searchParams.set('access_token', query.accessToken);
    return getPlatformJson('The Meta Graph API', url);
  }
}

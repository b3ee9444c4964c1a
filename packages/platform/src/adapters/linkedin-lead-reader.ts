import type { LinkedInLeadQuery, PlatformLeadReader } from '../ports/platform-lead-readers';
import { getPlatformJson } from './platform-api-request';

/** Reads a lead form response from LinkedIn's Marketing API: `GET {base}/rest/leadFormResponses/{id}`. */
export class LinkedInLeadReader implements PlatformLeadReader<LinkedInLeadQuery> {
  constructor(private readonly baseUrl: string) {}

  readLead(query: LinkedInLeadQuery): Promise<unknown> {
    const url = new URL(`${this.baseUrl.replace(/\/+$/, '')}/rest/leadFormResponses/${encodeURIComponent(query.responseId)}`);
    return getPlatformJson('The LinkedIn API', url, {
      authorization: `Bearer ${query.accessToken}`,
      'linkedin-version': query.apiVersion,
      'x-restli-protocol-version': '2.0.0',
    });
  }
}

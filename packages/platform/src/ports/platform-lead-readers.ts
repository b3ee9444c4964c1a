/** Reading one lead back from an ad platform's API, for webhooks that carry ids only or cannot be trusted. */

export interface MetaLeadQuery {
  leadgenId: string;
  /** A Page or system-user token with `leads_retrieval`. */
  accessToken: string;
}

export interface LinkedInLeadQuery {
  /** The id in the `urn:li:leadGenFormResponse:<id>` URN. */
  responseId: string;
  accessToken: string;
  /** The `LinkedIn-Version` header (YYYYMM). */
  apiVersion: string;
}

export interface TikTokLeadQuery {
  leadId: string;
  /** The instant form ("page") the lead was submitted on. */
  pageId: string;
  advertiserId: string;
  accessToken: string;
}

/**
 * Resolves with the platform's JSON answer as it is (integers beyond 2^53 kept as exact strings), for the
 * domain to validate and map; rejects when the platform cannot be reached or answers with an error status.
 */
export interface PlatformLeadReader<Query> {
  readLead(query: Query): Promise<unknown>;
}

export interface PlatformLeadReaders {
  meta: PlatformLeadReader<MetaLeadQuery>;
  linkedin: PlatformLeadReader<LinkedInLeadQuery>;
  tiktok: PlatformLeadReader<TikTokLeadQuery>;
}

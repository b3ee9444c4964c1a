import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { defaultUnsignedTikTokLeadReadsPerMinute, defaultWebhookRateLimitPerMinute } from '@leadflow/domain';
import type { Dependencies } from './dependencies';
import { tooManyRequests } from './http/http-errors';

/**
 * Counts one webhook delivery against `integrations.webhookRateLimitPerMinute` (default 600) for its endpoint and the
 * sender's address, with the same shared limiter as the web forms; a 429 with `retry-after` once over.
 * It runs before the body is read, so a flood costs one counter update per request and nothing more.
 */
export async function limitWebhookIntake(deps: Pick<Dependencies, 'config' | 'rateLimiter'>, event: APIGatewayProxyEventV2, endpoint: string, now: Date): Promise<void> {
  const limit = await deps.rateLimiter.hit(`webhook:${endpoint}:ip:${event.requestContext.http.sourceIp}`, deps.config.integrations.webhookRateLimitPerMinute ?? defaultWebhookRateLimitPerMinute, now);
  if (!limit.allowed) throw tooManyRequests(limit.retryAfterSeconds);
}

/**
 * Counts the TikTok Lead API reads an unsigned delivery asks for (one per lead id it names) against
 * `integrations.tiktok.unsignedLeadReadsPerMinute` (default 30) for the sender's address, on top of the
 * webhook limit: nothing vouches for such a delivery, and each read spends the company's TikTok API quota,
 * which real leads need too. A 429 with `retry-after` when its reads do not fit, before anything is read; a refused
 * delivery adds nothing to the count (its reads are admitted only when they all fit, one lead or several), so it does not hold back
 * deliveries that do fit, such as TikTok's own, from the same address later in the minute.
 */
export async function limitUnsignedTikTokReads(deps: Pick<Dependencies, 'config' | 'rateLimiter'>, event: APIGatewayProxyEventV2, leadIds: readonly string[], now: Date): Promise<void> {
  const reads = new Set(leadIds).size;
  const perMinute = deps.config.integrations.tiktok?.unsignedLeadReadsPerMinute ?? defaultUnsignedTikTokLeadReadsPerMinute;
  const limit = await deps.rateLimiter.hit(`webhook:tiktok:unsigned-reads:ip:${event.requestContext.http.sourceIp}`, perMinute, now, { hits: reads });
  if (!limit.allowed) throw tooManyRequests(limit.retryAfterSeconds);
}

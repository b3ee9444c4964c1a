import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { defaultWebhookRateLimitPerMinute } from '@leadflow/domain';
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

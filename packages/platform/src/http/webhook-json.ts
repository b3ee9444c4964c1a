import { parseJsonKeepingLargeIntegers } from '@leadflow/domain';
import { badRequest } from './http-errors';

/**
 * Parses a webhook body that has already been authenticated over its raw bytes. Integers beyond 2^53
 * (64-bit platform ids) are kept as exact strings. A body that is not a JSON object is a 400 naming why.
 */
export function parseWebhookJson(raw: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseJsonKeepingLargeIntegers(raw.toString('utf8'));
  } catch (error) {
    throw badRequest(`Body is not valid JSON: ${(error as Error).message}`, [{ path: '(body)', message: 'must be valid JSON' }]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('Body must be a JSON object', [{ path: '(body)', message: 'must be a JSON object' }]);
  }
  return parsed as Record<string, unknown>;
}

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { badRequest, payloadTooLarge, unsupportedMediaType } from './http-errors';

export const maxBodyBytes = 64 * 1024;

const acceptedFormTypes = ['application/json', 'application/x-www-form-urlencoded'] as const;

export type FormBodyValue = string | number | boolean | null | FormBodyValue[];

/**
 * Reads a form post sent as JSON or as an HTML form (urlencoded), whichever its Content-Type says.
 * Repeated urlencoded keys become arrays, like a JSON client would send them.
 */
export function readFormBody(event: APIGatewayProxyEventV2): Record<string, FormBodyValue> {
  const raw = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  if (raw.length > maxBodyBytes) throw payloadTooLarge(maxBodyBytes);
  const contentType = (headerValue(event, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const text = raw.toString('utf8');

  if (contentType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw badRequest(`Body is not valid JSON: ${(error as Error).message}`, [{ path: '(body)', message: 'must be valid JSON' }]);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw badRequest('Body must be a JSON object', [{ path: '(body)', message: 'must be a JSON object of field names to values' }]);
    }
    return parsed as Record<string, FormBodyValue>;
  }
  if (contentType === 'application/x-www-form-urlencoded') {
    const fields: Record<string, FormBodyValue> = {};
    for (const [key, value] of new URLSearchParams(text)) {
      const existing = fields[key];
      fields[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
    return fields;
  }
  throw unsupportedMediaType(contentType || '(none)', acceptedFormTypes);
}

/** Header lookup that ignores case, as HTTP does (API Gateway v2 lower-cases names; other hosts may not). */
export function headerValue(event: Pick<APIGatewayProxyEventV2, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

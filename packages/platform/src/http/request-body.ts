import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { parseJsonKeepingLargeIntegers } from '@leadflow/domain';
import { badRequest, payloadTooLarge, unsupportedMediaType } from './http-errors';

export const maxBodyBytes = 64 * 1024;

const acceptedFormTypes = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'] as const;

/** The raw bytes of a request body, refusing anything over the limit. */
export function rawBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>, limitBytes = maxBodyBytes): Buffer {
  const raw = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  if (raw.length > limitBytes) throw payloadTooLarge(limitBytes);
  return raw;
}

/**
 * Parses a JSON body that must be an object, naming the problem in a 400 otherwise. Integers beyond 2^53
 * (64-bit platform ids) are kept as exact strings, so every body is read the same way.
 */
export function parseJsonObject(body: Buffer | string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseJsonKeepingLargeIntegers(body.toString());
  } catch (error) {
    throw badRequest(`Body is not valid JSON: ${(error as Error).message}`, [{ path: '(body)', message: 'must be valid JSON' }]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('Body must be a JSON object', [{ path: '(body)', message: 'must be a JSON object' }]);
  }
  return parsed as Record<string, unknown>;
}

/** The media type of the request body, lower-cased and without parameters; '' when there is none. */
export function mediaType(event: Pick<APIGatewayProxyEventV2, 'headers'>): string {
  return (headerValue(event, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Reads a form post sent as JSON, as an HTML form (urlencoded) or as multipart form data (fields only;
 * files are ignored), whichever its Content-Type says. Repeated keys become arrays, as JSON would send them.
 */
export async function readFormBody(event: APIGatewayProxyEventV2): Promise<Record<string, unknown>> {
  const raw = rawBody(event);
  const contentType = mediaType(event);

  if (contentType === 'application/json') return parseJsonObject(raw);
  if (contentType === 'application/x-www-form-urlencoded') return collect(new URLSearchParams(raw.toString('utf8')));
  if (contentType === 'multipart/form-data') {
    let data: FormData;
    try {
      data = await new Request('http://form.invalid/', { method: 'POST', headers: { 'content-type': headerValue(event, 'content-type') ?? contentType }, body: new Uint8Array(raw) }).formData();
    } catch {
      throw badRequest('Body is not valid multipart/form-data (check the boundary)', [{ path: '(body)', message: 'must be valid multipart/form-data' }]);
    }
    return collect([...data.entries()].flatMap(([key, value]) => (typeof value === 'string' ? [[key, value] as [string, string]] : [])));
  }
  throw unsupportedMediaType(contentType || '(none)', acceptedFormTypes);
}

function collect(entries: Iterable<[string, string]>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const existing = fields[key];
    fields[key] = existing === undefined ? value : Array.isArray(existing) ? [...(existing as unknown[]), value] : [existing, value];
  }
  return fields;
}

/** Header lookup that ignores case, as HTTP does (API Gateway v2 lower-cases names; other hosts may not). */
export function headerValue(event: Pick<APIGatewayProxyEventV2, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

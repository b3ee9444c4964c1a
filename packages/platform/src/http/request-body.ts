import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { decodeText, parseJsonKeepingLargeIntegers, textEncodingNamed } from '@leadflow/domain';
import { HttpError, badRequest, payloadTooLarge, unsupportedMediaType } from './http-errors';
import { formDataParts } from './multipart-form-data';

export const maxBodyBytes = 64 * 1024;

const acceptedFormTypes = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'] as const;

/** The raw bytes of a request body, refusing anything over the limit. */
export function rawBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>, limitBytes = maxBodyBytes): Buffer {
  const raw = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  if (raw.length > limitBytes) throw payloadTooLarge(limitBytes);
  return raw;
}

/**
 * The text of a body that must be UTF-8: a 400 naming the problem otherwise, rather than storing the
 * undecodable bytes as U+FFFD (a Latin-1 "José" would become "Jos\uFFFD").
 */
export function utf8Text(raw: Uint8Array): string {
  const decoded = decodeText(raw);
  if (!decoded.ok) throw badRequest(`Body is not valid UTF-8 (line ${decoded.line}); send UTF-8 text`, [{ path: '(body)', message: 'must be UTF-8 text' }]);
  return decoded.text;
}

/**
 * Parses a JSON body that must be an object (and UTF-8), naming the problem in a 400 otherwise.
 * `keepLargeIntegers`, for webhook senders, which write 64-bit ids as numbers: integers beyond 2^53 are kept
 * as exact strings. Without it they are numbers as `JSON.parse` reads them (a browser cannot send them
 * exactly anyway), so a field that must be a number in range, or true or false, refuses one by its own rule
 * rather than reading it as text.
 */
export function parseJsonObject(body: Buffer | string, options: { keepLargeIntegers?: boolean } = {}): Record<string, unknown> {
  let parsed: unknown;
  const text = typeof body === 'string' ? body : utf8Text(body);
  try {
    parsed = options.keepLargeIntegers ? parseJsonKeepingLargeIntegers(text) : JSON.parse(text);
  } catch (error) {
    throw badRequest(`Body is not valid JSON: ${(error as Error).message}`, [{ path: '(body)', message: 'must be valid JSON' }]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('Body must be a JSON object', [{ path: '(body)', message: 'must be a JSON object' }]);
  }
  return parsed as Record<string, unknown>;
}

/**
 * The JSON object an API request's body holds: a 415 for another Content-Type, a 400 naming the problem
 * for a body that is not a UTF-8 JSON object. `optional`: an empty body (of any type) reads as `{}`.
 */
export function jsonObjectBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded' | 'headers'>, options: { optional?: boolean } = {}): Record<string, unknown> {
  const body = rawBody(event);
  if (options.optional && body.length === 0) return {};
  if (mediaType(event) !== 'application/json') throw unsupportedMediaType(mediaType(event) || '(none)', ['application/json']);
  return parseJsonObject(body);
}

/**
 * The media type of the request body, lower-cased and without parameters; '' when there is none. JSON
 * declared in a charset other than UTF-8 is a 415 naming it: JSON is UTF-8 (RFC 8259), and its bytes read
 * as UTF-8 would be garbled or refused for the wrong reason.
 */
export function mediaType(event: Pick<APIGatewayProxyEventV2, 'headers'>): string {
  const contentType = headerValue(event, 'content-type') ?? '';
  const type = contentType.split(';')[0].trim().toLowerCase();
  const charset = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType);
  if (type === 'application/json' && charset && textEncodingNamed(charset[1] ?? charset[2]) !== 'utf-8') {
    const named = charset[1] ?? charset[2];
    throw new HttpError(415, `Content-Type "${contentType.trim()}" is not accepted: charset "${named}" is not read; send JSON as UTF-8 (charset=utf-8, or no charset)`, {
      issues: [{ path: 'content-type', message: `charset must be utf-8, not "${named}"` }],
    });
  }
  return type;
}

/**
 * Reads a form post sent as JSON, as an HTML form (urlencoded) or as multipart form data (fields only:
 * a file part with content is refused by name, an empty one is left out), whichever its Content-Type says.
 * Repeated keys become arrays, as JSON would send them.
 */
export async function readFormBody(event: APIGatewayProxyEventV2): Promise<Record<string, unknown>> {
  const raw = rawBody(event);
  const contentType = mediaType(event);

  if (contentType === 'application/json') return parseJsonObject(raw);
  if (contentType === 'application/x-www-form-urlencoded') return collect(readUrlEncoded(utf8Text(raw)));
  if (contentType === 'multipart/form-data') {
    const parts = formDataParts(raw, headerValue(event, 'content-type') ?? '');
    if (!parts) throw badRequest('Body is not valid multipart/form-data (check the boundary)', [{ path: '(body)', message: 'must be valid multipart/form-data' }]);
    // Nothing stores a file, so one with content would be lost without a word; an empty one is how browsers send an optional file input left empty.
    const files = parts.filter((part) => part.file && part.bytes.length > 0).map((part) => part.name);
    if (files.length) throw fileUploadsRefused([...new Set(files)]);
    const fields = parts.filter((part) => !part.file).map((part): [string, string] => [part.name, part.bytes.toString('utf8')]);
    // Files may hold any bytes; a field that does not decode comes back with U+FFFD where its bytes were.
    if (!decodeText(raw).ok) {
      const undecodable = fields.filter(([key, value]) => `${key}${value}`.includes('\uFFFD'));
      if (undecodable.length)
        throw badRequest(
          'Body has fields that are not valid UTF-8; send UTF-8 text',
          undecodable.map(([key]) => ({ path: key, message: 'must be UTF-8 text' })),
        );
    }
    return collect(fields);
  }
  throw unsupportedMediaType(contentType || '(none)', acceptedFormTypes);
}

/** A 400 naming the fields sent as files with content. */
function fileUploadsRefused(files: readonly string[]): HttpError {
  return badRequest(
    `File uploads are not accepted: send ${files.map((name) => `"${name}"`).join(', ')} as ${files.length === 1 ? 'a text field, not a file' : 'text fields, not files'}`,
    files.map((name) => ({ path: name, message: 'must be a text field, not a file' })),
  );
}

/**
 * `application/x-www-form-urlencoded` as the URL standard reads it ("+" is a space, a "%" not followed by
 * two hex digits stays as it is), except that percent-escaped bytes which are not UTF-8 are a 400 naming
 * the field, where `URLSearchParams` would silently turn them into U+FFFD.
 */
function readUrlEncoded(text: string): Array<[string, string]> {
  return text
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const separator = pair.indexOf('=');
      const [name, value] = separator < 0 ? [pair, ''] : [pair.slice(0, separator), pair.slice(separator + 1)];
      const key = percentDecoded(name);
      const decoded = percentDecoded(value);
      if (key === undefined || decoded === undefined) {
        throw badRequest('Body has fields that are not valid UTF-8 once percent-decoded; send the form as UTF-8', [{ path: key ?? '(body)', message: 'must be UTF-8 text' }]);
      }
      return [key, decoded] as [string, string];
    });
}

function percentDecoded(text: string): string | undefined {
  const bytes = Buffer.from(text.replace(/\+/g, ' '), 'utf8');
  const out: number[] = [];
  for (let index = 0; index < bytes.length; index++) {
    const hex = bytes[index] === 0x25 ? bytes.subarray(index + 1, index + 3).toString('latin1') : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(Number.parseInt(hex, 16));
      index += 2;
    } else out.push(bytes[index]);
  }
  const decoded = decodeText(Uint8Array.from(out));
  return decoded.ok ? decoded.text : undefined;
}

function collect(entries: Iterable<[string, string]>): Record<string, unknown> {
  const fields = new Map<string, string | string[]>();
  for (const [key, value] of entries) {
    const existing = fields.get(key);
    // Appended in place: copying the list on every repeat made a post of one name repeated 20,000 times take half a minute.
    if (Array.isArray(existing)) existing.push(value);
    else fields.set(key, existing === undefined ? value : [existing, value]);
  }
  // Own keys only, as JSON.parse makes them: a field named `__proto__` or `toString` is a field like any other.
  return Object.fromEntries(fields);
}

/** Header lookup that ignores case, as HTTP does (API Gateway v2 lower-cases names; other hosts may not). */
export function headerValue(event: Pick<APIGatewayProxyEventV2, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

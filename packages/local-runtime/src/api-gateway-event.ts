import { randomUUID } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** API Gateway HTTP APIs refuse payloads above 10 MB. */
export const maxRequestBytes = 10 * 1024 * 1024;

/**
 * Lambda's synchronous invocation limits, which API Gateway meets before its own for a Lambda route: the
 * event as JSON (the body, base64 when not text, with headers and the request context) at most 6 MiB, and
 * the handler's result as JSON at most 6 MiB plus 100 bytes.
 */
export const maxLambdaEventBytes = 6 * 1024 * 1024;
export const maxLambdaResultBytes = 6 * 1024 * 1024 + 100;

/** Bytes of a value as Lambda would receive or return it: its JSON. */
export function lambdaPayloadBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null));
}

const textualContentType = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript)|[^;]*\+json)/i;

/** The request's path as the client sent it, before the query string. */
export function rawPathOf(request: Pick<IncomingMessage, 'url'>): string {
  const target = request.url ?? '/';
  return target.startsWith('/') ? target.split('?')[0] : new URL(target).pathname;
}

/**
 * Turns a Node request into the API Gateway HTTP API (payload format 2.0) event that Lambda would get:
 * lower-cased headers joined with commas, cookies split out, path parameters, base64 for binary bodies.
 */
export function toApiGatewayEvent(input: { request: IncomingMessage; body: Buffer; routeKey: string; pathParameters: Record<string, string>; claims?: Record<string, string> }): APIGatewayProxyEventV2 {
  const { request, body } = input;
  const url = new URL(request.url ?? '/', 'http://local');
  // Every value of a repeated header, joined with commas as API Gateway joins them (Node's `headers` keeps the first `content-type`).
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (values !== undefined && name !== 'cookie') headers[name] = values.join(',');
  }
  const cookies = request.headers.cookie
    ?.split(';')
    .map((cookie) => cookie.trim())
    .filter(Boolean);
  // A Map, then own keys: on a plain object `query.__proto__ = …` sets nothing, so `?__proto__=x` would vanish
  // before a route could refuse it, where the JSON that API Gateway hands Lambda keeps it as a key like any other.
  const values = new Map<string, string>();
  for (const [name, value] of url.searchParams) values.set(name, values.has(name) ? `${values.get(name)},${value}` : value);
  const query: Record<string, string> = Object.fromEntries(values);
  // Text that is not UTF-8 travels base64-encoded, so the handler sees the bytes that were sent and can refuse them.
  const textual = textualContentType.test(headers['content-type'] ?? 'text/plain') && isUtf8(body);
  const now = new Date();
  const requestId = randomUUID();

  return {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath: rawPathOf(request),
    rawQueryString: url.search.slice(1),
    cookies: cookies?.length ? cookies : undefined,
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(input.pathParameters).length ? input.pathParameters : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: (headers.host ?? '127').split('.')[0],
      http: {
        method: request.method ?? 'GET',
        path: rawPathOf(request),
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: input.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(input.claims ? { authorizer: { jwt: { claims: input.claims, scopes: [] } } } : {}),
    },
    body: body.length ? (textual ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !textual,
  };
}

/** Writes a handler's result the way API Gateway does, including its inference for non-structured results. */
export function writeApiGatewayResult(response: ServerResponse, result: unknown): void {
  const structured: APIGatewayProxyStructuredResultV2 =
    typeof result === 'object' && result !== null && 'statusCode' in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : { statusCode: 200, headers: { 'content-type': 'application/json' }, body: typeof result === 'string' ? result : JSON.stringify(result ?? null) };
  const headers: Record<string, string | string[]> = { ...(structured.headers as Record<string, string>) };
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  response.writeHead(structured.statusCode ?? 200, headers);
  response.end(structured.body === undefined ? undefined : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8'));
}

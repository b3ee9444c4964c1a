import * as z from 'zod/mini';
import type { FunctionDefinition, HttpTrigger } from '@leadflow/manifest';
import type { QueryStringUse } from '@leadflow/platform';
import { isCalendarDay } from '@leadflow/domain';
import { apiGatewayThrottledSchema, apiGatewayTooLargeSchema, authorizerRefusalSchema, errorBodySchema } from './error-bodies';
import type { ContentDescription, ErrorDescription, NamedSchema, ParameterDescription, RouteDescription } from './route-description';
import { configuredLists, routeDescriptions, type RouteKey } from './route-descriptions';

type JsonObject = Record<string, unknown>;

/** An HTTP route of the manifest with the function that answers it. */
export interface HttpRoute extends Pick<HttpTrigger, 'method' | 'path' | 'auth' | 'answersHead'> {
  functionName: string;
  description: string;
  /** Its function uses an AWS service (a table, secrets, the bus, email, SMS, the report bucket), so it answers 503 when that one is unavailable. */
  usesAwsServices: boolean;
  /** What its handler does with a query string: a route that refuses one answers each parameter with a 400. */
  queryStringUse: QueryStringUse;
}

export const routeKeyOf = (route: Pick<HttpTrigger, 'method' | 'path'>): RouteKey => `${route.method} ${route.path}` as RouteKey;

/** The HTTP routes among the manifest's functions, in the manifest's order, with what each handler does with a query string. */
export function httpRoutesOf(functions: readonly FunctionDefinition[], queryStringUseOf: (functionName: string) => QueryStringUse): HttpRoute[] {
  return functions.flatMap((definition) => {
    const { name, description, trigger } = definition;
    if (trigger.kind !== 'http') return [];
    return [
      {
        functionName: name,
        description,
        method: trigger.method,
        path: trigger.path,
        auth: trigger.auth,
        ...(trigger.answersHead ? { answersHead: true as const } : {}),
        usesAwsServices: usesAwsServices(definition),
        queryStringUse: queryStringUseOf(name),
      },
    ];
  });
}

/** What the manifest grants a function, which is every AWS service its handler calls. */
const usesAwsServices = (definition: FunctionDefinition): boolean =>
  Object.keys(definition.tables).length > 0 || Boolean(definition.publishesEvents || definition.sendsEmail || definition.sendsSms || definition.writesReports || definition.secrets?.length);

const descriptionsFile = 'packages/api-document/src/route-descriptions.ts';
const pathParameterPattern = /\{(\w+)\+?\}/g;

/**
 * What keeps `routes` and `descriptions` from making a true document, one line each naming the route:
 * a route without a description, a description without a route, a signed webhook that names no
 * signature, a described path parameter the path does not have. Empty when they agree.
 */
export function routeDescriptionGaps(routes: readonly HttpRoute[], descriptions: Readonly<Record<string, RouteDescription>> = routeDescriptions): string[] {
  const gaps: string[] = [];
  const routeKeys = new Set(routes.map(routeKeyOf));
  for (const route of routes) {
    const key = routeKeyOf(route);
    const described = descriptions[key];
    if (!described) {
      gaps.push(`${key} (${route.functionName}) has no description: add one to ${descriptionsFile}`);
      continue;
    }
    if (route.auth.mode === 'signed-webhook' && !described.signature) gaps.push(`${key} (${route.functionName}) is a signed webhook, but its description names no signature`);
    const inPath = new Set([...route.path.matchAll(pathParameterPattern)].map(([, name]) => name));
    for (const name of Object.keys(described.pathParameters ?? {})) if (!inPath.has(name)) gaps.push(`${key} (${route.functionName}) describes path parameter "${name}", which its path does not have`);
  }
  for (const key of Object.keys(descriptions)) if (!routeKeys.has(key as RouteKey)) gaps.push(`${key} is described but is no route of the manifest: remove it from ${descriptionsFile}`);
  return gaps;
}

export class RouteDescriptionGapError extends Error {
  constructor(readonly gaps: readonly string[]) {
    super(`The OpenAPI document cannot describe the manifest's routes:\n- ${gaps.join('\n- ')}`);
    this.name = 'RouteDescriptionGapError';
  }
}

const securitySchemes = {
  bearerJwt: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: "A Cognito user-pool token, verified by API Gateway's JWT authorizer before the handler runs; roles are the user's groups (`rep`, `manager`, `finance`, `admin`).",
  },
  metaSignature: { type: 'apiKey', in: 'header', name: 'X-Hub-Signature-256', description: '`sha256=<hex HMAC-SHA256 of the raw body with the Meta app secret>`.' },
  linkedInSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-LI-Signature',
    description: 'Hex HMAC-SHA256, with the LinkedIn client secret, of `hmacsha256=` followed by the raw body, or of the raw body; the header may be prefixed `hmacsha256=`.',
  },
  tikTokSignature: { type: 'apiKey', in: 'header', name: 'TikTok-Signature', description: 'The TikTok app secret signature of the timestamp and raw body.' },
  leadSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Lead-Signature',
    description: '`t=<unix seconds>,v1=<hex HMAC-SHA256(source secret, t + "." + raw body)>`, accepted within 300 s of `t`.',
  },
} as const;

/**
 * The OpenAPI 3.1 document of `routes`: each with its path, query and header parameters, the zod
 * schemas its handler validates bodies and queries with (as JSON Schema 2020-12, the dialect of
 * OpenAPI 3.1, by zod's own `z.toJSONSchema`), its answers and its security.
 *
 * @throws RouteDescriptionGapError when a route has no description, or a description no route.
 * @example
 * openApiDocument(httpRoutesOf(functions, await handlersQueryStringUse(functions)), { version: '0.1.0' }) // scripts/openapi.ts
 */
export function openApiDocument(routes: readonly HttpRoute[], info: { version: string }, descriptions: Readonly<Record<string, RouteDescription>> = routeDescriptions): JsonObject {
  const gaps = routeDescriptionGaps(routes, descriptions);
  if (gaps.length) throw new RouteDescriptionGapError(gaps);

  const { requests, responses } = documentSchemas(routes, descriptions);
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    const own = operation(route, descriptions[routeKeyOf(route)]);
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: own, ...(route.answersHead ? { head: headOperation(own) } : {}) };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Leadflow API',
      version: info.version,
      description:
        'Lead capture and routing. Generated from the manifest and the zod schemas the handlers validate with (`npm run openapi`). A failed request writes nothing. ' +
        "A handler's errors are JSON (`ErrorBody`), or a small HTML page with the same words when the request's `Accept` names `text/html` and not `application/json` (a browser posting a plain form); " +
        "API Gateway's own answers (`401` of the JWT authorizer, `413`, `429`) are always JSON.",
    },
    paths,
    components: {
      schemas: { ...componentSchemas(requests, 'input'), ...componentSchemas(responses, 'output') },
      responses: sharedResponses,
      securitySchemes,
    },
  };
}

/**
 * The zod schemas the document's `components.schemas` are generated from, by name: request bodies (as
 * read) and answers (as written), so that a test can check what a handler answers against the schema the
 * document names for it.
 */
export function documentSchemas(routes: readonly HttpRoute[], descriptions: Readonly<Record<string, RouteDescription>> = routeDescriptions): { requests: NamedSchema[]; responses: NamedSchema[] } {
  const requests: NamedSchema[] = [];
  const responses: NamedSchema[] = [
    { name: 'ErrorBody', schema: errorBodySchema },
    { name: 'AuthorizerRefusal', schema: authorizerRefusalSchema },
    { name: 'ApiGatewayThrottled', schema: apiGatewayThrottledSchema },
    { name: 'ApiGatewayTooLarge', schema: apiGatewayTooLargeSchema },
  ];
  for (const route of routes) {
    const described = descriptions[routeKeyOf(route)];
    if (!described) continue;
    requests.push(...namedSchemasOf(described.requestBody?.content));
    for (const response of Object.values(described.responses)) responses.push(...namedSchemasOf(response.content));
    for (const error of Object.values(described.errors ?? {})) if (typeof error === 'object') responses.push(error.body);
  }
  return { requests, responses };
}

const retryAfter = { 'Retry-After': { description: 'Seconds to wait before sending the same request again.', schema: { type: 'integer', minimum: 0 } } };

/** A handler's error: its JSON body, or the page of `htmlErrorPage` to a request that prefers HTML. */
const handlerErrorContent = (body = 'ErrorBody') => ({ 'application/json': { schema: componentRef(body) }, 'text/html': {} });

const unavailableWords =
  'An AWS service the function uses (its DynamoDB table, Secrets Manager, the report bucket) was unreachable, did not answer in time, throttled or failed on its side: the request was not acknowledged; send it again after `Retry-After` seconds.';

/**
 * Answers shared by many routes, each described once: an unavailable AWS service (on every route whose
 * function uses one), and API Gateway's own refusals before any handler runs (on every route).
 */
const sharedResponses = {
  ServiceUnavailable: { description: unavailableWords, headers: retryAfter, content: handlerErrorContent() },
  ApiGatewayThrottled: {
    description:
      'API Gateway\'s throttle (the stage\'s, or the route\'s: `operations.apiThrottle`) refused the request before any handler ran: `{"message": "Too Many Requests"}`, with no `Retry-After` and no CORS headers. Back off and send it again.',
    content: { 'application/json': { schema: componentRef('ApiGatewayThrottled') } },
  },
  ApiGatewayTooLarge: {
    description:
      'API Gateway refused the request before any handler ran: its body is over 10 MB, or the event would be over Lambda\'s 6 MB (a binary body counted base64-encoded): `{"message": "Request Entity Too Large"}`.',
    content: { 'application/json': { schema: componentRef('ApiGatewayTooLarge') } },
  },
} as const;

/** API Gateway's own refusals, by status, each with the shared response that describes it. */
const gatewayRefusals = [
  { status: '413', response: 'ApiGatewayTooLarge' },
  { status: '429', response: 'ApiGatewayThrottled' },
] as const;

function operation(route: HttpRoute, described: RouteDescription): JsonObject {
  const { signature } = described;
  const bodySigned = signature && 'bodyField' in signature ? ` Signed by \`${signature.bodyField}\` in the body, which must equal the key configured for the form.` : '';
  return {
    operationId: route.functionName,
    summary: route.description,
    ...(bodySigned ? { description: bodySigned.trim() } : {}),
    parameters: [...pathParameters(route, described), ...queryParameters(described), ...(described.headers ?? []).map((header) => parameter('header', header))],
    ...(described.requestBody ? { requestBody: { required: described.requestBody.required, ...withDescription(described.requestBody.description), content: content(described.requestBody.content) } } : {}),
    responses: responsesOf(route, described),
    security: securityOf(route, signature),
  };
}

/** `HEAD` beside a `GET` that answers it: the same statuses and headers, no body. */
function headOperation(get: JsonObject): JsonObject {
  const responses = Object.fromEntries(
    Object.entries(get.responses as Record<string, JsonObject>).map(([status, response]) => {
      const { content: _content, ...withoutBody } = response;
      return [status, withoutBody];
    }),
  );
  return { ...get, operationId: `${String(get.operationId)}-head`, summary: 'What GET answers, without its body (mail scanners and link previews probe links with HEAD); changes nothing.', responses };
}

/** The 400 of a route whose handler refuses query strings (`httpHandler`'s default), alone or after the route's own. */
const refusedQueryParameter = (afterOwn: boolean) => `${afterOwn ? 'Or a' : 'A'} query parameter: the route takes none; \`issues\` name each one sent.`;

/**
 * Every answer of a route by status: its own, its handler's errors (the same status may be both: a page
 * and an error body), the 503 of an unavailable AWS service, API Gateway's `413` and `429`, and the JWT
 * authorizer's `401`.
 */
function responsesOf(route: HttpRoute, described: RouteDescription): Record<string, JsonObject> {
  const responses: Record<string, JsonObject> = {};
  for (const [status, response] of Object.entries(described.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.headers ? { headers: Object.fromEntries(Object.entries(response.headers).map(([name, meaning]) => [name, { description: meaning, schema: { type: 'string' } }])) } : {}),
      ...(response.content ? { content: content(response.content) } : {}),
    };
  }
  const errors: Array<[string, ErrorDescription | undefined]> = Object.entries(described.errors ?? {});
  if (route.queryStringUse === 'refused') errors.push(['400', refusedQueryParameter(Boolean(described.errors?.[400]))]);
  for (const [status, error] of errors) {
    if (!error) continue;
    const { description, body } = typeof error === 'string' ? { description: error, body: undefined } : error;
    const answer = { description, ...(status === '429' || status === '503' ? { headers: retryAfter } : {}), content: handlerErrorContent(body?.name) };
    responses[status] = responses[status] ? bothAnswers(responses[status], answer) : answer;
  }
  if (route.usesAwsServices) {
    responses['503'] = responses['503'] ? bothAnswers(responses['503'], { ...sharedResponses.ServiceUnavailable, description: `Also: ${unavailableWords}` }) : responseRef('ServiceUnavailable');
  }
  for (const { status, response } of gatewayRefusals) {
    const own = responses[status];
    responses[status] = own ? orGatewayRefusal(own, response) : responseRef(response);
  }
  if (route.auth.mode === 'jwt') {
    responses['401'] = { description: 'No valid bearer token (the authorizer answers; the handler never runs).', content: { 'application/json': { schema: componentRef('AuthorizerRefusal') } } };
  }
  return responses;
}

/** One status with two answers (a page and an error body, or a route's own 503 and the shared one): both descriptions, headers and media types. */
function bothAnswers(one: JsonObject, other: JsonObject): JsonObject {
  const headers = { ...(one.headers as JsonObject | undefined), ...(other.headers as JsonObject | undefined) };
  return {
    description: `${one.description as string} ${other.description as string}`,
    ...(Object.keys(headers).length ? { headers } : {}),
    content: { ...(one.content as JsonObject | undefined), ...(other.content as JsonObject | undefined) },
  };
}

/** A handler's own `413` or `429`, which API Gateway may answer first with its own body (the shared response `gateway` describes it). */
function orGatewayRefusal(own: JsonObject, gateway: (typeof gatewayRefusals)[number]['response']): JsonObject {
  const ownContent = (own.content ?? {}) as Record<string, { schema?: JsonObject }>;
  const ownJson = ownContent['application/json']?.schema;
  return {
    ...own,
    description: `${own.description as string} Or API Gateway's own refusal, before the handler runs (\`#/components/responses/${gateway}\`).`,
    content: { ...ownContent, 'application/json': { schema: ownJson ? { anyOf: [ownJson, componentRef(gateway)] } : componentRef(gateway) } },
  };
}

function securityOf(route: HttpRoute, signature: RouteDescription['signature']): JsonObject[] {
  if (route.auth.mode === 'jwt') return [{ bearerJwt: [] }];
  if (route.auth.mode === 'signed-webhook' && signature && 'header' in signature) return [{ [signature.header]: [] }, ...(signature.optional ? [{}] : [])];
  return [];
}

function pathParameters(route: HttpRoute, described: RouteDescription): JsonObject[] {
  return [...route.path.matchAll(pathParameterPattern)].map(([, name]) => parameter('path', { name, required: true, description: described.pathParameters?.[name] ?? '' }));
}

/** A zod query schema becomes one parameter per key, each with its own JSON Schema. */
function queryParameters(described: RouteDescription): JsonObject[] {
  const { query } = described;
  if (!query) return [];
  if (Array.isArray(query)) return (query as readonly ParameterDescription[]).map((each) => parameter('query', each));
  const schema = jsonSchemaOf(query as z.ZodMiniType, 'input');
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries((schema.properties as Record<string, JsonObject> | undefined) ?? {}).map(([name, property]) => ({ name, in: 'query', required: required.has(name), schema: property }));
}

function parameter(location: 'path' | 'query' | 'header', { name, description, required }: ParameterDescription): JsonObject {
  return { name, in: location, required: location === 'path' || (required ?? false), ...withDescription(description), schema: { type: 'string' } };
}

function content(described: ContentDescription): JsonObject {
  return Object.fromEntries(Object.entries(described).map(([mediaType, named]) => [mediaType, named ? { schema: componentRef(named.name) } : {}]));
}

const withDescription = (description: string | undefined) => (description ? { description } : {});
function componentRef(name: string) {
  return { $ref: `#/components/schemas/${name}` };
}
function responseRef(name: keyof typeof sharedResponses) {
  return { $ref: `#/components/responses/${name}` };
}
const namedSchemasOf = (described: ContentDescription | undefined): NamedSchema[] => Object.values(described ?? {}).filter((named): named is NamedSchema => named !== null);

/**
 * JSON Schemas of the named zod schemas, as `components.schemas`: request schemas as they are read
 * (`io: input`: defaults optional, before transforms), responses as they are written.
 */
function componentSchemas(named: readonly NamedSchema[], io: 'input' | 'output'): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  const byName = new Map<string, z.ZodMiniType>();
  for (const { name, schema } of named) {
    const known = byName.get(name);
    if (known && known !== schema) throw new Error(`Two different schemas are both named "${name}" in the OpenAPI document`);
    if (!known) registry.add(schema, { id: name });
    byName.set(name, schema);
  }
  const { schemas } = z.toJSONSchema(registry, { io, unrepresentable: 'any', override: showCheckedFormats, uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, documented(schema as JsonObject, io)]));
}

function jsonSchemaOf(schema: z.ZodMiniType, io: 'input' | 'output'): JsonObject {
  return documented(z.toJSONSchema(schema, { io, unrepresentable: 'any', override: showCheckedFormats }), io);
}

/**
 * A refine has no JSON Schema form, so a string checked by `isCalendarDay` would show as any string:
 * it is shown with the pattern and format it checks (`YYYY-MM-DD`, a real day), which accept no more and no less.
 */
function showCheckedFormats({ zodSchema, jsonSchema }: { zodSchema: unknown; jsonSchema: JsonObject }): void {
  const def = (zodSchema as { _zod: { def: { type: string; checks?: Array<{ _zod: { def: { fn?: unknown } } }> } } })._zod.def;
  if (def.type === 'string' && def.checks?.some((check) => check._zod.def.fn === isCalendarDay)) {
    Object.assign(jsonSchema, { format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
    jsonSchema.description ??= 'A calendar day, `YYYY-MM-DD`.';
  }
}

/**
 * A schema as the document shows it: without `$schema`/`$id` (the document's dialect applies), and, in
 * what a request sends, with each pool list built from the defaults said to be the configured one it
 * stands for (an answer's list, such as a lead's `qualification`, is what was stored, whatever the pool now has).
 */
function documented(schema: JsonObject, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return (io === 'input' ? replaceConfiguredLists(rest) : rest) as JsonObject;
}

function replaceConfiguredLists(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(replaceConfiguredLists);
  if (typeof node !== 'object' || node === null) return node;
  const values = (node as JsonObject).enum;
  const configured = Array.isArray(values) ? configuredLists.find((list) => list.values.length === values.length && list.values.every((value, index) => values[index] === value)) : undefined;
  if (configured) return { type: 'string', description: configured.description };
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, replaceConfiguredLists(value)]));
}

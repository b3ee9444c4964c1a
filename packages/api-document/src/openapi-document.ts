import * as z from 'zod/mini';
import type { FunctionDefinition, HttpTrigger } from '@leadflow/manifest';
import { authorizerRefusalSchema, errorBodySchema } from './error-bodies';
import type { ContentDescription, NamedSchema, ParameterDescription, RouteDescription } from './route-description';
import { configuredLists, routeDescriptions, type RouteKey } from './route-descriptions';

type JsonObject = Record<string, unknown>;

/** An HTTP route of the manifest with the function that answers it. */
export interface HttpRoute extends Pick<HttpTrigger, 'method' | 'path' | 'auth'> {
  functionName: string;
  description: string;
}

export const routeKeyOf = (route: Pick<HttpTrigger, 'method' | 'path'>): RouteKey => `${route.method} ${route.path}` as RouteKey;

/** The HTTP routes among the manifest's functions, in the manifest's order. */
export function httpRoutesOf(functions: readonly FunctionDefinition[]): HttpRoute[] {
  return functions.flatMap(({ name, description, trigger }) => (trigger.kind === 'http' ? [{ functionName: name, description, method: trigger.method, path: trigger.path, auth: trigger.auth }] : []));
}

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
 * openApiDocument(httpRoutesOf(manifestFunctions(configuration)), { version: '0.1.0' })
 */
export function openApiDocument(routes: readonly HttpRoute[], info: { version: string }, descriptions: Readonly<Record<string, RouteDescription>> = routeDescriptions): JsonObject {
  const gaps = routeDescriptionGaps(routes, descriptions);
  if (gaps.length) throw new RouteDescriptionGapError(gaps);

  const requestSchemas: NamedSchema[] = [];
  const responseSchemas: NamedSchema[] = [
    { name: 'ErrorBody', schema: errorBodySchema },
    { name: 'AuthorizerRefusal', schema: authorizerRefusalSchema },
  ];
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    const described = descriptions[routeKeyOf(route)];
    requestSchemas.push(...namedSchemasOf(described.requestBody?.content));
    for (const response of Object.values(described.responses)) responseSchemas.push(...namedSchemasOf(response.content));
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation(route, described) };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Leadflow API',
      version: info.version,
      description: 'Lead capture and routing. Generated from the manifest and the zod schemas the handlers validate with (`npm run openapi`). A failed request writes nothing.',
    },
    paths,
    components: {
      schemas: { ...componentSchemas(requestSchemas, 'input'), ...componentSchemas(responseSchemas, 'output') },
      securitySchemes,
    },
  };
}

function operation(route: HttpRoute, described: RouteDescription): JsonObject {
  const { signature } = described;
  const bodySigned = signature && 'bodyField' in signature ? ` Signed by \`${signature.bodyField}\` in the body, which must equal the key configured for the form.` : '';
  const errors = Object.entries(described.errors ?? {}).map(([status, description]) => [status, { description, content: { 'application/json': { schema: componentRef('ErrorBody') } } }]);
  const unauthorized =
    route.auth.mode === 'jwt' ? [['401', { description: 'No valid bearer token (the authorizer answers; the handler never runs).', content: { 'application/json': { schema: componentRef('AuthorizerRefusal') } } }]] : [];
  return {
    operationId: route.functionName,
    summary: route.description,
    ...(bodySigned ? { description: bodySigned.trim() } : {}),
    parameters: [...pathParameters(route, described), ...queryParameters(described), ...(described.headers ?? []).map((header) => parameter('header', header))],
    ...(described.requestBody ? { requestBody: { required: described.requestBody.required, ...withDescription(described.requestBody.description), content: content(described.requestBody.content) } } : {}),
    responses: Object.fromEntries([
      ...Object.entries(described.responses).map(([status, response]) => [
        status,
        {
          description: response.description,
          ...(response.headers ? { headers: Object.fromEntries(Object.entries(response.headers).map(([name, meaning]) => [name, { description: meaning, schema: { type: 'string' } }])) } : {}),
          ...(response.content ? { content: content(response.content) } : {}),
        },
      ]),
      ...errors,
      ...unauthorized,
    ]),
    security: securityOf(route, signature),
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
const componentRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });
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
  const { schemas } = z.toJSONSchema(registry, { io, unrepresentable: 'any', uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([name, schema]) => [name, documented(schema as JsonObject)]));
}

function jsonSchemaOf(schema: z.ZodMiniType, io: 'input' | 'output'): JsonObject {
  return documented(z.toJSONSchema(schema, { io, unrepresentable: 'any' }));
}

/**
 * A schema as the document shows it: without `$schema`/`$id` (the document's dialect applies), and
 * with each pool list built from the defaults said to be the configured one it stands for.
 */
function documented(schema: JsonObject): JsonObject {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return replaceConfiguredLists(rest) as JsonObject;
}

function replaceConfiguredLists(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(replaceConfiguredLists);
  if (typeof node !== 'object' || node === null) return node;
  const values = (node as JsonObject).enum;
  const configured = Array.isArray(values) ? configuredLists.find((list) => list.values.length === values.length && list.values.every((value, index) => values[index] === value)) : undefined;
  if (configured) return { type: 'string', description: configured.description };
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, replaceConfiguredLists(value)]));
}

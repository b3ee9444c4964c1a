import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { errorBodySchema, httpRoutesOf, openApiDocument, routeDescriptionGaps, routeDescriptions, RouteDescriptionGapError, type HttpRoute } from '@leadflow/api-document';
import { manifestFunctions } from '@leadflow/manifest';
import { badRequest, forbidden, notFound, payloadTooLarge, refused, tooManyRequests, unauthorized, unsupportedMediaType } from '@leadflow/platform';
import { openApiDocumentFile, openApiDocumentText } from '../../../scripts/openapi';
import { createHandler as createGetLead } from '../../../functions/get-lead/handler';
import { createHandler as createGetRouting } from '../../../functions/get-routing/handler';
import { createHandler as createSetAvailability } from '../../../functions/set-rep-availability/handler';
import { httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { demoConfiguration } from '../../support/demo-configuration';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';

type Operation = { operationId: string; security: Array<Record<string, string[]>>; responses: Record<string, unknown>; parameters: Array<{ name: string; in: string }> };
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

const routes = httpRoutesOf(manifestFunctions(demoConfiguration()));
const built = openApiDocument(routes, { version: '0.1.0' }) as Document;
const committed = JSON.parse(readFileSync(openApiDocumentFile, 'utf8')) as Document;

/** Every `METHOD /path` a document describes. */
const operationsOf = (document: Document) => Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
const manifestRoutes = routes.map((route) => `${route.method} ${route.path}`);

describe('the OpenAPI document and the manifest', () => {
  it('describe the same routes: every route and method of the manifest, and nothing else', () => {
    expect(routeDescriptionGaps(routes)).toEqual([]);
    expect(operationsOf(built).sort()).toEqual([...manifestRoutes].sort());
    expect(new Set(manifestRoutes).size).toBe(manifestRoutes.length);
  });

  it('is committed as generated, so GET /openapi.json serves the current one (run `npm run openapi` when this fails)', () => {
    expect(readFileSync(openApiDocumentFile, 'utf8') === openApiDocumentText(), 'functions/serve-openapi-document/openapi.json is not the generated document: run `npm run openapi`').toBe(true);
    expect(operationsOf(committed).sort()).toEqual([...manifestRoutes].sort());
  });

  it('names a route of the manifest that has no description, so whoever adds a route adds its description', () => {
    const added: HttpRoute = { functionName: 'create-offer', description: 'Creates an offer.', method: 'POST', path: '/offers', auth: { mode: 'jwt' } };
    expect(routeDescriptionGaps([...routes, added])).toEqual(['POST /offers (create-offer) has no description: add one to packages/api-document/src/route-descriptions.ts']);
    expect(() => openApiDocument([...routes, added], { version: '0.1.0' })).toThrow(RouteDescriptionGapError);
    expect(() => openApiDocument([...routes, added], { version: '0.1.0' })).toThrow(/POST \/offers \(create-offer\) has no description/);
  });

  it('names a description whose route the manifest no longer has', () => {
    const withoutHealth = routes.filter((route) => route.path !== '/health');
    expect(routeDescriptionGaps(withoutHealth)).toEqual(['GET /health is described but is no route of the manifest: remove it from packages/api-document/src/route-descriptions.ts']);
  });

  it('names a signed webhook whose description names no signature, and a described path parameter the path lacks', () => {
    const { signature: _signature, ...unsigned } = routeDescriptions['POST /webhooks/meta'];
    const gaps = routeDescriptionGaps(routes, { ...routeDescriptions, 'POST /webhooks/meta': unsigned, 'GET /health': { ...routeDescriptions['GET /health'], pathParameters: { healthId: 'none' } } });
    expect(gaps.sort()).toEqual([
      'GET /health (health) describes path parameter "healthId", which its path does not have',
      'POST /webhooks/meta (receive-meta-leads) is a signed webhook, but its description names no signature',
    ]);
  });

  it('leaves out the local-only routes, which are not in the manifest', () => {
    expect(Object.keys(built.paths).filter((path) => path.startsWith('/_local'))).toEqual([]);
  });
});

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(built));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('notices an invalid document, so the check above can fail', async () => {
    const broken = structuredClone(built);
    (broken.paths['/health'].get as unknown as Record<string, unknown>).responses = 'none';
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('secures each route as the manifest says: JWT bearer with the authorizer 401, a signature header, or nothing', () => {
    for (const route of routes) {
      const operation = built.paths[route.path][route.method.toLowerCase()];
      if (route.auth.mode === 'jwt') {
        expect(operation.security, route.path).toEqual([{ bearerJwt: [] }]);
        expect(operation.responses['401'], route.path).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/AuthorizerRefusal' } } } });
      } else if (route.auth.mode === 'public') expect(operation.security, route.path).toEqual([]);
    }
    expect(built.paths['/webhooks/meta'].post.security).toEqual([{ metaSignature: [] }]);
    expect(built.paths['/webhooks/tiktok'].post.security).toEqual([{ tikTokSignature: [] }, {}]);
    expect(built.paths['/webhooks/google'].post).toMatchObject({ security: [], description: expect.stringContaining('`google_key`') });
  });

  it('lists each path parameter of every route, and the query keys of the zod schema a handler parses with', () => {
    for (const route of routes) {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
      const operation = built.paths[route.path][route.method.toLowerCase()];
      expect(operation.parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name)).toEqual(names);
    }
    const query = built.paths['/pools/{poolId}/leads'].get.parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
    expect(query).toEqual(expect.arrayContaining(['limit', 'cursor', 'grade', 'temperature', 'channel', 'minAgeHours', 'maxAgeHours']));
  });

  it('shows request bodies as the handlers read them, and pool lists as the configuration gives them', () => {
    const schemas = built.components.schemas as Record<string, any>;
    expect(schemas.AssignBody).toMatchObject({ type: 'object', required: ['repId'], additionalProperties: false });
    expect(schemas.ReleaseBody.properties.reason).toEqual({ type: 'string', description: expect.stringContaining("pool's `releaseReasons`") });
    expect(built.paths['/leads/{leadId}/release'].post).toMatchObject({ requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ReleaseBody' } } } } });
    expect(built.paths['/leads/{leadId}'].get.responses['200']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/Lead' } } } });
  });

  it("gives 4xx answers the body the HTTP error handler sends, which every kind of HttpError's body matches", () => {
    expect(built.paths['/leads/{leadId}'].get.responses['404']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } } });
    const errors = [
      badRequest('The request is invalid', [{ path: 'reason', message: 'is required' }]),
      unauthorized(),
      forbidden(),
      notFound('No such lead'),
      payloadTooLarge(65536),
      unsupportedMediaType('text/plain', ['application/json']),
      tooManyRequests(30),
      refused({ status: 409, rule: 'holding_cap', message: 'holding cap 30 reached' }),
    ];
    for (const error of errors) expect(errorBodySchema.safeParse(error.toBody()).success, error.message).toBe(true);
    expect(errorBodySchema.safeParse({ error: 'x', stack: 'at …' }).success).toBe(false);
  });

  it('gives success bodies the schemas that what the handlers answer matches', async () => {
    const deps = fakeDependencies();
    await deps.store.ingestLead(webFormIntake(deps.config, { leadId: 'lead-1' }));
    const asManager = { sub: 'mgr-maya', 'cognito:groups': '[manager]' };
    const answers = {
      'GET /leads/{leadId}': await createGetLead(() => deps)(httpEvent({ path: '/leads/lead-1', pathParameters: { leadId: 'lead-1' }, claims: asManager }), lambdaContext),
      'GET /routing': await createGetRouting(() => deps)(httpEvent({ path: '/routing', claims: asManager }), lambdaContext),
      'PUT /reps/{repId}/availability': await createSetAvailability(() => deps)(
        httpEvent({
          method: 'PUT',
          path: '/reps/rep-ava/availability',
          pathParameters: { repId: 'rep-ava' },
          headers: { 'content-type': 'application/json' },
          body: '{"outOfOffice": true, "until": "2026-03-09T00:00:00Z"}',
          claims: asManager,
        }),
        lambdaContext,
      ),
    } as const;
    for (const [route, answer] of Object.entries(answers) as Array<[keyof typeof answers, any]>) {
      expect(answer.statusCode, route).toBe(200);
      const described = routeDescriptions[route].responses[200].content?.['application/json'];
      expect(described, route).toBeTruthy();
      const parsed = described!.schema.safeParse(JSON.parse(answer.body));
      expect(parsed.error?.issues ?? [], route).toEqual([]);
    }
  });
});

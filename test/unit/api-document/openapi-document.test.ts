import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  csvCharsetLabels,
  documentSchemas,
  errorBodySchema,
  httpRoutesOf,
  openApiDocument,
  routeDescriptionGaps,
  routeDescriptions,
  RouteDescriptionGapError,
  routeKeyOf,
  spendBodySchema,
  spendRowSchema,
  type HttpRoute,
  type RouteKey,
} from '@leadflow/api-document';
import { isCalendarDay, qualificationSchema, spendColumns, textEncodingNamed, textEncodings } from '@leadflow/domain';
import { manifestFunctions, routeKeysOf } from '@leadflow/manifest';
import { badRequest, forbidden, notFound, payloadTooLarge, refused, tooManyRequests, unauthorized, unsupportedMediaType } from '@leadflow/platform';
import { handlersQueryStringUse, openApiDocumentFile, openApiDocumentText } from '../../../scripts/openapi';
import { createHandler as createCapture } from '../../../functions/capture-form-submission/handler';
import { createHandler as createClaim } from '../../../functions/claim-lead/handler';
import { createHandler as createEraseLead } from '../../../functions/erase-lead/handler';
import { createHandler as createGetLead } from '../../../functions/get-lead/handler';
import { createHandler as createGetRouting } from '../../../functions/get-routing/handler';
import { createHandler as createImport } from '../../../functions/import-leads/handler';
import { createHandler as createNotifyRep } from '../../../functions/notify-rep/handler';
import { createHandler as createOneTapAction } from '../../../functions/perform-one-tap-action/handler';
import { createHandler as createRecordSpend } from '../../../functions/record-spend/handler';
import { createHandler as createReportPage } from '../../../functions/get-channel-roi-page/handler';
import { createHandler as createRollup } from '../../../functions/request-channel-roi-rollup/handler';
import { createHandler as createSetAvailability } from '../../../functions/set-rep-availability/handler';
import { createHandler as createTrackRoi } from '../../../functions/track-channel-roi/handler';
import { handler as health } from '../../../functions/health/handler';
import { busEvent, httpEvent, lambdaContext } from '../../support/api-gateway-events';
import { demoConfiguration } from '../../support/demo-configuration';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';
import { fixtureExchangeRates, fixtureLeadRecords } from '../../fixtures/channel-roi/hand-computed';

type Operation = { operationId: string; security: Array<Record<string, string[]>>; responses: Record<string, unknown>; parameters: Array<{ name: string; in: string; schema?: Record<string, unknown> }> };
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown>; responses: Record<string, unknown> } };

const functions = manifestFunctions(demoConfiguration());
const routes = httpRoutesOf(functions, await handlersQueryStringUse(functions));
const built = openApiDocument(routes, { version: '0.1.0' }) as Document;
const committed = JSON.parse(readFileSync(openApiDocumentFile, 'utf8')) as Document;

/** Every `METHOD /path` a document describes. */
const operationsOf = (document: Document) => Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
const manifestRoutes = routes.flatMap(routeKeysOf);

describe('the OpenAPI document and the manifest', () => {
  it('describe the same routes: every route and method of the manifest, and nothing else', () => {
    expect(routeDescriptionGaps(routes)).toEqual([]);
    expect(operationsOf(built).sort()).toEqual([...manifestRoutes].sort());
    expect(new Set(manifestRoutes).size).toBe(manifestRoutes.length);
  });

  it('is committed as generated, so GET /openapi.json serves the current one (run `npm run openapi` when this fails)', async () => {
    expect(readFileSync(openApiDocumentFile, 'utf8') === (await openApiDocumentText()), 'functions/serve-openapi-document/openapi.json is not the generated document: run `npm run openapi`').toBe(true);
    expect(operationsOf(committed).sort()).toEqual([...manifestRoutes].sort());
  });

  it('names a route of the manifest that has no description, so whoever adds a route adds its description', () => {
    const added: HttpRoute = { functionName: 'create-offer', description: 'Creates an offer.', method: 'POST', path: '/offers', auth: { mode: 'jwt' }, usesAwsServices: true, queryStringUse: 'refused' };
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

type Answer = APIGatewayProxyStructuredResultV2;
type DocumentedResponse = { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema?: { $ref?: string; anyOf?: Array<{ $ref: string }> } }> };
type Deps = ReturnType<typeof fakeDependencies>;

const answerSchemas = new Map(documentSchemas(routes).responses.map(({ name, schema }) => [name, schema]));

/** The response the document gives `route` for `status`, a shared one (`$ref`) read where it is. */
function documentedResponse(route: RouteKey, status: number): DocumentedResponse | undefined {
  const [method, path] = route.split(' ');
  const response = built.paths[path]?.[method.toLowerCase()]?.responses[String(status)] as (DocumentedResponse & { $ref?: string }) | undefined;
  return response?.$ref ? (built.components.responses[response.$ref.replace('#/components/responses/', '')] as DocumentedResponse) : response;
}

/**
 * What a handler answered, held to the document: its status is documented for the route, its media type
 * is one the document gives that status, its JSON body matches (one of) the schemas named there, and a
 * `Retry-After` it sends is a header the document names.
 */
function expectDocumented(route: RouteKey, answer: Answer): void {
  const status = answer.statusCode ?? 200;
  const documented = documentedResponse(route, status);
  expect(documented, `${route} answered ${status}, which the document does not give it`).toBeDefined();
  const mediaType = String(answer.headers?.['content-type'] ?? '')
    .split(';')[0]
    .trim();
  expect(Object.keys(documented?.content ?? {}), `${route} ${status} answered ${mediaType}`).toContain(mediaType);
  if (answer.headers?.['retry-after'] !== undefined) expect(Object.keys(documented?.headers ?? {}), `${route} ${status} sends Retry-After`).toContain('Retry-After');
  if (mediaType !== 'application/json') return;
  const schema = documented!.content!['application/json'].schema!;
  const names = (schema.anyOf ?? [schema]).map(({ $ref }) => $ref!.replace('#/components/schemas/', ''));
  const body = JSON.parse(String(answer.body));
  const results = names.map((name) => answerSchemas.get(name)!.safeParse(body));
  expect(
    results.some((result) => result.success),
    `${route} ${status} answered ${JSON.stringify(body)}, which matches none of ${names.join(', ')}: ${JSON.stringify(results.map((result) => result.error?.issues))}`,
  ).toBe(true);
}

const asRole = (role: string, sub = `${role}-1`) => ({ sub, 'cognito:groups': `[${role}]` });
const throttled = () => Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ThrottlingException', $fault: 'client' });

/** The one-tap links a rep is sent for a lead assigned to them (as notify-rep sends them, by email). */
async function oneTapLinks(deps: Deps) {
  await deps.store.ingestLead(webFormIntake(deps.config, { leadId: 'l1', contact: { name: 'Ada Lovelace', email: 'l1@example.com' }, now: deps.now() }));
  Object.assign(deps.store.leads.get('l1')!, { ownerId: 'rep-ava', status: 'assigned', poolId: 'key-accounts' });
  deps.store.openLeads.set('rep-ava', 1);
  const assigned = { eventId: 'assign-l1', leadId: 'l1', ownerId: 'rep-ava', poolId: 'key-accounts', rule: 'territory', assignedAt: deps.now().toISOString() };
  await createNotifyRep(() => deps)(busEvent('lead.assigned', assigned), lambdaContext);
  const link = (title: string) => new RegExp(`${title}: https://leads\\.example/a/(\\S+)`).exec(deps.mailer.sent[0].text)![1];
  return { release: link('Release lead'), contacted: link('Mark contacted') };
}

const oneTapPost = (deps: Deps, token: string, input: { body: string; contentType?: string; accept?: string; base64?: boolean }) => {
  const event = httpEvent({
    method: 'POST',
    path: `/a/${token}`,
    pathParameters: { token },
    headers: { 'content-type': input.contentType ?? 'application/x-www-form-urlencoded', ...(input.accept ? { accept: input.accept } : {}) },
    body: input.body,
  });
  return createOneTapAction(() => deps)({ ...event, isBase64Encoded: input.base64 ?? false }, lambdaContext) as Promise<Answer>;
};

const formPost = (deps: Deps, body: string, contentType: string, headers: Record<string, string> = {}, formId = 'demo') =>
  createCapture(() => deps)(httpEvent({ method: 'POST', path: `/forms/${formId}/submissions`, pathParameters: { formId }, headers: { 'content-type': contentType, ...headers }, body }), lambdaContext) as Promise<Answer>;

const rollup = (deps: Deps, body: unknown, claims = asRole('finance'), contentType = 'application/json') =>
  createRollup(() => deps)(httpEvent({ method: 'POST', path: '/rollups/channel-roi', headers: { 'content-type': contentType }, body: JSON.stringify(body), claims }), lambdaContext) as Promise<Answer>;

const spend = (deps: Deps, body: string, contentType = 'application/json') =>
  createRecordSpend(() => deps)(httpEvent({ method: 'POST', path: '/spend', headers: { 'content-type': contentType }, body, claims: asRole('finance') }), lambdaContext) as Promise<Answer>;

/** A day holding a sale in EUR, rolled up with the rate configured (as channel-roi.test.ts sets it up); the rate is then taken away. */
async function saleWithoutRate(): Promise<{ deps: Deps; day: string }> {
  const deps = fakeDependencies(new Date('2026-03-12T04:30:00.000Z'));
  deps.config.channelRoi.exchangeRates = fixtureExchangeRates;
  const { lead } = fixtureLeadRecords[4];
  const conversion = { revenue: 500, currency: 'EUR', wonAt: '2026-03-10T18:00:00.000Z', by: 'rep-ava' };
  deps.store.leads.set(lead.leadId, { ...lead, status: 'converted', conversion });
  const lifecycle = { eventId: `${lead.leadId}-e`, leadId: lead.leadId, poolId: 'americas-inbound', channel: 'meta-ads', capturedAt: '2026-03-10T14:00:00.000Z', by: 'rep-ava' };
  await createTrackRoi(() => deps)(busEvent('lead.converted', { ...lifecycle, revenue: 500, currency: 'EUR', wonAt: conversion.wonAt, convertedAt: conversion.wonAt }), lambdaContext);
  return { deps, day: deps.roi.facts.get(lead.leadId)!.day };
}

describe('what the handlers answer, held to the document', () => {
  it("POST /rollups/channel-roi: the 409 of a missing exchange rate, with the days rolled up before it, and the 200's days", async () => {
    const { deps, day } = await saleWithoutRate();
    const done = await rollup(deps, { from: day, to: day });
    expect(done.statusCode).toBe(200);
    expectDocumented('POST /rollups/channel-roi', done);
    deps.config.channelRoi.exchangeRates = [];
    const refused = await rollup(deps, { from: '2026-03-09', to: day });
    expect(refused.statusCode).toBe(409);
    expect(JSON.parse(String(refused.body))).toMatchObject({ rule: 'missing_exchange_rate', days: [expect.objectContaining({ day: '2026-03-09' })] });
    expectDocumented('POST /rollups/channel-roi', refused);
    for (const answer of [await rollup(deps, { from: day }), await rollup(deps, { from: day, to: day }, asRole('rep')), await rollup(deps, {}, asRole('finance'), 'text/plain')]) {
      expectDocumented('POST /rollups/channel-roi', answer);
    }
  });

  it('the form post: its errors as JSON, and as the HTML page a plain form post (Accept: text/html) gets', async () => {
    const deps = fakeDependencies();
    const page = { accept: 'text/html,application/xhtml+xml' };
    const answers = [
      await formPost(deps, JSON.stringify({ email: 'nope' }), 'application/json'),
      await formPost(deps, 'email=nope', 'application/x-www-form-urlencoded', page),
      await formPost(deps, `name=Ada&message=${'x'.repeat(70_000)}`, 'application/x-www-form-urlencoded', page),
      await formPost(deps, 'hello', 'text/plain', page),
      await formPost(deps, 'name=Ada', 'application/x-www-form-urlencoded', page, 'no-such-form'),
    ];
    expect(answers.map((answer) => answer.statusCode)).toEqual([400, 400, 413, 415, 404]);
    expect(answers.slice(1).map((answer) => answer.headers?.['content-type'])).toEqual(Array(4).fill('text/html; charset=utf-8'));
    const form = deps.config.forms.find((candidate) => candidate.id === 'demo')!;
    for (let index = 0; index < form.rateLimitPerMinute; index += 1) await formPost(deps, `name=Ada&email=a${index}%40example.com`, 'application/x-www-form-urlencoded', page);
    const limited = await formPost(deps, 'name=Ada&email=late%40example.com', 'application/x-www-form-urlencoded', page);
    expect(limited).toMatchObject({ statusCode: 429, headers: expect.objectContaining({ 'content-type': 'text/html; charset=utf-8', 'retry-after': expect.any(String) }) });
    for (const answer of [...answers, limited]) expectDocumented('POST /forms/{formId}/submissions', answer);
  });

  it('POST /a/{token}: a body over 64 KB, not UTF-8, or JSON in another charset, as a page to a browser and as JSON otherwise', async () => {
    const deps = fakeDependencies(new Date('2026-03-02T17:00:00.000Z'));
    const links = await oneTapLinks(deps);
    const browser = 'text/html,application/xhtml+xml';
    const answers = [
      await oneTapPost(deps, links.release, { body: `reason=${'x'.repeat(70_000)}`, accept: browser }),
      await oneTapPost(deps, links.release, { body: `reason=${'x'.repeat(70_000)}` }),
      await oneTapPost(deps, links.release, { body: Buffer.from([0x72, 0x65, 0x61, 0x73, 0x6f, 0x6e, 0x3d, 0xff]).toString('base64'), base64: true, accept: browser }),
      await oneTapPost(deps, links.release, { body: '{}', contentType: 'application/json; charset=latin1' }),
      await oneTapPost(deps, links.release, { body: 'reason=not-a-reason', accept: browser }),
    ];
    expect(answers.map((answer) => [answer.statusCode, String(answer.headers?.['content-type']).split(';')[0]])).toEqual([
      [413, 'text/html'],
      [413, 'application/json'],
      [400, 'text/html'],
      [415, 'application/json'],
      [400, 'text/html'],
    ]);
    for (const answer of answers) expectDocumented('POST /a/{token}', answer);
    expect(deps.store.leads.get('l1')).toMatchObject({ status: 'assigned', ownerId: 'rep-ava' });
  });

  it('a 503 with Retry-After when an AWS service is unavailable, on a route whose own errors never include one', async () => {
    const deps = fakeDependencies();
    await deps.store.ingestLead(webFormIntake(deps.config, { leadId: 'lead-1' }));
    deps.store.getLead = async () => {
      throw throttled();
    };
    const get = (headers: Record<string, string>) =>
      createGetLead(() => deps)(httpEvent({ path: '/leads/lead-1', pathParameters: { leadId: 'lead-1' }, headers, claims: asRole('manager', 'mgr-maya') }), lambdaContext) as Promise<Answer>;
    const [json, page] = [await get({}), await get({ accept: 'text/html' })];
    expect(json).toMatchObject({ statusCode: 503, headers: expect.objectContaining({ 'retry-after': '5' }) });
    expect(page).toMatchObject({ statusCode: 503, headers: expect.objectContaining({ 'content-type': 'text/html; charset=utf-8', 'retry-after': '5' }) });
    expectDocumented('GET /leads/{leadId}', json);
    expectDocumented('GET /leads/{leadId}', page);
  });

  it('a sample of other routes and their errors', async () => {
    const deps = fakeDependencies();
    await deps.store.ingestLead(webFormIntake(deps.config, { leadId: 'lead-1' }));
    const event = httpEvent;
    const answers: Array<[RouteKey, Answer]> = [
      ['GET /health', (await health(event({ path: '/health', query: { verbose: '1' } }), lambdaContext)) as Answer],
      ['GET /leads/{leadId}', (await createGetLead(() => deps)(event({ path: '/leads/x', pathParameters: { leadId: 'x' }, claims: asRole('manager') }), lambdaContext)) as Answer],
      ['GET /routing', (await createGetRouting(() => deps)(event({ path: '/routing', claims: asRole('rep') }), lambdaContext)) as Answer],
      ['DELETE /leads/{leadId}', (await createEraseLead(() => deps)(event({ method: 'DELETE', path: '/leads/lead-1', pathParameters: { leadId: 'lead-1' }, claims: asRole('manager') }), lambdaContext)) as Answer],
      [
        'POST /leads/{leadId}/claim',
        (await createClaim(() => deps)(
          event({ method: 'POST', path: '/leads/nope/claim', pathParameters: { leadId: 'nope' }, headers: { 'content-type': 'application/json' }, body: '{}', claims: asRole('rep', 'rep-ava') }),
          lambdaContext,
        )) as Answer,
      ],
      ['POST /spend', await spend(deps, JSON.stringify({ rows: [{ date: '2026-02-30', channel: 'meta-ads', amount: '-1', currency: 'USD' }] }))],
      ['POST /spend', await spend(deps, 'date,channel\n', 'text/csv; charset=ebcdic')],
      ['POST /spend', await spend(deps, '{}', 'application/xml')],
      [
        'POST /imports',
        (await createImport(() => deps)(
          event({ method: 'POST', path: '/imports', query: { source: 'trade-shows' }, headers: { 'content-type': 'text/csv; charset=koi8-r' }, body: 'name\n', claims: asRole('manager') }),
          lambdaContext,
        )) as Answer,
      ],
      ['POST /imports', (await createImport(() => deps)(event({ method: 'POST', path: '/imports', headers: { 'content-type': 'text/plain' }, body: 'name\n', claims: asRole('manager') }), lambdaContext)) as Answer],
      [
        'GET /reports/channel-roi.html',
        (await createReportPage(() => deps)(event({ path: '/reports/channel-roi.html', query: { from: '2026-03-01', to: '2026-03-01', format: 'csv' }, claims: asRole('finance') }), lambdaContext)) as Answer,
      ],
    ];
    expect(answers.map(([, answer]) => answer.statusCode)).toEqual([400, 404, 403, 403, 404, 400, 400, 415, 400, 415, 400]);
    // The page refuses the export's `format`, which it would not read, as the routes refuse any parameter they do not read.
    expect(JSON.parse(String(answers[10][1].body)).issues).toEqual([{ path: 'format', message: 'is not a parameter of this request; it takes from, to, groupBy, attribution, sinceVersion, changedSince' }]);
    for (const [route, answer] of answers) expectDocumented(route, answer);
  });
});

describe('the answers every route shares', () => {
  it('gives every route whose function uses an AWS service the 503 with Retry-After, and only those', () => {
    for (const route of routes) {
      const key = routeKeyOf(route);
      const unavailable = documentedResponse(key, 503);
      const own = (routeDescriptions[key].errors as Record<string, unknown> | undefined)?.['503'];
      if (!route.usesAwsServices) {
        expect(unavailable, key).toBeUndefined();
        continue;
      }
      expect(unavailable, key).toMatchObject({ headers: { 'Retry-After': expect.anything() }, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } }, 'text/html': {} } });
      expect(unavailable?.description, key).toContain('An AWS service the function uses');
      if (!own) expect(built.paths[route.path][route.method.toLowerCase()].responses['503'], key).toEqual({ $ref: '#/components/responses/ServiceUnavailable' });
    }
    expect(
      routes
        .filter((route) => !route.usesAwsServices)
        .map(routeKeyOf)
        .sort(),
    ).toEqual(['GET /embed.js', 'GET /health', 'GET /openapi.json', 'GET /routing', 'OPTIONS /forms/{formId}/submissions']);
  });

  it('gives the 400 of a refused query parameter to the routes whose handler refuses query strings, as the handler itself says, and only to those', async () => {
    const useOf = await handlersQueryStringUse(functions);
    expect([useOf('get-lead'), useOf('lookup-lead'), useOf('capture-form-submission'), useOf('serve-openapi-document')]).toEqual(['refused', 'read', 'ignored', 'ignored']);
    for (const route of routes) {
      const key = routeKeyOf(route);
      const documented = documentedResponse(key, 400)?.description ?? '';
      if (route.queryStringUse === 'refused') expect(documented, key).toMatch(/(^A|Or a) query parameter: the route takes none/);
      else expect(documented, key).not.toContain('the route takes none');
    }
    expect(routes.filter((route) => route.queryStringUse === 'refused').length).toBeGreaterThan(20);
  });

  it("gives every route API Gateway's own 413 and 429, described once, beside a handler's own", () => {
    expect(built.components.responses).toMatchObject({
      ApiGatewayThrottled: { content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiGatewayThrottled' } } } },
      ApiGatewayTooLarge: { content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiGatewayTooLarge' } } } },
    });
    expect(answerSchemas.get('ApiGatewayThrottled')!.safeParse({ message: 'Too Many Requests' }).success).toBe(true);
    expect(answerSchemas.get('ApiGatewayTooLarge')!.safeParse({ message: 'Request Entity Too Large' }).success).toBe(true);
    for (const route of routes) {
      const key = routeKeyOf(route);
      for (const [status, name] of [
        [413, 'ApiGatewayTooLarge'],
        [429, 'ApiGatewayThrottled'],
      ] as const) {
        const schema = documentedResponse(key, status)?.content?.['application/json'].schema;
        expect(schema?.$ref === `#/components/schemas/${name}` || schema?.anyOf?.some(({ $ref }) => $ref === `#/components/schemas/${name}`), `${key} ${status}`).toBe(true);
      }
    }
    expect(documentedResponse('POST /forms/{formId}/submissions', 429)).toMatchObject({
      headers: { 'Retry-After': expect.anything() },
      content: { 'application/json': { schema: { anyOf: [{ $ref: '#/components/schemas/ErrorBody' }, { $ref: '#/components/schemas/ApiGatewayThrottled' }] } } },
    });
  });
});

describe('request bodies and parameters as the handlers read them', () => {
  it('documents the JSON spend body as SpendBody, which takes what POST /spend records and refuses what it refuses for its shape', async () => {
    expect(built.paths['/spend'].post).toMatchObject({ requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/SpendBody' } }, 'text/csv': {} } } });
    expect(Object.keys(spendRowSchema.shape)).toEqual([...spendColumns]);
    const deps = fakeDependencies(new Date('2026-03-11T04:30:00.000Z'));
    deps.config.channelRoi.exchangeRates = fixtureExchangeRates;
    const recorded = [
      { rows: [{ date: '2026-03-10', channel: 'meta-ads', campaign: 'spring', amount: '1234.50', currency: 'USD' }] },
      { rows: [{ date: '2026-03-10', channel: 'google-ads', amount: 20, currency: 'eur' }] },
      // Leading zeros are not among the twelve digits an amount may have.
      { rows: [{ date: '2026-03-10', channel: 'meta-ads', amount: '007.50', currency: 'USD' }] },
      { rows: [{ date: '2026-03-10', channel: 'meta-ads', amount: ' 0000000000001234.50 ', currency: 'USD' }] },
    ];
    for (const body of recorded) {
      expect((await spend(deps, JSON.stringify(body))).statusCode, JSON.stringify(body)).toBe(200);
      expect(spendBodySchema.safeParse(body).error?.issues ?? []).toEqual([]);
    }
    const refused = [
      { rows: [] },
      { rows: [{ date: '2026-03-10', channel: 'meta-ads', amount: '1', currency: 'USD', cost: '1' }] },
      { rows: [{ date: '2026-03-10', channel: 'meta-ads', currency: 'USD' }] },
      { rows: [{ date: '2026-03-10', channel: 'meta-ads', amount: '-1', currency: 'USD' }] },
      { rows: [{ date: '10/03/2026', channel: 'meta-ads', amount: '1', currency: 'USD' }] },
      { rows: [{ date: '2026-03-10', channel: 'meta-ads', amount: '1.2345', currency: 'USD' }] },
      { rows: [{ date: '2026-03-10', channel: 'meta-ads', amount: '1000000000000', currency: 'USD' }] },
      { rows: [{ date: '2026-03-10', channel: 'meta-ads', amount: '1', currency: 'USD' }], note: 'x' },
    ];
    for (const body of refused) {
      expect((await spend(deps, JSON.stringify(body))).statusCode, JSON.stringify(body)).toBe(400);
      expect(spendBodySchema.safeParse(body).success, JSON.stringify(body)).toBe(false);
    }
    // Three decimals are the shape of a KWD amount: a USD amount with three is refused by its currency's rule, which the description states.
    const threeDecimalsOfUsd = { rows: [{ date: '2026-03-10', channel: 'meta-ads', amount: '1.234', currency: 'USD' }] };
    expect((await spend(deps, JSON.stringify(threeDecimalsOfUsd))).statusCode).toBe(400);
    expect(spendBodySchema.safeParse(threeDecimalsOfUsd).success).toBe(true);
  });

  it('names every charset a CSV body may declare, as the domain reads them', () => {
    expect(Object.keys(csvCharsetLabels).sort()).toEqual([...textEncodings].sort());
    for (const [encoding, labels] of Object.entries(csvCharsetLabels)) for (const label of labels) expect(textEncodingNamed(label), label).toBe(encoding);
    for (const route of ['/imports', '/spend']) {
      const { description } = (built.paths[route].post as unknown as { requestBody: { description: string } }).requestBody;
      for (const label of Object.values(csvCharsetLabels).flat()) expect(description, route).toContain(`\`${label}\``);
      expect(description, route).toContain('byte-order mark');
    }
  });

  it('documents the report page without the `format` it does not read', () => {
    const page = built.paths['/reports/channel-roi.html'].get.parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
    const report = built.paths['/reports/channel-roi'].get.parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
    expect(report).toContain('format');
    expect(page).toEqual(report.filter((name) => name !== 'format'));
  });

  it('shows days checked as YYYY-MM-DD calendar days with their pattern and format, which take every day the check takes', () => {
    const schemas = built.components.schemas as Record<string, any>;
    const from = built.paths['/reports/channel-roi'].get.parameters.find((parameter) => parameter.name === 'from')!.schema;
    for (const day of [schemas.DayRange.properties.from, schemas.DayRange.properties.to, from, schemas.SpendBody.properties.rows.items.properties.date]) {
      expect(day).toMatchObject({ type: 'string', format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
      for (const text of ['2026-03-10', '2024-02-29', '2026-02-30', '2026-3-10', ' 2026-03-10', '20260310']) if (isCalendarDay(text)) expect(new RegExp(day.pattern).test(text), text).toBe(true);
      expect(['2026-3-10', '20260310'].some((text) => new RegExp(day.pattern).test(text))).toBe(false);
    }
  });

  it("shows a status change's qualification as the pool's configured list, and a lead's as the fixed one", () => {
    const schemas = built.components.schemas as Record<string, any>;
    const qualified = schemas.StatusBody.oneOf.find((branch: any) => branch.properties.status.const === 'qualified');
    expect(qualified.properties.qualification).toEqual({ type: 'string', description: expect.stringContaining("pool's `qualifications`") });
    expect(schemas.Lead.properties.qualification).toEqual({ type: 'string', enum: [...qualificationSchema.options] });
  });
});

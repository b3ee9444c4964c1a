import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

/** A minimal API Gateway HTTP API (payload v2) event, as Lambda receives it. */
export function httpEvent(input: {
  method?: string;
  path?: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  claims?: Record<string, string>;
}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${input.method ?? 'GET'} ${input.path ?? '/'}`,
    rawPath: input.path ?? '/',
    rawQueryString: '',
    headers: input.headers ?? {},
    pathParameters: input.pathParameters,
    ...(input.query ? { queryStringParameters: input.query } : {}),
    body: input.body,
    isBase64Encoded: false,
    requestContext: {
      http: { method: input.method ?? 'GET', path: input.path ?? '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      ...(input.claims ? { authorizer: { jwt: { claims: input.claims, scopes: [] } } } : {}),
    },
  } as unknown as APIGatewayProxyEventV2;
}

/** A lead lifecycle step's `POST /leads/{leadId}/<step>` by `claims`, with `body` as JSON when given. */
export function leadStepEvent(step: string, leadId: string, claims: Record<string, string>, body?: unknown): APIGatewayProxyEventV2 {
  return httpEvent({
    method: 'POST',
    path: `/leads/${leadId}/${step}`,
    pathParameters: { leadId },
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    claims,
  });
}

/** An EventBridge-to-Lambda event envelope around a detail. */
export function busEvent<Detail>(detailType: string, detail: Detail) {
  return {
    version: '0',
    id: 'eb-1',
    'detail-type': detailType,
    source: 'leadflow.leads',
    account: '000000000000',
    time: '2026-03-02T10:15:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

export const lambdaContext = { awsRequestId: 'test', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

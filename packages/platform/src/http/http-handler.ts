import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { lambdaLogging } from '../lambda-logging';
import { httpErrorHandler } from './http-error-handler';
import { refuseQueryParameters } from './query-string';
import { responseHeaders } from './response-headers';

/**
 * What a route does with the query string: `refused` (the default) answers each parameter sent with a 400
 * naming it, before the handler runs, so `DELETE /leads/{id}?dryRun=true` cannot read as if it had been
 * understood; `read` leaves it to the handler, whose schema refuses what it does not take; `ignored` is for the
 * public routes that pages and platforms call with parameters of their own (`?v=` on a script, tracking tags on a link).
 */
export type QueryStringUse = 'refused' | 'read' | 'ignored';

/**
 * An HTTP API (payload v2) handler whose thrown `HttpError`s become clean JSON answers. `headersFor`
 * adds headers to every answer, errors and 500s included (CORS: a browser shows no answer without them).
 * A `HEAD` request (a route that `answersHead`) is answered as its `GET` would be, without the body.
 * The handler carries its `queryStringUse`, which the OpenAPI document reads (`npm run openapi`).
 */
export function httpHandler(
  handle: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>,
  options: { headersFor?: (event: APIGatewayProxyEventV2) => Record<string, string>; query?: QueryStringUse } = {},
) {
  // First registered, so it runs last: after the error handler has turned a thrown error into an answer.
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>().use(headWithoutBody()).use(lambdaLogging());
  if (options.headersFor) handler.use(responseHeaders(options.headersFor));
  const queryStringUse = options.query ?? 'refused';
  const answering = handler.use(httpErrorHandler()).handler(async (event, context) => {
    if (queryStringUse === 'refused') refuseQueryParameters(event);
    return handle(event, context);
  });
  return Object.assign(answering, { queryStringUse });
}

function headWithoutBody(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  const dropBody = async (request: { event: APIGatewayProxyEventV2; response: APIGatewayProxyResultV2 | null | undefined }) => {
    const response = request.response;
    if (request.event.requestContext.http.method !== 'HEAD' || typeof response !== 'object' || response === null) return;
    request.response = { ...response, body: '' };
  };
  return { after: dropBody, onError: dropBody };
}

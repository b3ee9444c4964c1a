import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { lambdaLogging } from '../lambda-logging';
import { httpErrorHandler } from './http-error-handler';
import { responseHeaders } from './response-headers';

/**
 * An HTTP API (payload v2) handler whose thrown `HttpError`s become clean JSON answers. `headersFor`
 * adds headers to every answer, errors and 500s included (CORS: a browser shows no answer without them).
 * A `HEAD` request (a route that `answersHead`) is answered as its `GET` would be, without the body.
 */
export function httpHandler(handle: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>, options: { headersFor?: (event: APIGatewayProxyEventV2) => Record<string, string> } = {}) {
  // First registered, so it runs last: after the error handler has turned a thrown error into an answer.
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>().use(headWithoutBody()).use(lambdaLogging());
  if (options.headersFor) handler.use(responseHeaders(options.headersFor));
  return handler.use(httpErrorHandler()).handler(handle);
}

function headWithoutBody(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  const dropBody = async (request: { event: APIGatewayProxyEventV2; response: APIGatewayProxyResultV2 | null | undefined }) => {
    const response = request.response;
    if (request.event.requestContext.http.method !== 'HEAD' || typeof response !== 'object' || response === null) return;
    request.response = { ...response, body: '' };
  };
  return { after: dropBody, onError: dropBody };
}

import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { lambdaLogging } from '../lambda-logging';
import { httpErrorHandler } from './http-error-handler';
import { responseHeaders } from './response-headers';

/**
 * An HTTP API (payload v2) handler whose thrown `HttpError`s become clean JSON answers. `headersFor`
 * adds headers to every answer, errors and 500s included (CORS: a browser shows no answer without them).
 */
export function httpHandler(handle: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>, options: { headersFor?: (event: APIGatewayProxyEventV2) => Record<string, string> } = {}) {
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>().use(lambdaLogging());
  if (options.headersFor) handler.use(responseHeaders(options.headersFor));
  return handler.use(httpErrorHandler()).handler(handle);
}

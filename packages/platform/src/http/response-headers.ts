import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';

/**
 * Adds headers to every answer, errors included: registered before the error handler, it runs after
 * the error handler has turned a thrown error into a response. Headers the handler set itself win.
 */
export function responseHeaders(headersFor: (event: APIGatewayProxyEventV2) => Record<string, string>): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  const addHeaders = async (request: { event: APIGatewayProxyEventV2; response: APIGatewayProxyResultV2 | null | undefined }) => {
    const response = request.response;
    if (typeof response !== 'object' || response === null) return;
    let headers: Record<string, string>;
    try {
      headers = headersFor(request.event);
    } catch {
      return; // whatever made the headers unknowable already made this answer a 500
    }
    response.headers = { ...headers, ...response.headers };
  };
  return { after: addHeaders, onError: addHeaders };
}

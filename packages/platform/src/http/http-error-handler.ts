import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { logger } from '../logger';
import { backendRetryAfterSeconds, isBackendUnavailable } from './backend-unavailable';
import { HttpError, serviceUnavailable } from './http-errors';
import { jsonResponse } from './responses';
import { htmlErrorPage, prefersHtml } from './html-error-page';

/**
 * Client errors (status below 500) are answered with their message and details — as JSON, or as a small
 * HTML page to a browser posting a plain form. An AWS service that was unreachable, timed out or
 * throttled (after the SDK's own retries) is a `503` with `Retry-After`: the request was not
 * acknowledged, so sending it again is safe (a repeat is deduplicated). Anything else is logged and
 * answered with a bare 500, so internals never leak into a response.
 */
export function httpErrorHandler(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  return {
    onError: async (request) => {
      const { error } = request;
      const answered = error instanceof HttpError && error.statusCode < 500 ? error : isBackendUnavailable(error) ? serviceUnavailable(backendRetryAfterSeconds) : undefined;
      if (answered) {
        if (answered.statusCode === 503) logger.warn('An AWS service was unavailable', { error: error as Error });
        request.response = prefersHtml(request.event) ? htmlErrorPage(answered) : jsonResponse(answered.statusCode, answered.toBody(), answered.headers);
        return;
      }
      // The route (method and path template, `GET /a/{token}`) says where; the path itself may carry a one-tap link's token.
      logger.error('Unhandled error', { route: request.event.routeKey, error: error as Error });
      request.response = jsonResponse(500, { error: 'Internal server error' });
    },
  };
}

import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { logger } from '../logger';
import { HttpError } from './http-errors';
import { jsonResponse } from './json-response';
import { htmlErrorPage, prefersHtml } from './html-error-page';

/**
 * Client errors (status below 500) are answered with their message and details — as JSON, or as a small
 * HTML page to a browser posting a plain form; anything else is logged and answered with a bare 500,
 * so internals never leak into a response.
 */
export function httpErrorHandler(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  return {
    onError: async (request) => {
      const { error } = request;
      if (error instanceof HttpError && error.statusCode < 500) {
        request.response = prefersHtml(request.event) ? htmlErrorPage(error) : jsonResponse(error.statusCode, error.toBody(), error.headers);
        return;
      }
      logger.error('Unhandled error', { error: error as Error });
      request.response = jsonResponse(500, { error: 'Internal server error' });
    },
  };
}

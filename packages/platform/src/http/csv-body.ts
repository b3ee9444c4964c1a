import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { unsupportedMediaType } from './http-errors';
import { mediaType, rawBody } from './request-body';

/** Lead files posted to the API; larger ones belong to the command line (`npm run import`). */
export const maxCsvBodyBytes = 1024 * 1024;

/** The text of a `text/csv` body (UTF-8): 415 for another content type, 413 over the limit. */
export function readCsvBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded' | 'headers'>, limitBytes = maxCsvBodyBytes): string {
  const contentType = mediaType(event);
  if (contentType !== 'text/csv') throw unsupportedMediaType(contentType || '(none)', ['text/csv']);
  return rawBody(event, limitBytes).toString('utf8');
}

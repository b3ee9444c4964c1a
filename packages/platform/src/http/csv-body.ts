import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { decodeText, textEncodingNamed } from '@leadflow/domain';
import { badRequest, unsupportedMediaType } from './http-errors';
import { headerValue, mediaType, rawBody } from './request-body';

/** Lead files posted to the API; larger ones belong to the command line (`npm run import`). */
export const maxCsvBodyBytes = 1024 * 1024;

/**
 * The text of a `text/csv` body: 415 for another content type, 413 over the limit. UTF-8 unless the
 * `charset` parameter names Windows-1252 (`windows-1252`, `latin1`, `iso-8859-1`); a body that is not
 * in its charset, or an unknown charset, is a 400 saying what to send instead.
 */
export function readCsvBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded' | 'headers'>, limitBytes = maxCsvBodyBytes): string {
  const contentType = mediaType(event);
  if (contentType !== 'text/csv') throw unsupportedMediaType(contentType || '(none)', ['text/csv']);
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(headerValue(event, 'content-type') ?? '')?.[1];
  const encoding = charset === undefined ? 'utf-8' : textEncodingNamed(charset);
  if (!encoding) throw badRequest(`charset "${charset}" is not read; send UTF-8, or windows-1252 (latin1)`, [{ path: 'content-type', message: 'charset must be utf-8 or windows-1252 (latin1, iso-8859-1)' }]);
  const decoded = decodeText(rawBody(event, limitBytes), encoding);
  if (!decoded.ok) {
    throw badRequest(`The file is not UTF-8 (line ${decoded.line} is not); save it as "CSV UTF-8", or send it as text/csv; charset=windows-1252 if it is Latin-1 text`, [
      { path: '(file)', message: `is not UTF-8 (line ${decoded.line})` },
    ]);
  }
  return decoded.text;
}

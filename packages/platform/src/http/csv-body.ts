import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { decodeText, textEncodingNamed } from '@leadflow/domain';
import { badRequest, unsupportedMediaType } from './http-errors';
import { headerValue, mediaType, rawBody } from './request-body';

/** Lead files posted to the API; larger ones belong to the command line (`npm run import`). */
export const maxCsvBodyBytes = 1024 * 1024;

/**
 * The text of a `text/csv` body: 415 for another content type, 413 over the limit. UTF-8 unless the
 * `charset` parameter names Windows-1252 (`windows-1252`, `latin1`, `iso-8859-1`) or GB18030 (`gbk`,
 * `gb2312`, `cp936`, `gb18030`); a body starting with the UTF-8 byte-order mark is UTF-8 whatever the
 * charset. A body that is not in its charset, a UTF-8 body sent as windows-1252, or an unknown charset
 * is a 400 saying what to send instead.
 */
export function readCsvBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded' | 'headers'>, limitBytes = maxCsvBodyBytes): string {
  const contentType = mediaType(event);
  if (contentType !== 'text/csv') throw unsupportedMediaType(contentType || '(none)', ['text/csv']);
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(headerValue(event, 'content-type') ?? '')?.[1];
  const encoding = charset === undefined ? 'utf-8' : textEncodingNamed(charset);
  if (!encoding) {
    throw badRequest(`charset "${charset}" is not read; send UTF-8, windows-1252 (latin1) or gbk (gb18030)`, [
      { path: 'content-type', message: 'charset must be utf-8, windows-1252 (latin1, iso-8859-1) or gb18030 (gbk, gb2312, cp936)' },
    ]);
  }
  const decoded = decodeText(rawBody(event, limitBytes), encoding);
  if (decoded.ok) return decoded.text;
  if (decoded.reason === 'is-utf-8') {
    throw badRequest(`The file is UTF-8 (line ${decoded.line} has UTF-8 text), not windows-1252; send it as text/csv without a charset, so that it is not stored as "Ã©" for "é"`, [
      { path: 'content-type', message: `charset is windows-1252 but the file is UTF-8 (line ${decoded.line})` },
    ]);
  }
  if (decoded.encoding === 'gb18030') {
    throw badRequest(`The file is not GBK or GB18030 text (line ${decoded.line} is not); send it with the charset it is in, or as "CSV UTF-8" without one`, [
      { path: '(file)', message: `is not GBK/GB18030 (line ${decoded.line})` },
    ]);
  }
  throw badRequest(
    `The file is not UTF-8 (line ${decoded.line} is not); save it as "CSV UTF-8", or send it as text/csv; charset=windows-1252 if it is Latin-1 (Western) text, or charset=gbk if it is Chinese (GBK) text`,
    [{ path: '(file)', message: `is not UTF-8 (line ${decoded.line})` }],
  );
}

import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { dayCount } from '@leadflow/domain';
import { badRequest } from './http-errors';

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

/** A `200` whose JSON holds someone's personal data (a lead, its consents, a rep's list): never kept by a browser or proxy cache. */
export function personalDataResponse(body: unknown): APIGatewayProxyStructuredResultV2 {
  return jsonResponse(200, body, { 'cache-control': 'no-store' });
}

/** A CSV report as a download (RFC 4180 with a header row), never cached: it holds figures as of now. */
export function csvAttachment(fileName: string, body: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode: 200, headers: { 'content-type': 'text/csv; charset=utf-8; header=present', 'content-disposition': `attachment; filename="${fileName}"`, 'cache-control': 'no-store' }, body };
}

/**
 * The most a response may hold as Lambda counts it: the whole result as JSON, so the body JSON-escaped and
 * the headers too. Lambda refuses more than 6 MB, which API Gateway answers with a 500; this keeps a margin.
 */
export const maxResponseBytes = 5 * 1024 * 1024;

/**
 * The first items of a list whose JSON, as Lambda counts it (escaped inside the result), fits in `maxBytes`, and
 * how many did not: for an answer whose list grows with the request (an import's row errors), so it is not refused.
 */
export function itemsWithin<T>(items: readonly T[], maxBytes: number): { listed: T[]; notListed: number } {
  let bytes = 0;
  let count = 0;
  for (const item of items) {
    bytes += Buffer.byteLength(JSON.stringify(JSON.stringify(item)));
    if (bytes > maxBytes) break;
    count += 1;
  }
  return { listed: items.slice(0, count), notListed: items.length - count };
}

const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/**
 * A report over the days `from` to `to`, unless it is over `maxResponseBytes`: then a 400 naming `from`
 * that says how many days would fit, and `smaller`, the parameters that would shrink it (`format=csv` …);
 * when not even one day would (a one-day report, or days each over the limit on average), only those.
 */
export function reportWithinLimit(response: APIGatewayProxyStructuredResultV2, range: { from: string; to: string }, smaller: readonly string[]): APIGatewayProxyStructuredResultV2 {
  const bytes = Buffer.byteLength(JSON.stringify(response));
  if (bytes <= maxResponseBytes) return response;
  const days = dayCount(range.from, range.to);
  const fitting = Math.floor((days * maxResponseBytes) / bytes);
  const shrinking = smaller.join(' or ');
  const message =
    fitting >= 1
      ? `${range.from} to ${range.to} is too long for one response: ask for about ${fitting} of its ${days} days at a time${shrinking ? `, or use ${shrinking}` : ''}`
      : `${days === 1 ? `${range.from} alone` : `even one day of ${range.from} to ${range.to}`} is too large for one response${shrinking ? `: use ${shrinking}` : ''}`;
  throw badRequest(`The report is too large for one response (${megabytes(bytes)} MB; at most ${megabytes(maxResponseBytes)} MB)`, [{ path: 'from', message }]);
}

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { headerValue } from './request-body';

/**
 * Whether the request's `Accept` header prefers `mediaType` to `fallback`: it names `mediaType` itself with a
 * quality above 0, and higher than `fallback`'s, or as high when `fallback` is covered only by a wildcard
 * (`text/csv` beside the any-type range). Each type's quality is that of the most specific range covering it (RFC 9110, 12.5.1), so
 * `text/csv;q=0` refuses CSV however the rest of the header reads.
 */
export function prefersMediaType(event: Pick<APIGatewayProxyEventV2, 'headers'>, mediaType: string, fallback: string): boolean {
  const ranges = mediaRanges(headerValue(event, 'accept') ?? '');
  const wanted = acceptance(ranges, mediaType);
  const other = acceptance(ranges, fallback);
  return wanted.named && wanted.quality > 0 && (wanted.quality > other.quality || (wanted.quality === other.quality && !other.named));
}

interface MediaRange {
  range: string;
  quality: number;
}

/** `text/csv;q=0.5, text/*` → `[{range: 'text/csv', quality: 0.5}, {range: 'text/*', quality: 1}]`; other parameters are not read. */
function mediaRanges(accept: string): MediaRange[] {
  return accept.split(',').map((part) => {
    const [range, ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = parameters.map((parameter) => /^q=(\d+(?:\.\d*)?)$/.exec(parameter)).find((match) => match !== null);
    return { range: range ?? '', quality: q ? Math.min(1, Number(q[1])) : 1 };
  });
}

/** The quality the most specific range covering `mediaType` gives it, and whether that range names it (0 when none covers it). */
function acceptance(ranges: readonly MediaRange[], mediaType: string): { quality: number; named: boolean } {
  const type = mediaType.split('/')[0];
  for (const covering of [mediaType, `${type}/*`, '*/*']) {
    const range = ranges.find((candidate) => candidate.range === covering);
    if (range) return { quality: range.quality, named: covering === mediaType };
  }
  return { quality: 0, named: false };
}

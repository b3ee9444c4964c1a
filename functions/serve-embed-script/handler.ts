import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { headerValue, httpHandler } from '@leadflow/platform';

/**
 * `GET /embed.js`: the browser script that turns a site's forms into lead capture. Any site may load
 * it, so it is public and cacheable; the strong ETag lets browsers and CDNs revalidate it for free.
 */
export function createHandler(script: string) {
  const etag = `"${createHash('sha256').update(script).digest('hex')}"`;
  const cachingHeaders = {
    etag,
    'cache-control': 'public, max-age=300, stale-while-revalidate=86400',
    'access-control-allow-origin': '*',
  };
  return httpHandler(
    async (event) => {
      if (matchesEtag(headerValue(event, 'if-none-match'), etag)) return { statusCode: 304, headers: cachingHeaders };
      return { statusCode: 200, headers: { 'content-type': 'application/javascript; charset=utf-8', ...cachingHeaders }, body: script };
    },
    { query: 'ignored' },
  );
}

/** If-None-Match lists entity tags (or `*`) and is compared weakly (RFC 9110, 13.1.2). */
function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

// Read once per cold start; the CDK app copies embed.js next to the bundle (the manifest's `assets`).
export const handler = createHandler(readFileSync(new URL('./embed.js', import.meta.url), 'utf8'));

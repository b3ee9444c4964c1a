/**
 * `fetch` for every request that leaves for a third party (ad-platform read-backs, conversion APIs,
 * Turnstile, webhook receivers): a redirect is never followed, and comes back as the answer. fetch drops
 * only `Authorization` when a redirect leaves the origin, so a token in another header (TikTok's
 * `Access-Token`) would follow it, and a 307 or 308 would post a body holding a token (Meta's
 * `access_token`, Turnstile's secret) again to wherever `Location` points. Callers count a 3xx as a
 * failure and say why with `redirectNotFollowed`.
 *
 * @example
 * const response = await fetchWithoutRedirects(url, { method: 'POST', body });
 * if (isRedirect(response)) return failure(`answered HTTP ${response.status}: ${redirectNotFollowed(response, url)}`);
 */
export function fetchWithoutRedirects(url: URL | string, init: Omit<RequestInit, 'redirect'> = {}): Promise<Response> {
  return fetch(url, { ...init, redirect: 'manual' });
}

/** A 3xx: with `fetchWithoutRedirects`, a redirect that was not followed. */
export function isRedirect(response: Response): boolean {
  return response.status >= 300 && response.status < 400;
}

/**
 * Why a 3xx is a failure, naming where it pointed by its origin only (a `Location` may carry a token in
 * its path or query, as Meta's URLs do): e.g. `a redirect to https://elsewhere.example, not followed`.
 */
export function redirectNotFollowed(response: Response, url: URL | string): string {
  const location = response.headers.get('location');
  let target: string | undefined;
  try {
    const resolved = location ? new URL(location, url) : undefined;
    target = resolved && (resolved.origin !== 'null' ? resolved.origin : resolved.protocol);
  } catch {
    target = undefined;
  }
  return `a redirect${target ? ` to ${target}` : ''}, not followed`;
}

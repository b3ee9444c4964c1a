import type { LocalRouteHandler } from './http-host';

/** Where the stand-ins live on the local HTTP host. */
export const standInsBasePath = '/_local/stand-ins';

/**
 * Cloudflare's documented test secrets behave as in production: `1x…AA` always passes, `2x…AA` always
 * fails, `3x…AA` reports a spent token. Any other secret accepts only the dummy token below.
 */
const turnstileAlwaysPasses = '1x0000000000000000000000000000000AA';
const turnstileAlwaysFails = '2x0000000000000000000000000000000AA';
const turnstileTokenSpent = '3x0000000000000000000000000000000AA';
export const turnstileDummyToken = 'XXXX.DUMMY.TOKEN.XXXX';

/**
 * Offline stand-ins for the third-party APIs the handlers call, answering in those APIs' own shapes so
 * the real adapters run unchanged. Their base URLs are what the handlers' settings point at locally.
 */
export function thirdPartyStandIns(): LocalRouteHandler {
  return async ({ method, url, body }) => {
    if (!url.pathname.startsWith(`${standInsBasePath}/`)) return undefined;
    const path = url.pathname.slice(standInsBasePath.length);
    if (method === 'POST' && path === '/turnstile/siteverify') return turnstileSiteverify(new URLSearchParams(body.toString('utf8')));
    return { status: 404, body: { error: `No stand-in for ${method} ${path}` } };
  };
}

function turnstileSiteverify(form: URLSearchParams) {
  const secret = form.get('secret') ?? '';
  const token = form.get('response') ?? '';
  if (!secret) return { status: 200, body: { success: false, 'error-codes': ['missing-input-secret'] } };
  if (!token) return { status: 200, body: { success: false, 'error-codes': ['missing-input-response'] } };
  if (secret === turnstileAlwaysFails) return { status: 200, body: { success: false, 'error-codes': ['invalid-input-response'] } };
  if (secret === turnstileTokenSpent) return { status: 200, body: { success: false, 'error-codes': ['timeout-or-duplicate'] } };
  const success = secret === turnstileAlwaysPasses || token === turnstileDummyToken;
  return { status: 200, body: success ? { success, challenge_ts: new Date().toISOString(), hostname: 'localhost', 'error-codes': [] } : { success, 'error-codes': ['invalid-input-response'] } };
}

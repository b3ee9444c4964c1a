/**
 * CORS response headers for a browser origin, when the form allows it; otherwise only `Vary: Origin`, since
 * the answer still depends on the origin, so no shared cache may hand one origin's answer to another.
 */
export function corsHeaders(allowedOrigins: readonly string[], origin: string | undefined): Record<string, string> {
  if (!origin || !(allowedOrigins.includes(origin) || allowedOrigins.includes('*'))) return { vary: 'Origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers': 'content-type, accept, idempotency-key',
    'access-control-expose-headers': 'retry-after',
    'access-control-max-age': '600',
    vary: 'Origin',
  };
}

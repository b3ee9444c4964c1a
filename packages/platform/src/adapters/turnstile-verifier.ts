import type { HumanVerifier } from '../ports/abuse-controls';
import { fetchWithoutRedirects, isRedirect, redirectNotFollowed } from './outbound-http';

/** How long a `siteverify` call may take before capture answers 503; the capture function's timeout allows for it. */
export const turnstileVerifyTimeoutMs = 5_000;

/** Cloudflare Turnstile's server-side check (`siteverify`), at a configurable URL so it can run offline. */
export class TurnstileVerifier implements HumanVerifier {
  constructor(private readonly verifyUrl: string) {}

  async verify(input: { secretKey: string; token: string; remoteIp?: string }) {
    const form = new URLSearchParams({ secret: input.secretKey, response: input.token, ...(input.remoteIp ? { remoteip: input.remoteIp } : {}) });
    // The form holds the secret key: a redirect is not followed, and fails the capture (500) as a misconfigured verify URL.
    const response = await fetchWithoutRedirects(this.verifyUrl, { method: 'POST', body: form, signal: AbortSignal.timeout(turnstileVerifyTimeoutMs) });
    if (isRedirect(response)) throw new Error(`Turnstile verification answered HTTP ${response.status}: ${redirectNotFollowed(response, this.verifyUrl)}`);
    if (response.status >= 500 || response.status === 429) throw unavailable(`Turnstile verification answered HTTP ${response.status}`);
    if (!response.ok) throw new Error(`Turnstile verification answered HTTP ${response.status}`);
    const result = (await response.json().catch((error: unknown) => {
      throw unavailable('Turnstile verification answered with a body that is not JSON', error);
    })) as { success?: boolean; 'error-codes'?: string[] };
    return { success: result.success === true, errorCodes: result['error-codes'] ?? [] };
  }
}

/** Turnstile failing on its side, named so that the HTTP error handler answers 503 with Retry-After, as for an unreachable service. */
function unavailable(message: string, cause?: unknown) {
  return Object.assign(new Error(message, { cause }), { name: 'ServiceUnavailable' });
}

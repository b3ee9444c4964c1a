import type { HumanVerifier } from '../ports/abuse-controls';

/** Cloudflare Turnstile's server-side check (`siteverify`), at a configurable URL so it can run offline. */
export class TurnstileVerifier implements HumanVerifier {
  constructor(private readonly verifyUrl: string) {}

  async verify(input: { secretKey: string; token: string; remoteIp?: string }) {
    const form = new URLSearchParams({ secret: input.secretKey, response: input.token, ...(input.remoteIp ? { remoteip: input.remoteIp } : {}) });
    const response = await fetch(this.verifyUrl, { method: 'POST', body: form, signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`Turnstile verification answered HTTP ${response.status}`);
    const result = (await response.json()) as { success?: boolean; 'error-codes'?: string[] };
    return { success: result.success === true, errorCodes: result['error-codes'] ?? [] };
  }
}

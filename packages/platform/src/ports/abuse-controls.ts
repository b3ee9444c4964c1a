/** Counts requests per key in fixed one-minute windows, shared by every Lambda instance. */
export interface RateLimiter {
  /**
   * Records one hit, counted even when refused (a request refused for the limit still counts); or, with
   * `admit`, `admit.hits` hits (e.g. one per lead a delivery makes us read) counted only when they all fit
   * under `limit`, so a refused request costs nothing. `allowed: false` with the seconds until the window resets.
   */
  hit(key: string, limit: number, now: Date, admit?: { hits: number }): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }>;
}

/** Checks a human-verification token (Cloudflare Turnstile) server-side. */
export interface HumanVerifier {
  verify(input: { secretKey: string; token: string; remoteIp?: string }): Promise<{ success: boolean; errorCodes: string[] }>;
}

/** Counts requests per key in fixed one-minute windows, shared by every Lambda instance. */
export interface RateLimiter {
  /** Records `hits` hits (default one, e.g. one per lead a delivery makes us read); `allowed: false` with the seconds until the window resets once over `limit`. */
  hit(key: string, limit: number, now: Date, hits?: number): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }>;
}

/** Checks a human-verification token (Cloudflare Turnstile) server-side. */
export interface HumanVerifier {
  verify(input: { secretKey: string; token: string; remoteIp?: string }): Promise<{ success: boolean; errorCodes: string[] }>;
}

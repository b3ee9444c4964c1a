import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signature checks of the ad platforms' webhooks, always over the RAW request bytes (re-serialising
 * parsed JSON changes the bytes and breaks the check) and always compared in constant time. The
 * `…Signature` functions make the header a sender would send, for tests and the local send script.
 */

export type RawBody = Uint8Array | string;

/** Outcome of a timestamped signature check: the signed timestamp, or `problem` saying what was wrong, for the 401 answer. */
export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; problem: string };

/** How far a signed timestamp may be from now, past or future, before the delivery counts as a replay. */
export const signatureToleranceSeconds = 300;

function hmacSha256(secret: string, ...parts: RawBody[]): Buffer {
  const hmac = createHmac('sha256', secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/** Constant-time comparison of a hex digest someone sent with the one we computed. */
function hexMatches(givenHex: string, expected: Buffer): boolean {
  if (!/^[0-9a-fA-F]+$/.test(givenHex) || givenHex.length !== expected.length * 2) return false;
  return timingSafeEqual(Buffer.from(givenHex, 'hex'), expected);
}

/**
 * Constant-time equality of two secrets of any length (e.g. Google's `google_key`): both are hashed first,
 * so neither the content nor the length of the configured value leaks through timing.
 */
export function secretsEqual(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

// ── Meta: X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)> ──────────────────────

export function metaSignature(raw: RawBody, appSecret: string): string {
  return `sha256=${hmacSha256(appSecret, raw).toString('hex')}`;
}

export function verifyMetaSignature(raw: RawBody, header: string | undefined, appSecret: string): boolean {
  const match = /^sha256=([0-9a-fA-F]+)$/.exec(header?.trim() ?? '');
  return match !== null && hexMatches(match[1], hmacSha256(appSecret, raw));
}

// ── LinkedIn: X-LI-Signature, and the validation challenge ─────────────────────────────────────────

/**
 * LinkedIn's challenge codes are uuid4s; we take letters, digits and "-" only, at most 64. So the public
 * challenge answers HMACs of such strings alone: never of "hmacsha256=" + anything (no "="), nor of a
 * delivery, which is a JSON object (no "{"). It cannot be used to sign a forged delivery.
 */
const linkedInChallengeCodePattern = /^[A-Za-z0-9-]{1,64}$/;

/**
 * The `challengeResponse` LinkedIn expects: hex HMAC-SHA256 of the `challengeCode`, keyed with the client
 * secret; `undefined` for a code that is not shaped like one of LinkedIn's (see the pattern above).
 */
export function linkedInChallengeResponse(clientSecret: string, challengeCode: string): string | undefined {
  if (!linkedInChallengeCodePattern.test(challengeCode)) return undefined;
  return hmacSha256(clientSecret, challengeCode).toString('hex');
}

/** The documented form: hex HMAC-SHA256(client secret, "hmacsha256=" + raw body). */
export function linkedInSignature(raw: RawBody, clientSecret: string): string {
  return hmacSha256(clientSecret, 'hmacsha256=', raw).toString('hex');
}

/** Which input an `X-LI-Signature` was computed over: `prefixed`, "hmacsha256=" + raw body; `bare`, the raw body alone. */
export type LinkedInSignatureReading = 'prefixed' | 'bare';

/**
 * Which reading of `X-LI-Signature` matches the body, if any. LinkedIn documents an HMAC-SHA256 (client
 * secret) "over the body prefixed with hmacsha256=", which implementations read two ways: hex HMAC of
 * "hmacsha256=" + body, or "hmacsha256=" + hex HMAC of the body. Both are accepted: an optional
 * "hmacsha256=" is stripped from the header, and the hex compared, in constant time, with the HMAC of
 * either input. The bare-body HMAC is what the public GET challenge computes, but only for a uuid-shaped
 * code, never a JSON body (see the challenge pattern); a body that could be such a code is refused that
 * reading all the same, so the two can never meet.
 */
export function linkedInSignatureReading(raw: RawBody, header: string | undefined, clientSecret: string): LinkedInSignatureReading | undefined {
  const given = (header ?? '').trim().replace(/^hmacsha256=/i, '');
  const prefixed = hexMatches(given, hmacSha256(clientSecret, 'hmacsha256=', raw));
  const bare = hexMatches(given, hmacSha256(clientSecret, raw)) && !linkedInChallengeCodePattern.test(Buffer.from(raw).toString('latin1'));
  return prefixed ? 'prefixed' : bare ? 'bare' : undefined;
}

/** Whether `X-LI-Signature` matches the raw body under either reading (`linkedInSignatureReading`). */
export function verifyLinkedInSignature(raw: RawBody, header: string | undefined, clientSecret: string): boolean {
  return linkedInSignatureReading(raw, header, clientSecret) !== undefined;
}

// ── Timestamped schemes: TikTok (t=…,s=…) and our own X-Lead-Signature (t=…,v1=…) ──────────────────

/** Reads `t=<unix seconds>,<key>=<hex>[,<key>=<hex>…]`; undefined when it is not that shape. */
export function parseTimestampedSignature(header: string, signatureKey: string): { timestamp: number; signatures: string[] } | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator < 1) return undefined;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) return undefined;
      timestamp = Number(value);
    } else if (key === signatureKey) {
      signatures.push(value);
    }
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}

function checkTimestamped(input: { raw: RawBody; header: string | undefined; headerName: string; signatureKey: string; secrets: readonly string[]; now: Date; toleranceSeconds: number }): SignatureCheck {
  const { raw, header, headerName, signatureKey, secrets, now, toleranceSeconds } = input;
  if (!header?.trim()) return { ok: false, problem: `The ${headerName} header is missing` };
  const parsed = parseTimestampedSignature(header, signatureKey);
  if (!parsed) return { ok: false, problem: `The ${headerName} header is malformed; expected t=<unix seconds>,${signatureKey}=<hex HMAC-SHA256>` };
  const skew = Math.round(now.getTime() / 1000) - parsed.timestamp;
  if (Math.abs(skew) > toleranceSeconds) {
    return { ok: false, problem: `The ${headerName} timestamp is ${Math.abs(skew)} s ${skew > 0 ? 'old' : 'in the future'}, outside the ${toleranceSeconds} s allowed (a replay or a wrong clock)` };
  }
  const signedPrefix = `${parsed.timestamp}.`;
  // Every configured secret against every signature sent: rotation on either side keeps working.
  const matched = secrets.some((secret) => {
    const expected = hmacSha256(secret, signedPrefix, raw);
    return parsed.signatures.some((signature) => hexMatches(signature, expected));
  });
  return matched ? { ok: true, timestamp: parsed.timestamp } : { ok: false, problem: `The ${headerName} does not match the body` };
}

export function tikTokSignature(raw: RawBody, secret: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},s=${hmacSha256(secret, `${timestampSeconds}.`, raw).toString('hex')}`;
}

/** TikTok-Signature: t=<unix seconds>,s=<hex HMAC-SHA256(app secret, t + "." + raw body)>. */
export function verifyTikTokSignature(raw: RawBody, header: string | undefined, secret: string, now: Date, toleranceSeconds = signatureToleranceSeconds): SignatureCheck {
  return checkTimestamped({ raw, header, headerName: 'TikTok-Signature', signatureKey: 's', secrets: [secret], now, toleranceSeconds });
}

/**
 * The `X-Lead-Signature` value: one `v1=` per secret given, so a sender in the middle of a rotation signs
 * with the new and the old secret and a receiver holding either accepts it (outbound webhooks do this).
 */
export function leadSignature(raw: RawBody, secret: string | readonly string[], timestampSeconds: number): string {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  return [`t=${timestampSeconds}`, ...secrets.map((value) => `v1=${hmacSha256(value, `${timestampSeconds}.`, raw).toString('hex')}`)].join(',');
}

/**
 * Our own convention for generic sources, `X-Lead-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * t + "." + raw body)>`: the timestamp must be within `toleranceSeconds` of `now` (past or future), several
 * `v1=` values may be sent and several secrets may be configured, so secrets rotate without downtime.
 */
export function verifyLeadSignature(raw: RawBody, header: string | undefined, secrets: readonly string[], now: Date, toleranceSeconds = signatureToleranceSeconds): SignatureCheck {
  return checkTimestamped({ raw, header, headerName: 'X-Lead-Signature', signatureKey: 'v1', secrets, now, toleranceSeconds });
}

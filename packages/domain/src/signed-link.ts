import { createHmac, timingSafeEqual } from 'node:crypto';
import { acceptedValues, type RotatingSecret } from './integration-secrets';

/** 128 bits of HMAC-SHA256: ample against forgery, and short enough for an SMS. */
const signatureBytes = 16;

/** The base64url signature of a link's payload with a key value (22 characters). */
export function signLinkPayload(key: string, payload: string): string {
  return createHmac('sha256', key).update(payload).digest().subarray(0, signatureBytes).toString('base64url');
}

/**
 * Whether `signature` signs `payload` with the key's current or previous value, compared in constant time.
 * Only the canonical text counts: decoding ignores the last character's 4 spare bits, and the once-only
 * ledger keys on the text, so 16 spellings of one signature would otherwise make 16 uses.
 */
export function linkSignatureValid(key: RotatingSecret, payload: string, signature: string): boolean {
  if (!/^[A-Za-z0-9_-]{22}$/.test(signature)) return false;
  const given = Buffer.from(signature, 'base64url');
  if (given.toString('base64url') !== signature) return false;
  return acceptedValues(key).some((value) => timingSafeEqual(Buffer.from(signLinkPayload(value, payload), 'base64url'), given));
}

/** An id a signed link may carry in its path (a lead's, a rep's): letters, digits, `-` and `_`, as ids are made. */
export const linkIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

/** A signed link's public URL: the API's base URL, the link kind's path (`a` one-tap, `u` unsubscribe, `c` confirmation), the token. */
export function signedLinkUrl(baseUrl: string, path: 'a' | 'u' | 'c', token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path}/${token}`;
}

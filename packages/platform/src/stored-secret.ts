import { parseRotatingSecret, type RotatingSecret, type SecretRef } from '@leadflow/domain';

/**
 * Reads a secret stored as text: a plain value, or JSON `{"current", "previous"}` during a rotation
 * (the form the CDK app creates). Errors name the secret and never contain its value.
 */
export function parseStoredSecret(secret: SecretRef, stored: string): RotatingSecret {
  if (!stored.trimStart().startsWith('{')) return parseRotatingSecret(secret, stored);
  let document: unknown;
  try {
    document = JSON.parse(stored);
  } catch {
    throw new Error(`Secret "${secret.name}" starts with "{" but is not valid JSON; store {"current": "…", "previous": "…"} or the plain value`);
  }
  return parseRotatingSecret(secret, document);
}

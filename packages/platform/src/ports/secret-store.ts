import type { RotatingSecret, SecretRef } from '@leadflow/domain';

/**
 * Where handlers get secret values: Secrets Manager in AWS, the environment or a git-ignored file locally.
 * A missing or malformed secret rejects with an error naming the secret, never showing its value.
 *
 * @example
 * const appSecret = await secrets.get(secretRefs.metaAppSecret);
 * const signed = acceptedValues(appSecret).some((value) => verifyMetaSignature(raw, header, value));
 */
export interface SecretStore {
  get(secret: SecretRef): Promise<RotatingSecret>;
}

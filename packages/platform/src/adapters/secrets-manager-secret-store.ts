import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { RotatingSecret, SecretRef } from '@leadflow/domain';
import type { SecretStore } from '../ports/secret-store';
import { parseStoredSecret } from '../stored-secret';

/**
 * How long a container keeps a secret before reading it again. Long enough that a busy container calls
 * Secrets Manager a few times an hour, not per request; short enough that a rotation (new `current`, old
 * `previous`) reaches every container within five minutes, while both values are still accepted.
 */
export const secretCacheSeconds = 300;

/** Secrets Manager through Powertools Parameters, which caches each value for `secretCacheSeconds`. */
export class SecretsManagerSecretStore implements SecretStore {
  private readonly provider: SecretsProvider;

  /** @param prefix put before every secret name, e.g. `Leadflow/` for `Leadflow/meta/app-secret`. */
  constructor(
    client: SecretsManagerClient,
    private readonly prefix: string,
  ) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
  }

  async get(secret: SecretRef): Promise<RotatingSecret> {
    const id = `${this.prefix}${secret.name}`;
    const stored = await this.provider.get(id, { maxAge: secretCacheSeconds });
    if (typeof stored !== 'string') throw new Error(`Secret "${id}" has no SecretString; store the value as text`);
    return parseStoredSecret(secret, stored);
  }
}

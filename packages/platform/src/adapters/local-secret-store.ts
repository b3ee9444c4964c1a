import { existsSync, readFileSync } from 'node:fs';
import { parseRotatingSecret, type RotatingSecret, type SecretRef } from '@leadflow/domain';
import type { SecretStore } from '../ports/secret-store';
import { parseStoredSecret } from '../stored-secret';

/**
 * Where secrets come from on a workstation, weakest first: the demo values shipped for the demo
 * configuration, a git-ignored file, and the `LEADS_SECRETS` variable. Each is a JSON object from secret
 * name to value, the value a string or `{"current", "previous"}`.
 */
export interface LocalSecretSources {
  demoFile?: string;
  localFile?: string;
  /** The JSON text of `LEADS_SECRETS`. */
  inline?: string;
}

export type LocalSecretOrigin = 'demo' | 'file' | 'environment';

export interface LocalSecrets {
  values: Record<string, unknown>;
  /** Which source each value came from, so `npm start` can say how many are still demo values. */
  origins: Record<string, LocalSecretOrigin>;
}

/** Merges the local sources; a missing file adds nothing, a malformed one stops with its name. */
export function readLocalSecrets(sources: LocalSecretSources): LocalSecrets {
  const secrets: LocalSecrets = { values: {}, origins: {} };
  const add = (origin: LocalSecretOrigin, where: string, text: string | undefined) => {
    if (text === undefined) return;
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new Error(`${where} is not valid JSON (expected {"<secret name>": "<value>" or {"current", "previous"}})`);
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new Error(`${where} must be a JSON object from secret name to value`);
    for (const [name, value] of Object.entries(document)) {
      secrets.values[name] = value;
      secrets.origins[name] = origin;
    }
  };
  const readIfPresent = (file: string | undefined) => (file && existsSync(file) ? readFileSync(file, 'utf8') : undefined);
  add('demo', sources.demoFile ?? '', readIfPresent(sources.demoFile));
  add('file', sources.localFile ?? '', readIfPresent(sources.localFile));
  add('environment', 'LEADS_SECRETS', sources.inline);
  return secrets;
}

/** One secret of the merged local sources, for callers that cannot wait (e.g. a script signing a request). */
export function localSecretValue(values: Record<string, unknown>, secret: SecretRef): RotatingSecret {
  if (!Object.hasOwn(values, secret.name)) {
    throw new Error(`Secret "${secret.name}" is not set: add it to config/secrets.local.json or to LEADS_SECRETS (see README, "Secrets")`);
  }
  const value = values[secret.name];
  return typeof value === 'string' ? parseStoredSecret(secret, value) : parseRotatingSecret(secret, value);
}

/** Secrets from the merged local sources (`readLocalSecrets`). */
export class LocalSecretStore implements SecretStore {
  constructor(private readonly values: Record<string, unknown>) {}

  async get(secret: SecretRef): Promise<RotatingSecret> {
    return localSecretValue(this.values, secret);
  }
}

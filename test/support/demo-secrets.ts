import { readFileSync } from 'node:fs';
import type { RotatingSecret, SecretRef } from '@leadflow/domain';
import { localSecretValue, type SecretStore } from '@leadflow/platform';

export const demoSecretsFile = new URL('../../config/secrets.demo.json', import.meta.url).pathname;

/** The demo secret values, by secret name; a fresh copy each call so tests may change them. */
export function demoSecretValues(): Record<string, unknown> {
  return JSON.parse(readFileSync(demoSecretsFile, 'utf8')) as Record<string, unknown>;
}

/** Signs as a platform holding the demo values does (their current values). */
export function signWithDemoSecrets(secret: SecretRef): string {
  return localSecretValue(demoSecretValues(), secret).current;
}

/** The local store over values a test may change (e.g. to start a rotation), recording what was read. */
export class RecordingSecretStore implements SecretStore {
  readonly read: SecretRef[] = [];

  constructor(readonly values: Record<string, unknown> = demoSecretValues()) {}

  async get(secret: SecretRef): Promise<RotatingSecret> {
    this.read.push(secret);
    return localSecretValue(this.values, secret);
  }

  /** Starts a rotation of `secret`: `current` becomes the new value, the old one stays valid as `previous`. */
  rotate(secret: SecretRef, newValue: string): void {
    this.values[secret.name] = { current: newValue, previous: localSecretValue(this.values, secret).current };
  }
}

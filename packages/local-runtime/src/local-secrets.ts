import { resolve } from 'node:path';
import { configuredSecrets, type Configuration } from '@leadflow/domain';
import { LocalSecretStore, readLocalSecrets, type LocalSecretOrigin, type LocalSecretSources } from '@leadflow/platform';
import { type LocalRuntimeSettings } from './local-settings';

/** Demo values of the demo configuration's secrets: committed, local only, never bundled into a function. */
export const demoSecretsFile = 'config/secrets.demo.json';

/** The HS256 secret of local tokens, kept with the other local secrets so no bundle carries a default. */
export const localJwtSecretName = 'local/jwt-signing-secret';

/** The local secret sources `npm start` reads, as absolute paths. */
export function localSecretSources(settings: Pick<LocalRuntimeSettings, 'secretsFile' | 'inlineSecrets'>, rootDir = process.cwd()): LocalSecretSources {
  return { demoFile: resolve(rootDir, demoSecretsFile), localFile: resolve(rootDir, settings.secretsFile), inline: settings.inlineSecrets };
}

/**
 * Checks that every secret the configuration needs has a well-formed local value, so `npm start` stops
 * naming what is missing rather than answering 500 later. Returns how many came from each source.
 */
export async function checkLocalSecrets(config: Configuration, sources: LocalSecretSources): Promise<Record<LocalSecretOrigin, number>> {
  const { values, origins } = readLocalSecrets(sources);
  const store = new LocalSecretStore(values);
  const counts: Record<LocalSecretOrigin, number> = { demo: 0, file: 0, environment: 0 };
  const problems: string[] = [];
  for (const secret of configuredSecrets(config)) {
    try {
      await store.get(secret);
      counts[origins[secret.name]] += 1;
    } catch (error) {
      problems.push(`  - ${(error as Error).message}`);
    }
  }
  if (problems.length) throw new Error(`Secrets the configuration needs are missing or malformed:\n${problems.join('\n')}`);
  return counts;
}

/** `LEADS_LOCAL_JWT_SECRET` when set, else the local secret `local/jwt-signing-secret`. */
export function localJwtSecret(settings: Pick<LocalRuntimeSettings, 'jwtSecret'>, sources: LocalSecretSources): string {
  if (settings.jwtSecret) return settings.jwtSecret;
  const value = readLocalSecrets(sources).values[localJwtSecretName];
  if (typeof value !== 'string' || value.length < 16) throw new Error(`Secret "${localJwtSecretName}" must be set to at least 16 characters (or set LEADS_LOCAL_JWT_SECRET)`);
  return value;
}

/**
 * Whether local tokens would be signed with the committed demo value, with which anyone can make themself an admin:
 * compared by value, wherever it was set (a copy of the demo file, `LEADS_LOCAL_JWT_SECRET`).
 */
export function signsWithDemoJwtSecret(settings: Pick<LocalRuntimeSettings, 'jwtSecret'>, sources: LocalSecretSources): boolean {
  const demoValue = readLocalSecrets({ demoFile: sources.demoFile }).values[localJwtSecretName];
  return demoValue !== undefined && localJwtSecret(settings, sources) === demoValue;
}

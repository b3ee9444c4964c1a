import { readFileSync } from 'node:fs';
import { ConfigurationError, type Configuration } from '@leadflow/domain';

/**
 * The file a function reads its configuration from: what `parseConfiguration` returned (defaults
 * applied) when the CDK app or `npm start` validated the configuration, wrapped so that a raw,
 * unvalidated configuration file given in its place is refused instead of read without its defaults.
 */
export interface ValidatedConfigurationDocument {
  validatedConfiguration: Configuration;
}

/**
 * Reads the configuration a function runs with, without the configuration schema: it was validated
 * where it was written (`writeValidatedConfigurationFile`), so the bundle needs only its type and not
 * the schema, zod's checks of it, or libphonenumber-js's metadata.
 * @throws ConfigurationError when the file cannot be read or was not written validated.
 */
export function readValidatedConfigurationFile(path: string): Configuration {
  let document: Partial<ValidatedConfigurationDocument> | null;
  try {
    document = JSON.parse(readFileSync(path, 'utf8')) as Partial<ValidatedConfigurationDocument> | null;
  } catch (error) {
    throw new ConfigurationError(path, [{ path: '(file)', message: `cannot be read as JSON: ${(error as Error).message}` }]);
  }
  const configuration = document?.validatedConfiguration;
  if (typeof configuration !== 'object' || configuration === null) {
    throw new ConfigurationError(path, [
      { path: '(file)', message: 'is not a validated configuration: functions read the file the CDK app or `npm start` writes after validating (writeValidatedConfigurationFile), not the configuration itself' },
    ]);
  }
  return configuration;
}

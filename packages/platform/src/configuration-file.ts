import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigurationError, parseConfiguration, type Configuration } from '@leadflow/domain';
import type { ValidatedConfigurationDocument } from './validated-configuration-file';

/**
 * Reads and validates a configuration file. Used by the CDK app, `npm start` and the command-line
 * tools, so a bad configuration stops each with the same message naming the field. Functions do not
 * validate again: they read what `writeValidatedConfigurationFile` wrote from the result.
 */
export function loadConfigurationFile(path: string): Configuration {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(path, [{ path: '(file)', message: `cannot be read: ${(error as Error).message}` }]);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(path, [{ path: '(file)', message: `is not valid JSON: ${(error as Error).message}` }]);
  }
  return parseConfiguration(document, path);
}

/**
 * Writes a configuration that `loadConfigurationFile` returned, defaults applied, for functions to read
 * with `readValidatedConfigurationFile`: the CDK app puts it into every bundle, `npm start` into its
 * data directory.
 */
export function writeValidatedConfigurationFile(configuration: Configuration, path: string): string {
  const document: ValidatedConfigurationDocument = { validatedConfiguration: configuration };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(document, null, 2)}\n`);
  return path;
}

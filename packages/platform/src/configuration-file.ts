import { readFileSync } from 'node:fs';
import { ConfigurationError, parseConfiguration, type Configuration } from '@leadflow/domain';

/**
 * Reads and validates a configuration file. Used by Lambda at cold start, by `npm start` and by the
 * CDK app, so a bad configuration stops all three with the same message naming the field.
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

import { readFileSync } from 'node:fs';
import { parseConfiguration, type Configuration } from '@leadflow/domain';

export const demoConfigurationFile = new URL('../../config/leads.config.json', import.meta.url).pathname;

/** The shipped demo configuration, parsed; a fresh copy each call so tests may change it. */
export function demoConfiguration(): Configuration {
  return parseConfiguration(JSON.parse(readFileSync(demoConfigurationFile, 'utf8')), demoConfigurationFile);
}

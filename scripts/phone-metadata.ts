import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { MetadataJson } from 'libphonenumber-js/core';
import type { Terminal } from './operations/operator-kit';

/**
 * `npm run phone-metadata`: writes the numbering plans the domain reads phone numbers with
 * (`packages/domain/src/phone-metadata.json`). It is libphonenumber-js's 'min' metadata without the
 * national and international formatting rules (about 49 of its 83 KB), which every bundle that reads a
 * phone number would otherwise carry: leads are stored in E.164 and never formatted for display here.
 * Parsing, validation and the country of a number do not read those rules. Run it after upgrading
 * libphonenumber-js; a unit test fails while the file is behind.
 */
export const phoneMetadataFile = new URL('../packages/domain/src/phone-metadata.json', import.meta.url);

/** The position of the formats in a minified numbering plan (metadata version 4). */
const formatsIndex = 4;

export function phoneMetadataWithoutFormats(metadata: MetadataJson): MetadataJson {
  if (metadata.version !== 4) throw new Error(`libphonenumber-js metadata version ${metadata.version} is not the version 4 this script knows: check where formats are kept`);
  const withoutFormats = (plan: unknown[]) => plan.map((entry, index) => (index === formatsIndex ? [] : entry));
  const mapPlans = (plans: object) => Object.fromEntries(Object.entries(plans as Record<string, unknown[]>).map(([key, plan]) => [key, withoutFormats(plan)]));
  return { ...metadata, countries: mapPlans(metadata.countries), nonGeographic: mapPlans(metadata.nonGeographic) };
}

export function installedMinMetadata(): MetadataJson {
  return createRequire(import.meta.url)('libphonenumber-js/metadata.min.json') as MetadataJson;
}

export function phoneMetadataText(): string {
  return `${JSON.stringify(phoneMetadataWithoutFormats(installedMinMetadata()))}\n`;
}

export const phoneMetadataUsage = 'Usage: npm run phone-metadata (no arguments): writes packages/domain/src/phone-metadata.json from the installed libphonenumber-js';

/** `npm run phone-metadata` with `argv`: none writes the file; `--help` answers the usage and writes nothing, as does any other argument (a mistake, exit 2). */
export function runPhoneMetadata(argv: readonly string[], deps: { terminal: Terminal; write: (file: URL, text: string) => void }): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    deps.terminal.print(phoneMetadataUsage);
    return 0;
  }
  if (argv.length) {
    deps.terminal.warn(`npm run phone-metadata takes no arguments, not "${argv.join(' ')}"`);
    deps.terminal.warn(phoneMetadataUsage);
    return 2;
  }
  deps.write(phoneMetadataFile, phoneMetadataText());
  deps.terminal.print(`Wrote ${phoneMetadataFile.pathname}`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = runPhoneMetadata(process.argv.slice(2), { terminal: { print: (line) => console.log(line), warn: (line) => console.error(line) }, write: writeFileSync });
}

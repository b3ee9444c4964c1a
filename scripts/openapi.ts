import { readFileSync, writeFileSync } from 'node:fs';
import { httpRoutesOf, openApiDocument } from '@leadflow/api-document';
import { manifestFunctions } from '@leadflow/manifest';
import { loadConfigurationFile } from '@leadflow/platform';
import type { Terminal } from './operations/operator-kit';

/**
 * `npm run openapi`: writes the OpenAPI document that `GET /openapi.json` serves. HTTP routes do not
 * depend on the configuration, so the demo one stands in for any (the manifest needs one to list them).
 */
export const openApiDocumentFile = new URL('../functions/serve-openapi-document/openapi.json', import.meta.url);

export function openApiDocumentText(): string {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  const functions = manifestFunctions(loadConfigurationFile(new URL('../config/leads.config.json', import.meta.url).pathname));
  return `${JSON.stringify(openApiDocument(httpRoutesOf(functions), { version }), null, 2)}\n`;
}

export const openApiUsage = 'Usage: npm run openapi (no arguments): writes functions/serve-openapi-document/openapi.json';

/** `npm run openapi` with `argv`: none writes the document; `--help` answers the usage and writes nothing, as does any other argument (a mistake, exit 2). */
export function runOpenApi(argv: readonly string[], deps: { terminal: Terminal; write: (file: URL, text: string) => void }): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    deps.terminal.print(openApiUsage);
    return 0;
  }
  if (argv.length) {
    deps.terminal.warn(`npm run openapi takes no arguments, not "${argv.join(' ')}"`);
    deps.terminal.warn(openApiUsage);
    return 2;
  }
  deps.write(openApiDocumentFile, openApiDocumentText());
  deps.terminal.print(`Wrote ${openApiDocumentFile.pathname}`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = runOpenApi(process.argv.slice(2), { terminal: { print: (line) => console.log(line), warn: (line) => console.error(line) }, write: writeFileSync });
}

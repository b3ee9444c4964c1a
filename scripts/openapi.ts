import { readFileSync, writeFileSync } from 'node:fs';
import { httpRoutesOf, openApiDocument } from '@leadflow/api-document';
import { manifestFunctions, type FunctionDefinition } from '@leadflow/manifest';
import { loadConfigurationFile, type QueryStringUse } from '@leadflow/platform';
import type { Terminal } from './operations/operator-kit';

/**
 * `npm run openapi`: writes the OpenAPI document that `GET /openapi.json` serves. HTTP routes do not
 * depend on the configuration, so the demo one stands in for any (the manifest needs one to list them).
 */
export const openApiDocumentFile = new URL('../functions/serve-openapi-document/openapi.json', import.meta.url);

export async function openApiDocumentText(): Promise<string> {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  const functions = manifestFunctions(loadConfigurationFile(new URL('../config/leads.config.json', import.meta.url).pathname));
  return `${JSON.stringify(openApiDocument(httpRoutesOf(functions, await handlersQueryStringUse(functions)), { version }), null, 2)}\n`;
}

/**
 * What each HTTP function's handler does with a query string, read from the handler itself (`httpHandler`'s
 * `queryStringUse`), so that the handler alone declares it. A handler not made by `httpHandler` reads no query: it ignores one.
 */
export async function handlersQueryStringUse(functions: readonly FunctionDefinition[]): Promise<(functionName: string) => QueryStringUse> {
  const uses = new Map<string, QueryStringUse>();
  for (const definition of functions) {
    if (definition.trigger.kind !== 'http') continue;
    const entry = new URL(`../${definition.entry}`, import.meta.url);
    // The document's own server reads the file written here as it is imported, and reads no query: it is not imported, so the file may be missing.
    if (new URL('./openapi.json', entry).href === openApiDocumentFile.href) {
      uses.set(definition.name, 'ignored');
      continue;
    }
    const { handler } = (await import(entry.href)) as { handler: { queryStringUse?: QueryStringUse } };
    uses.set(definition.name, handler.queryStringUse ?? 'ignored');
  }
  return (functionName) => {
    const use = uses.get(functionName);
    if (!use) throw new Error(`${functionName} is not an HTTP function of the manifest`);
    return use;
  };
}

export const openApiUsage = 'Usage: npm run openapi (no arguments): writes functions/serve-openapi-document/openapi.json';

/** `npm run openapi` with `argv`: none writes the document; `--help` answers the usage and writes nothing, as does any other argument (a mistake, exit 2). */
export async function runOpenApi(argv: readonly string[], deps: { terminal: Terminal; write: (file: URL, text: string) => void }): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    deps.terminal.print(openApiUsage);
    return 0;
  }
  if (argv.length) {
    deps.terminal.warn(`npm run openapi takes no arguments, not "${argv.join(' ')}"`);
    deps.terminal.warn(openApiUsage);
    return 2;
  }
  deps.write(openApiDocumentFile, await openApiDocumentText());
  deps.terminal.print(`Wrote ${openApiDocumentFile.pathname}`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await runOpenApi(process.argv.slice(2), { terminal: { print: (line) => console.log(line), warn: (line) => console.error(line) }, write: writeFileSync });
}

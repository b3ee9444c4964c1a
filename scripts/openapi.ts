import { readFileSync, writeFileSync } from 'node:fs';
import { httpRoutesOf, openApiDocument } from '@leadflow/api-document';
import { manifestFunctions } from '@leadflow/manifest';
import { loadConfigurationFile } from '@leadflow/platform';

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

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(openApiDocumentFile, openApiDocumentText());
  console.log(`Wrote ${openApiDocumentFile.pathname}`);
}

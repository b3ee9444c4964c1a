import type { FunctionDefinition } from '../types';

/** The API described for its clients. */
export const apiDocumentFunctions: readonly FunctionDefinition[] = [
  {
    name: 'serve-openapi-document',
    description: 'Serves the OpenAPI 3.1 document of every route, generated from this manifest and the zod schemas the handlers validate with.',
    entry: 'functions/serve-openapi-document/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/openapi.json', auth: { mode: 'public' } },
    tables: {},
    // Written by `npm run openapi`, so the function carries neither zod nor the schemas.
    assets: ['openapi.json'],
  },
];

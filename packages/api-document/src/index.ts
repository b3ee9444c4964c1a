export * from './error-bodies';
export * from './route-description';
export * from './route-descriptions';
export * from './openapi-document';

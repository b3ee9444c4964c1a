export * from './error-bodies';
export * from './channel-roi-bodies';
export * from './route-description';
export * from './route-descriptions';
export * from './openapi-document';

import type { FunctionDefinition } from '../types';

/** The browser script that sites load to capture leads from their own forms, with attribution. */
export const embedScriptFunctions: readonly FunctionDefinition[] = [
  {
    name: 'serve-embed-script',
    description: 'Serves embed.js, the dependency-free script that posts a site’s forms as leads with their attribution.',
    entry: 'functions/serve-embed-script/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/embed.js', auth: { mode: 'public' }, throttle: 'capture' },
    tables: {},
    assets: ['embed.js'],
  },
];

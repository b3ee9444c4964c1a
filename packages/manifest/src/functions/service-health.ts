import type { FunctionDefinition } from '../types';

/** Liveness of the deployed service. */
export const serviceHealthFunctions: readonly FunctionDefinition[] = [
  {
    name: 'health',
    description: 'Liveness check for load balancers and uptime monitors.',
    entry: 'functions/health/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/health', auth: { mode: 'public' } },
    tables: {},
  },
];

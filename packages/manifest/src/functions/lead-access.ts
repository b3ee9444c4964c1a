import type { FunctionDefinition } from '../types';

/** Reading leads, for the people allowed to. */
export const leadAccessFunctions: readonly FunctionDefinition[] = [
  {
    name: 'get-lead',
    description: 'Returns one lead to its owner, a manager or an admin.',
    entry: 'functions/get-lead/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/leads/{leadId}', auth: { mode: 'jwt' } },
    tables: { leads: 'read' },
  },
];

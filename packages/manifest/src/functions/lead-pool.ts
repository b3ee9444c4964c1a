import type { FunctionDefinition } from '../types';

/** The lead pool (线索池): members claim unowned leads under the pool's rules, owners release them back. */
export const leadPoolFunctions: readonly FunctionDefinition[] = [
  {
    name: 'claim-lead',
    description: "Lets a pool member claim an unowned lead under the pool's daily limit, holding cap, cooldown and new-lead wait.",
    entry: 'functions/claim-lead/handler.ts',
    trigger: { kind: 'http', method: 'POST', path: '/leads/{leadId}/claim', auth: { mode: 'jwt' } },
    tables: { leads: 'readWrite' },
  },
  {
    name: 'release-lead',
    description: "Lets a lead's owner release it back to its pool with one of the pool's release reasons.",
    entry: 'functions/release-lead/handler.ts',
    trigger: { kind: 'http', method: 'POST', path: '/leads/{leadId}/release', auth: { mode: 'jwt' } },
    tables: { leads: 'readWrite' },
  },
];

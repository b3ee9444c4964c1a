import type { FunctionDefinition } from '../types';

/** The lead pool (线索池): members claim unowned leads under the pool's rules, owners release them back. */
export const leadPoolFunctions: readonly FunctionDefinition[] = [
  {
    name: 'list-pool-leads',
    description: 'Lists the leads waiting in a pool, oldest first, paginated and filtered (grade, temperature, channel, tag, age), for its members, managers and admins; contact masked for reps.',
    entry: 'functions/list-pool-leads/handler.ts',
    trigger: { kind: 'http', method: 'GET', path: '/pools/{poolId}/leads', auth: { mode: 'jwt' } },
    tables: { leads: 'read' },
  },
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
  {
    name: 'assign-lead-manually',
    description: "Lets a manager or pool admin assign a waiting lead to a pool member, or transfer an owned one, moving both reps' open-lead counters.",
    entry: 'functions/assign-lead-manually/handler.ts',
    trigger: { kind: 'http', method: 'POST', path: '/leads/{leadId}/assign', auth: { mode: 'jwt' } },
    tables: { leads: 'readWrite' },
  },
  {
    name: 'lock-lead',
    description: 'Lets a manager lock a lead so that recycling never takes it.',
    entry: 'functions/lock-lead/handler.ts',
    trigger: { kind: 'http', method: 'POST', path: '/leads/{leadId}/lock', auth: { mode: 'jwt' } },
    tables: { leads: 'readWrite' },
  },
  {
    name: 'unlock-lead',
    description: 'Lets a manager take the lock off a lead.',
    entry: 'functions/unlock-lead/handler.ts',
    trigger: { kind: 'http', method: 'POST', path: '/leads/{leadId}/unlock', auth: { mode: 'jwt' } },
    tables: { leads: 'readWrite' },
  },
];

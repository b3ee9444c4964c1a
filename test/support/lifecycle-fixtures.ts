import type { Principal } from '@leadflow/domain';
import { demoConfiguration } from './demo-configuration';

/** The demo configuration lifecycle planners are tried with, its `nurture` pool, and a rep by id. */
export const config = demoConfiguration();
export const nurture = config.pools.find((pool) => pool.id === 'nurture')!;
export const rep = (id: string) => config.reps.find((candidate) => candidate.id === id)!;

/** The moment the plans are made at. */
export const now = new Date('2026-03-02T12:00:00.000Z');

/** Two reps and a manager of the demo's team, as signed in. */
export const ava: Principal = { id: 'rep-ava', roles: ['rep'] };
export const ben: Principal = { id: 'rep-ben', roles: ['rep'] };
export const maya: Principal = { id: 'mgr-maya', roles: ['manager'] };

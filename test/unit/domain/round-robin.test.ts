import { describe, expect, it } from 'vitest';
import { pickRoundRobinOwner } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';

const config = demoConfiguration();
const pool = config.pools.find((candidate) => candidate.id === 'americas-inbound')!;

describe('pickRoundRobinOwner', () => {
  it('rotates through the pool members in order, turn after turn', () => {
    expect([1, 2, 3, 4].map((turn) => pickRoundRobinOwner(pool, config.reps, turn)?.id)).toEqual(['rep-ava', 'rep-ben', 'rep-ava', 'rep-ben']);
  });

  it('skips inactive reps', () => {
    const reps = config.reps.map((rep) => (rep.id === 'rep-ava' ? { ...rep, active: false } : rep));
    expect([1, 2, 3].map((turn) => pickRoundRobinOwner(pool, reps, turn)?.id)).toEqual(['rep-ben', 'rep-ben', 'rep-ben']);
  });

  it('has nobody to offer when every member is inactive', () => {
    const reps = config.reps.map((rep) => ({ ...rep, active: false }));
    expect(pickRoundRobinOwner(pool, reps, 1)).toBeUndefined();
  });
});

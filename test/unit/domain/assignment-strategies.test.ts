import { describe, expect, it } from 'vitest';
import { rankCandidates, shardedTurn, turnCounterId, turnShardOf, type LeadFacts, type Pool, type Rep, type Route } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';

const now = new Date('2026-03-02T17:00:00.000Z');
const config = demoConfiguration();
const [ava, ben, chloe] = config.reps;
const territoryRoute: Route = { id: 'by-territory', name: 'By territory', strategy: 'territory' };

/** Reps of the demo, each covering one country only, and a pool of them in the given order. */
function repsCovering(countries: Record<string, string>): { reps: Rep[]; pool: Pool } {
  const reps = [ava, ben, chloe].slice(0, Object.keys(countries).length).map((rep, index) => ({ ...rep, id: Object.keys(countries)[index], countries: [Object.values(countries)[index]], regions: [] }));
  return { reps, pool: { ...config.pools[0], members: reps.map((rep) => rep.id) } };
}

/** Routes `leads` in order as assign-lead does: a turn from the lead's counter, then the first ranked rep; how many each rep got. */
function shares(reps: Rep[], pool: Pool, leads: LeadFacts[], outOfOffice = new Map()): Record<string, number> {
  const counters = new Map<string, number>();
  const owners: Record<string, number> = {};
  for (const facts of leads) {
    const counterId = turnCounterId({ routeId: territoryRoute.id, pool, reps, strategy: 'territory', facts });
    const turn = (counters.get(counterId) ?? 0) + 1;
    counters.set(counterId, turn);
    const [owner] = rankCandidates({ route: territoryRoute, pool, reps, facts, outOfOffice, openLeads: new Map(), turn, now }).ranked;
    owners[owner?.id ?? 'pool'] = (owners[owner?.id ?? 'pool'] ?? 0) + 1;
  }
  return owners;
}

describe('territory routing', () => {
  it('shares a territory evenly between the members covering it, wherever the others stand in the pool', () => {
    const { reps, pool } = repsCovering({ A: 'US', B: 'DE', C: 'US' });
    expect(
      shares(
        reps,
        pool,
        Array.from({ length: 300 }, () => ({ country: 'US' })),
      ),
    ).toEqual({ A: 150, C: 150 });
  });

  it("keeps the shares even when other territories' leads come in between on the same route", () => {
    const { reps, pool } = repsCovering({ A: 'US', B: 'DE', C: 'US' });
    const leads = Array.from({ length: 300 }, (_, index) => ({ country: index % 2 === 0 ? 'US' : 'DE' }));
    expect(shares(reps, pool, leads)).toEqual({ A: 75, B: 150, C: 75 });
  });

  it("passes an away member's turn to the next member covering the lead", () => {
    const { reps, pool } = repsCovering({ A: 'US', B: 'DE', C: 'US' });
    const away = new Map([['A', { outOfOffice: true, until: '2026-03-09T00:00:00.000Z' }]]);
    expect(
      shares(
        reps,
        pool,
        Array.from({ length: 10 }, () => ({ country: 'US' })),
        away,
      ),
    ).toEqual({ C: 10 });
  });

  it('keeps a region a member does not cover, which is whatever the person typed, out of the counter', () => {
    const { reps, pool } = repsCovering({ A: 'US', B: 'DE' });
    expect(turnCounterId({ routeId: 'r', pool, reps, strategy: 'territory', facts: { country: 'US', region: 'Somewhere, 12 Main St' } })).toBe(`r#${pool.id}#US#`);
    expect(turnCounterId({ routeId: 'r', pool, reps, strategy: 'round_robin', facts: { country: 'US' } })).toBe(`r#${pool.id}`);
  });
});

describe("a route's turn counter split over several items", () => {
  it('is the counter itself with one shard, and otherwise the same shard for the same lead, spread evenly over the shards', () => {
    expect(turnShardOf('r#pool', 'lead-1', 1)).toEqual({ counterId: 'r#pool', shard: 0 });
    const ids = Array.from({ length: 4000 }, (_, index) => `lead-${index}`);
    const counts = [0, 0, 0, 0];
    for (const id of ids) {
      const { counterId, shard } = turnShardOf('r#pool', id, 4);
      expect(turnShardOf('r#pool', id, 4)).toEqual({ counterId, shard });
      expect(counterId).toBe(shard === 0 ? 'r#pool' : `r#pool#shard-${shard}`);
      counts[shard] += 1;
    }
    for (const count of counts) expect(count).toBeGreaterThan(900);
  });

  it('goes round the reps in turn within each shard, each shard starting one place on', () => {
    expect([1, 2, 3].map((taken) => shardedTurn(taken, 0))).toEqual([1, 2, 3]);
    expect([1, 2, 3].map((taken) => shardedTurn(taken, 3))).toEqual([4, 5, 6]);
  });
});

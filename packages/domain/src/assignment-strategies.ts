import type { Pool, Rep } from './configuration';
import type { LeadFacts } from './lead-scoring';
import { unavailability, type OutOfOffice } from './rep-availability';
import { leavesInPool } from './assignment-strategy';
import { holdingCapOf } from './pool-claim';
import { regionMatches, type Route } from './routing-table';
import type { RoutingCandidate } from './routing-decision';

/** What a strategy knows when it ranks a route's reps; all of it read from the store just before. */
export interface StrategyInput {
  route: Route;
  pool: Pool;
  reps: readonly Rep[];
  facts: LeadFacts;
  outOfOffice: ReadonlyMap<string, OutOfOffice>;
  /** Open leads each rep holds now (their holding-cap counter). */
  openLeads: ReadonlyMap<string, number>;
  /** The route's turn from its atomic counter (1, 2, 3, …), for the rotating strategies. */
  turn?: number;
  now: Date;
}

export interface StrategyRanking {
  /** Reps who may take the lead, best first; the next is tried if the first fills up meanwhile. */
  ranked: Rep[];
  /** Every pool member with why they were skipped (unavailable, at capacity, wrong territory). */
  skipped: RoutingCandidate[];
}

/** Whether the strategy rotates on the route's turn counter. */
export function strategyTakesTurns(strategy: Route['strategy']): boolean {
  return strategy === 'round_robin' || strategy === 'weighted' || strategy === 'territory';
}

/**
 * Ranks the route pool's members for a lead by the route's strategy. Reps who are inactive, out of
 * office, outside their working hours or at their holding cap are skipped with the reason, as are
 * (for `territory`) reps whose countries and regions do not cover the lead.
 */
export function rankCandidates(input: StrategyInput): StrategyRanking {
  const byId = new Map(input.reps.map((rep) => [rep.id, rep]));
  const members = input.pool.members.map((id) => byId.get(id)).filter((rep): rep is Rep => rep !== undefined);
  const skipped: RoutingCandidate[] = [];
  const eligible = members.filter((rep) => {
    const reason = skipReason(rep, input);
    if (reason) skipped.push({ repId: rep.id, verdict: 'skipped', reason });
    return !reason;
  });
  if (leavesInPool(input.route.strategy) || eligible.length === 0) return { ranked: [], skipped };
  switch (input.route.strategy) {
    case 'least_busy':
      return { ranked: [...eligible].sort((a, b) => (input.openLeads.get(a.id) ?? 0) - (input.openLeads.get(b.id) ?? 0)), skipped };
    case 'weighted':
      return { ranked: smoothWeightedOrder(eligible, turnOf(input)), skipped };
    case 'round_robin':
      return { ranked: rotation(members, eligible, turnOf(input)), skipped };
    // Turns rotate over the reps covering the lead alone: counted over the whole pool, a covering rep
    // placed after one who does not cover it would take that rep's turns too.
    case 'territory':
      return {
        ranked: rotation(
          members.filter((rep) => repCoversLead(rep, input.facts)),
          eligible,
          turnOf(input),
        ),
        skipped,
      };
    // An offer's configured reps, in their configured order: all of them are offered at once.
    case 'offer':
      return { ranked: eligible, skipped };
  }
}

/**
 * The atomic counter a route's turns are taken from: one per route and pool, and for `territory` one per
 * territory as well (the lead's country and region, each as far as a member covers it), so a territory's
 * leads go round its reps in turn however other territories' leads fall between them on the route. Only
 * what a member covers enters the key, and a region as a member spells it (the lead's own spelling when a member
 * has it, else the first member's in the configuration's `reps` order): a region is whatever the person typed, and `ontario` and `Ontario` are
 * one territory.
 */
export function turnCounterId(input: { routeId: string; pool: Pool; reps: readonly Rep[]; strategy: Route['strategy']; facts: LeadFacts }): string {
  const counter = `${input.routeId}#${input.pool.id}`;
  if (input.strategy !== 'territory') return counter;
  const { country, region } = input.facts;
  const members = input.reps.filter((rep) => input.pool.members.includes(rep.id));
  const coveredCountry = typeof country === 'string' && members.some((rep) => rep.countries.includes(country)) ? country : '';
  const spellings = typeof region === 'string' ? members.flatMap((rep) => rep.regions).filter((configured) => regionMatches(configured, region)) : [];
  // The lead's own spelling first, so the counters of leads that typed a region as configured stay the ones they always were.
  const coveredRegion = spellings.find((configured) => configured === region) ?? spellings[0] ?? '';
  return `${counter}#${coveredCountry}#${coveredRegion}`;
}

/**
 * The item of a route's turn counter a lead takes its turn from, when the counter is split over `shards`
 * items (`routing.turnShards`), chosen by the lead's id so a redelivery takes it from the same one: the
 * counter itself for shard 0, so one shard is the counter as it always was.
 */
export function turnShardOf(counterId: string, leadId: string, shards: number): { counterId: string; shard: number } {
  // FNV-1a: a stable, even spread of ids over the shards.
  let hash = 0x811c9dc5;
  for (let index = 0; index < leadId.length; index += 1) hash = Math.imul(hash ^ leadId.charCodeAt(index), 0x01000193) >>> 0;
  const shard = shards > 1 ? hash % shards : 0;
  return { counterId: shard === 0 ? counterId : `${counterId}#shard-${shard}`, shard };
}

/** The turn the `taken`-th turn of a shard gives: each shard goes round the reps in turn, starting `shard` places on, so together they stay close to round robin. */
export function shardedTurn(taken: number, shard: number): number {
  return taken + shard;
}

function turnOf(input: StrategyInput): number {
  if (input.turn === undefined) throw new Error(`Strategy ${input.route.strategy} needs the route's turn`);
  return input.turn;
}

function skipReason(rep: Rep, input: StrategyInput): string | undefined {
  const away = unavailability(rep, input.outOfOffice.get(rep.id), input.now);
  if (away) return away;
  const open = input.openLeads.get(rep.id) ?? 0;
  // The pool's holding cap binds routing as it binds claims and managers: nobody holds more than they can call, whoever hands the leads out.
  const cap = holdingCapOf(rep, input.pool);
  if (open >= cap) return `at capacity (${open}/${cap} open leads)`;
  if (input.route.strategy === 'territory' && !repCoversLead(rep, input.facts)) {
    const territory = [...rep.countries, ...rep.regions].join(', ') || 'nothing';
    // Not the lead's own country or region: the reason is kept in the routing record, the timeline and events, and an erasure leaves those.
    return `wrong territory (covers ${territory})`;
  }
  return undefined;
}

/** Whether a rep's countries or regions cover the lead's (territory routing); regions compare ignoring case, as routes compare them. */
export function repCoversLead(rep: Rep, facts: StrategyInput['facts']): boolean {
  const { country, region } = facts;
  return (typeof country === 'string' && rep.countries.includes(country)) || (typeof region === 'string' && rep.regions.some((configured) => regionMatches(configured, region)));
}

/**
 * Round robin over `members` in order (the pool's, or for `territory` those covering the lead): turn N
 * belongs to member (N-1) mod size, and when that member is skipped the turn passes to the next eligible
 * one (Ava away → her turn goes to Ben).
 */
function rotation(members: readonly Rep[], eligible: readonly Rep[], turn: number): Rep[] {
  const start = (((turn - 1) % members.length) + members.length) % members.length;
  const ordered = [...members.slice(start), ...members.slice(0, start)];
  return ordered.filter((rep) => eligible.includes(rep));
}

/**
 * nginx's smooth weighted round robin, replayed from a zero state for `turn` steps of its cycle (the
 * sum of the weights), so the choice follows from the stored turn alone: weights 2:1:1 give A B C A,
 * A B C A, … — every rep gets its share within each cycle and no rep more than one extra in a row.
 */
export function smoothWeightedOrder(reps: readonly Rep[], turn: number): Rep[] {
  const total = reps.reduce((sum, rep) => sum + rep.weight, 0);
  const steps = ((turn - 1) % total) + 1;
  const current = reps.map(() => 0);
  let chosen = 0;
  for (let step = 0; step < steps; step += 1) {
    reps.forEach((rep, index) => (current[index] += rep.weight));
    chosen = current.reduce((best, value, index) => (value > current[best] ? index : best), 0);
    current[chosen] -= total;
  }
  return [reps[chosen], ...reps.filter((_, index) => index !== chosen)];
}

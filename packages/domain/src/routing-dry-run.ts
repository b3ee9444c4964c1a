import type { Configuration } from './configuration';
import { routingPoolOf, type Lead } from './lead';
import { withPhoneCountry } from './contact-normalisation';
import { leadFacts, scoreLead, scoringFacts, type Grade, type Temperature } from './lead-scoring';
import { repCoversLead } from './assignment-strategies';
import { leavesInPool, type AssignmentStrategy } from './assignment-strategy';
import { rankingStrategy } from './lead-offer';
import { routeFor } from './routing-table';

/** The route id a lead counts under when its record holds no routing decision (captured before routing, or never routed). */
export const notRoutedBefore = '(not routed)';

/** Where a lead stands now (its stored record) and where the changed configuration would send it. */
export interface LeadReroute {
  leadId: string;
  capturedAt: string;
  before: {
    routeId: string;
    poolId?: string;
    ownerId?: string;
    /** The record says the route left the lead unowned because nobody on it could take it then (availability, capacity). */
    pooledForWantOfReps: boolean;
    /** The record says the route left the lead unowned in its pool, by design or for want of reps: an owner now came by a claim or a manager. */
    leftInPool: boolean;
    points?: number;
    grade?: Grade;
    temperature?: Temperature;
  };
  after: {
    routeId: string;
    strategy: AssignmentStrategy;
    poolId: string;
    points: number;
    grade: Grade;
    temperature: Temperature;
    /** Pool members the route's strategy could give the lead to: active and, for `territory`, covering the lead. */
    candidates: string[];
    /**
     * The rep the strategy would rank first when that follows from the configuration alone (a single
     * candidate); `undefined` when the lead would stay in the pool or when turn or load would decide.
     */
    firstCandidate?: string;
    /** The lead would wait unowned in the pool: a `pool` route, or nobody on the route could take it. */
    pooled: boolean;
  };
}

export interface RouteShift {
  routeId: string;
  /** Leads whose record names this route now, and how many the changed table gives it. */
  before: number;
  after: number;
  movingIn: number;
  movingOut: number;
}

export interface RepShift {
  repId: string;
  /** Leads the changed table would give this rep as the route's only candidate, which they do not own now. */
  gains: number;
  /** Leads this rep owns now that the changed table could no longer give them (another route, pool or territory). */
  losses: number;
}

export interface RoutingDryRunReport {
  /** Real leads replayed (test, invalid and quarantined leads are never routed and are left out). */
  replayed: number;
  routeChanged: number;
  poolChanged: number;
  gradeChanged: number;
  temperatureChanged: number;
  pointsChanged: number;
  /** Leads that would get an owner whose identity depends on the route's turn or reps' load at the time. */
  ownerDecidedByTurnOrLoad: number;
  /** In the changed table's order, then routes only the records name. */
  routes: RouteShift[];
  /** Reps with a gain or a loss, by id. */
  reps: RepShift[];
  /** Every lead whose route, pool, grade or temperature would change, or that a rep would gain or lose, newest first. */
  changes: LeadReroute[];
}

/**
 * Replays leads through a changed configuration's scoring and routing and compares the outcome with
 * what their records say (stored score, `routing.routeId`/`poolId`, `ownerId`). Pure: round-robin turns,
 * reps' load and out-of-office or working hours at the time are not replayed, so a rep is credited with
 * a lead only when the route leaves a single candidate; every other owner is counted as decided by
 * turn or load. Leads are re-scored as they stand now (touches included), with `configuration.scoring` as
 * given: in `channelRoi.measuredChannelPriors.mode: apply`, pass it through `withMeasuredChannelPriors` with the
 * stored suggestions, as captures score.
 *
 * @example
 * dryRunRouting(leads, parseConfiguration(changed), new Date()).routes // [{ routeId: 'default', before: 4, after: 2, movingIn: 0, movingOut: 2 }, …]
 */
export function dryRunRouting(leads: readonly Lead[], configuration: Pick<Configuration, 'scoring' | 'routing' | 'pools' | 'reps'>, now: Date): RoutingDryRunReport {
  const replays = leads
    .filter((lead) => !lead.isTest && lead.status !== 'invalid' && lead.status !== 'quarantined')
    .sort((a, b) => b.capturedAt.localeCompare(a.capturedAt) || a.leadId.localeCompare(b.leadId))
    .map((lead) => replay(lead, configuration, now));
  const changed = (pick: (side: LeadReroute['before'] | LeadReroute['after']) => unknown) => replays.filter((lead) => pick(lead.before) !== pick(lead.after)).length;
  const wasRouted = replays.filter((lead) => lead.before.poolId !== undefined);
  return {
    replayed: replays.length,
    routeChanged: changed((side) => side.routeId),
    poolChanged: wasRouted.filter((lead) => lead.before.poolId !== lead.after.poolId).length,
    gradeChanged: changed((side) => side.grade),
    temperatureChanged: changed((side) => side.temperature),
    pointsChanged: changed((side) => side.points),
    ownerDecidedByTurnOrLoad: replays.filter(({ after }) => !after.pooled && after.firstCandidate === undefined).length,
    routes: routeShifts(replays, configuration),
    reps: repShifts(replays),
    changes: replays.filter(
      ({ before, after }) =>
        before.routeId !== after.routeId || (before.poolId !== undefined && before.poolId !== after.poolId) || before.grade !== after.grade || before.temperature !== after.temperature || ownerShifts(before, after),
    ),
  };
}

function replay(lead: Lead, configuration: Pick<Configuration, 'scoring' | 'routing' | 'pools' | 'reps'>, now: Date): LeadReroute {
  const facts = leadFacts(withPhoneCountry(lead));
  const score = scoreLead(scoringFacts(withPhoneCountry(lead)), configuration.scoring, now);
  // The facts a compiled route rule sees in `lead.scored`: the new score's grade and temperature, and the lead's answers.
  const route = routeFor(configuration.routing, { ...facts, grade: score.grade, temperature: score.temperature, answers: lead.answers });
  const poolId = route.poolId ?? routingPoolOf(lead);
  // An offer's named reps stand in for the pool's members; an offer of candidates ranks by its candidates strategy.
  const members = route.offer?.reps ?? configuration.pools.find((pool) => pool.id === poolId)?.members ?? [];
  const strategy = rankingStrategy(route);
  const candidates = leavesInPool(route.strategy)
    ? []
    : members.filter((repId) => {
        const rep = configuration.reps.find((candidate) => candidate.id === repId);
        return rep !== undefined && rep.active && (strategy !== 'territory' || repCoversLead(rep, facts));
      });
  return {
    leadId: lead.leadId,
    capturedAt: lead.capturedAt,
    before: {
      // A lead under an open offer has no routing decision yet; the offer names the route and pool that made it.
      routeId: lead.routing?.routeId ?? lead.offer?.routeId ?? notRoutedBefore,
      poolId: lead.routing?.poolId ?? lead.offer?.poolId,
      ownerId: lead.ownerId,
      pooledForWantOfReps: lead.routing?.outcome === 'pooled' && !leavesInPool(lead.routing.strategy),
      leftInPool: lead.routing?.outcome === 'pooled',
      points: lead.score?.points,
      grade: lead.score?.grade,
      temperature: lead.score?.temperature,
    },
    after: {
      routeId: route.id,
      strategy: route.strategy,
      poolId,
      points: score.points,
      grade: score.grade,
      temperature: score.temperature,
      candidates,
      firstCandidate: candidates.length === 1 ? candidates[0] : undefined,
      pooled: candidates.length === 0,
    },
  };
}

function routeShifts(replays: readonly LeadReroute[], configuration: Pick<Configuration, 'routing'>): RouteShift[] {
  const routeIds = [...new Set([...configuration.routing.routes.map((route) => route.id), ...replays.map((lead) => lead.before.routeId)])];
  return routeIds.map((routeId) => ({
    routeId,
    before: replays.filter((lead) => lead.before.routeId === routeId).length,
    after: replays.filter((lead) => lead.after.routeId === routeId).length,
    movingIn: replays.filter((lead) => lead.after.routeId === routeId && lead.before.routeId !== routeId).length,
    movingOut: replays.filter((lead) => lead.before.routeId === routeId && lead.after.routeId !== routeId).length,
  }));
}

function repShifts(replays: readonly LeadReroute[]): RepShift[] {
  const shifts = new Map<string, RepShift>();
  const shiftOf = (repId: string): RepShift => {
    const shift = shifts.get(repId) ?? { repId, gains: 0, losses: 0 };
    shifts.set(repId, shift);
    return shift;
  };
  for (const { before, after } of replays) {
    const gainer = gainedBy(before, after);
    const loser = lostBy(before, after);
    if (gainer !== undefined) shiftOf(gainer).gains += 1;
    if (loser !== undefined) shiftOf(loser).losses += 1;
  }
  return [...shifts.values()].sort((a, b) => a.repId.localeCompare(b.repId));
}

/**
 * The rep who would get the lead as the route's only candidate, when that is not its owner now. Not
 * when the same route and pool left it unowned for want of an available rep: that was availability at
 * the time, which the dry run does not replay, not the configuration.
 */
function gainedBy(before: LeadReroute['before'], after: LeadReroute['after']): string | undefined {
  const sameRouteThen = before.pooledForWantOfReps && before.routeId === after.routeId && before.poolId === after.poolId;
  return after.firstCandidate !== before.ownerId && !sameRouteThen ? after.firstCandidate : undefined;
}

/**
 * The lead's owner now, when the changed route could no longer give it to them. Not when the same route
 * and pool left it unowned and the owner claimed it or was given it there: routing never gave it to them.
 */
function lostBy(before: LeadReroute['before'], after: LeadReroute['after']): string | undefined {
  const sameRouteLeftItInPool = before.leftInPool && before.routeId === after.routeId && before.poolId === after.poolId;
  return before.ownerId !== undefined && !sameRouteLeftItInPool && !after.candidates.includes(before.ownerId) ? before.ownerId : undefined;
}

function ownerShifts(before: LeadReroute['before'], after: LeadReroute['after']): boolean {
  return gainedBy(before, after) !== undefined || lostBy(before, after) !== undefined;
}

import type { Rep } from './configuration';
import { routingPoolOf, type Lead, type LeadHistoryEntry } from './lead';
import { leadEvent, type LeadEvent, type LeadScoredDetail } from './lead-events';
import { leadFacts, type LeadFacts, type LeadScore } from './lead-scoring';
import type { Route } from './routing-table';
import { leavesInPool } from './assignment-strategy';
import type { LeadNurture } from './lead-nurture';
import { agendaKey } from './my-leads';
import type { RoutingCandidate, RoutingDecision } from './routing-decision';

/** The route that matched, the pool it sends the lead to, and what the strategy made of the pool's reps. */
export interface RoutingContext {
  lead: Pick<Lead, 'leadId' | 'score'>;
  route: Route;
  poolId: string;
  /** Members skipped, with why. */
  skipped: RoutingCandidate[];
  turn?: number;
  /** Open leads each rep held as the strategy ranked them, so a `least_busy` decision can say by how many. */
  openLeads?: ReadonlyMap<string, number>;
  eventId: string;
  now: Date;
}

/** What routing knows of a lead: its id, pool, score and the facts strategies read (territory). */
export interface RoutedLeadFacts {
  leadId: string;
  poolId: string;
  score?: LeadScore;
  facts: LeadFacts;
}

/**
 * The routing facts a `lead.scored` detail carries, so `assign-lead` need not read the lead: whether it
 * is still `new` and unowned is the assignment's own condition. A lead still `new` has no next step (only
 * its owner logs one, and giving a lead back removes it), so its agenda place follows from the score.
 * Undefined for a detail written before events carried the score's contributions: read the lead then.
 */
export function routedLeadFacts(detail: LeadScoredDetail): RoutedLeadFacts | undefined {
  if (!detail.contributions) return undefined;
  const { leadId, poolId, points, grade, temperature, contributions, scoredAt, country, region, channel, sourceKind, formId, answers } = detail;
  const answerFacts = Object.fromEntries(Object.entries(answers ?? {}).map(([name, value]) => [`answers.${name}`, value]));
  return { leadId, poolId, score: { points, grade, temperature, contributions, scoredAt }, facts: { country, region, channel, sourceKind, formId, ...answerFacts } };
}

/** The same, from the lead as stored. */
export function routedLeadFactsOf(lead: Lead): RoutedLeadFacts {
  return { leadId: lead.leadId, poolId: routingPoolOf(lead), score: lead.score, facts: leadFacts(lead) };
}

export interface OwnerChange {
  ownerId: string;
  assignment: NonNullable<Lead['assignment']>;
  /** The lead's place in its owner's list (`agendaKey`). */
  agenda: string;
  routing: RoutingDecision;
  historyEntry: LeadHistoryEntry;
  event: LeadEvent;
}

export interface PoolChange {
  poolId: string;
  routing: RoutingDecision;
  historyEntry: LeadHistoryEntry;
  event: LeadEvent;
  /** A `nurture` route's lead with marketing-email consent enters the route's sequence as it is pooled. */
  nurture?: { state: LeadNurture; historyEntry: LeadHistoryEntry };
}

/** Gives the lead its owner: the decision (route, strategy, every candidate, the score then), its timeline entry and `lead.assigned`. */
export function assignToOwner(context: RoutingContext & { owner: Rep; passedOver: readonly Rep[] }): OwnerChange {
  const { route, lead, poolId, owner } = context;
  if (leavesInPool(route.strategy)) throw new Error(`Route ${route.id} leaves leads in the pool; it assigns nobody`);
  const at = context.now.toISOString();
  const candidates: RoutingCandidate[] = [
    { repId: owner.id, verdict: 'chosen' },
    ...context.passedOver.map((rep) => ({ repId: rep.id, verdict: 'passed_over' as const, reason: passedOverReason(route.strategy, rep, owner, context.openLeads) })),
    ...context.skipped,
  ];
  const turn = context.turn === undefined ? '' : ` turn ${context.turn}`;
  const skippedText = context.skipped.map((candidate) => `${candidate.repId} skipped: ${candidate.reason}`).join('; ');
  const explanation = `route ${route.id} (${route.strategy.replace('_', ' ')}${turn}) in pool ${poolId} chose ${owner.id}${skippedText ? `; ${skippedText}` : ''}`;
  const score = lead.score && { points: lead.score.points, grade: lead.score.grade, temperature: lead.score.temperature, contributions: lead.score.contributions };
  const routing: RoutingDecision = { routeId: route.id, strategy: route.strategy, poolId, outcome: 'assigned', ownerId: owner.id, turn: context.turn, candidates, explanation, score, decidedAt: at };
  return {
    ownerId: owner.id,
    assignment: { rule: route.strategy, poolId, assignedAt: at },
    agenda: agendaKey(lead),
    routing,
    historyEntry: { at, action: 'assigned', by: 'system', detail: explanation, decision: routing },
    event: leadEvent('lead.assigned', { eventId: context.eventId, leadId: lead.leadId, ownerId: owner.id, poolId, rule: route.strategy, assignedAt: at, routeId: route.id, candidates, explanation, score }, at),
  };
}

/** Leaves the lead unowned in the route's pool: by the `pool` strategy, or because nobody on the route could take it. */
export function leaveInPool(context: RoutingContext): PoolChange {
  const { route, lead, poolId } = context;
  const at = context.now.toISOString();
  const reason = leavesInPool(route.strategy) ? 'pool_strategy' : 'nobody_available';
  const skippedText = context.skipped.map((candidate) => `${candidate.repId} skipped: ${candidate.reason}`).join('; ');
  const explanation =
    reason === 'pool_strategy'
      ? `route ${route.id} leaves leads in pool ${poolId} for its members to claim`
      : `route ${route.id} (${route.strategy.replace('_', ' ')}) found nobody available in pool ${poolId}: ${skippedText}`;
  const score = lead.score && { points: lead.score.points, grade: lead.score.grade, temperature: lead.score.temperature, contributions: lead.score.contributions };
  const routing: RoutingDecision = { routeId: route.id, strategy: route.strategy, poolId, outcome: 'pooled', turn: context.turn, candidates: context.skipped, explanation, score, decidedAt: at };
  return {
    poolId,
    routing,
    historyEntry: { at, action: 'pooled', by: 'system', detail: explanation, decision: routing },
    event: leadEvent('lead.pooled', { eventId: context.eventId, leadId: lead.leadId, poolId, routeId: route.id, strategy: route.strategy, reason, candidates: context.skipped, pooledAt: at }, at),
  };
}

function passedOverReason(strategy: Route['strategy'], rep: Rep, owner: Rep, openLeads: ReadonlyMap<string, number> | undefined): string {
  switch (strategy) {
    case 'least_busy': {
      if (!openLeads) return 'no fewer open leads than the chosen rep';
      const theirs = openLeads.get(rep.id) ?? 0;
      const chosen = openLeads.get(owner.id) ?? 0;
      // On a tie the ranking keeps the pool's order, so the chosen rep is the one listed first.
      if (theirs === chosen) return `as many open leads as the chosen rep (${theirs}); the chosen rep comes first in the pool's order`;
      return `${theirs > chosen ? 'more' : 'fewer'} open leads than the chosen rep (${theirs} vs ${chosen})`;
    }
    case 'weighted':
      return 'not their turn by weight';
    default:
      return 'not their turn';
  }
}

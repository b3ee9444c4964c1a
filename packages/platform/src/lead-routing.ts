import {
  allowsMarketingEmail,
  assignToOwner,
  doubleOptInRequired,
  marketingEmailConsent,
  nurtureAwaitingConfirmation,
  holdingCapOf,
  leaveInPool,
  nurtureEntry,
  planOffer,
  rankCandidates,
  rankingStrategy,
  rankOffer,
  shardedTurn,
  strategyTakesTurns,
  turnCounterId,
  turnShardOf,
  type Pool,
  type Route,
  type RoutedLeadFacts,
  type RoutingCandidate,
  type StrategyRanking,
} from '@leadflow/domain';
import type { Dependencies } from './dependencies';
import { logger } from './logger';
import { operationalMetricNames } from './ports/operational-metrics';
import type { LeadFull, RoutingGuard } from './ports/lead-store';

export type LeadRoutingDependencies = Pick<Dependencies, 'config' | 'leads' | 'consents' | 'metrics' | 'newId'>;

/** What a routing decision wrote: `already_routed` when nothing (a redelivery, a lead routed or re-scored meanwhile), `lead_full` when the lead is too full to take it. */
export type RoutingOutcome = 'assigned' | 'offered' | 'pooled' | 'already_routed' | LeadFull;

/**
 * Applies `route`'s strategy to a `new`, unowned lead, as of `now`: an owner under their holding cap
 * (the next ranked rep when one fills up meanwhile), the pool, or (`offer`) an offer to several reps at
 * once; `nurture` leaves it in the pool and, when its consent ledger allows marketing email, starts the
 * route's sequence (or, when that consent waits for the person's confirmation, holds the lead at its start). An offer that finds nobody to offer to falls back at once to its fallback strategy;
 * a fallback to the pool leaves the lead there as nobody available (the pool's managers are told). Every write is conditional, so a
 * redelivery or a race changes nothing twice; a `least_busy` owner is written only while they hold the open leads the ranking saw
 * (a burst of concurrent assignments reads the loads again and ranks again, a few times), so a burst spreads as leads one at a time do; a lead on offer is left alone unless `closesOffer` (the
 * offer's own fallback), and so is a lead re-scored since the score routed on. The route's turn and the
 * reps' states are read at the same time; a decision that wrote nothing gives its turn back, and so does one that
 * failed (a store call threw) while its lead is still unrouted, for the event's retry to take a turn again. A lead too full to take
 * the decision (`lead_full`, which no retry can change) is logged as an error naming it and stays as it is: no error is
 * thrown, so its event is not retried into the dead-letter queue; the caller decides what else it needs.
 */
export async function routeLead(deps: LeadRoutingDependencies, input: { lead: RoutedLeadFacts; route: Route; pool: Pool; now: Date; closesOffer?: boolean }): Promise<RoutingOutcome> {
  const { config, leads, newId } = deps;
  const { lead, route, pool, now, closesOffer } = input;
  const strategy = rankingStrategy(route);
  const { counterId, shard } = turnShardOf(turnCounterId({ routeId: route.id, pool, reps: config.reps, strategy, facts: lead.facts }), lead.leadId, config.routing.turnShards ?? 1);
  const repIds = route.offer?.reps ?? pool.members;
  // Settled apart: a turn taken beside a read that failed is given back, as for any attempt that fails.
  const [turnTaken, statesRead] = await Promise.allSettled([strategyTakesTurns(strategy) ? leads.takeTurn(counterId) : undefined, leads.readRepStates(repIds)]);
  const taken = turnTaken.status === 'fulfilled' ? turnTaken.value : undefined;
  const turn = taken === undefined ? undefined : shardedTurn(taken, shard);
  // Decided on this score: a lead re-scored since is left to the newer `lead.scored`.
  const guard = { leadId: lead.leadId, closesOffer, scoredAt: lead.score?.scoredAt };
  // A decision that wrote nothing (a redelivery, a lead routed or re-scored meanwhile) gives its turn back, once, so no rep misses one;
  // best effort, as the decision itself is done (or failed on an error of its own, which the give-back must not hide).
  let turnHeld = taken !== undefined;
  const giveBackTurn = async (whileRoutable?: typeof guard) => {
    if (taken === undefined || !turnHeld) return;
    turnHeld = false;
    await leads.giveBackTurn(counterId, taken, whileRoutable).catch((error: unknown) => logger.warn('Could not give back an unused route turn', { counterId, taken, error }));
  };
  const leadFull = async (): Promise<RoutingOutcome> => {
    logger.error('The lead is too full to record its routing decision; it stays as it is, and is not retried', { leadId: lead.leadId, routeId: route.id, poolId: pool.id });
    await giveBackTurn();
    return 'lead_full';
  };

  try {
    if (statesRead.status === 'rejected') throw statesRead.reason;
    if (turnTaken.status === 'rejected') throw turnTaken.reason;
    const states = statesRead.value;
    const strategyInput = { route, pool, reps: config.reps, facts: lead.facts, ...states, turn, now };

    if (route.strategy === 'offer') {
      const { ranked, skipped } = rankOffer(strategyInput);
      const fallback = route.offer?.fallback ?? 'pool';
      // A fallback strategy (round robin, least busy…) assigns the lead at once; a pool fallback with nobody to offer to is not the route's choice, but the offer's.
      if (ranked.length === 0 && fallback !== 'pool') {
        logger.info('Nobody to offer the lead to; the offer falls back at once', { leadId: lead.leadId, routeId: route.id, skipped });
        await giveBackTurn();
        return routeLead(deps, { ...input, route: { ...route, strategy: fallback, offer: undefined } });
      }
      if (ranked.length === 0) {
        // Not the route's choice to pool it: nobody on it was available, so the decision is the offer's (`nobody_available`, the skipped reps and why), which the pool's managers hear of.
        logger.info('Nobody to offer the lead to; it waits in the pool', { leadId: lead.leadId, routeId: route.id, skipped });
        const change = leaveInPool({ lead, route, poolId: pool.id, turn, now, skipped, eventId: newId() });
        const outcome = await leads.leaveInPool({ ...guard, ...change });
        logger.info('Lead left in pool', { leadId: lead.leadId, routeId: route.id, poolId: pool.id, outcome });
        if (outcome === 'lead_full') return leadFull();
        if (outcome === 'already_routed') await giveBackTurn();
        return outcome;
      }
      const outcome = await leads.offerLead({ ...planOffer({ lead, route, poolId: pool.id, offered: ranked, skipped, now, eventId: newId() }), scoredAt: guard.scoredAt });
      logger.info('Lead offered', { leadId: lead.leadId, routeId: route.id, repIds: ranked.map((rep) => rep.id), outcome });
      if (outcome === 'lead_full') return leadFull();
      if (outcome === 'already_routed') await giveBackTurn();
      return outcome;
    }

    // `least_busy` ranks on loads a concurrent assignment (a burst) may change before its write: its choice is taken only while the rep's load
    // is still the one ranked on, else the loads are read again and ranked again, a few times; then the cap alone binds, so contention never pools a lead.
    let repStates = states;
    for (let ranking = 1; ; ranking += 1) {
      const onSeenLoad = route.strategy === 'least_busy' && ranking <= leastBusyRankings;
      const writtenAt = performance.now();
      const outcome = await assignRanked(deps, { lead, route, pool, now, guard, turn, openLeads: repStates.openLeads, onSeenLoad }, rankCandidates({ ...strategyInput, ...repStates }));
      if (outcome === 'lead_full') return leadFull();
      if (outcome === 'already_routed') await giveBackTurn();
      if (outcome !== 'load_changed') return outcome;
      logger.info('A rep took or left leads since the least busy was chosen; ranking again', { leadId: lead.leadId, routeId: route.id, ranking });
      // Deciders that lost the same rep wait apart, over a window that doubles with each ranking and scales with how long the write took,
      // so most read again after the others' writes, however fast or slow the table is.
      await new Promise((done) => setTimeout(done, Math.random() * (performance.now() - writtenAt) * 2 ** ranking));
      repStates = await leads.readRepStates(repIds);
    }
  } catch (error) {
    // The event's retry decides again, on a turn of its own: this one goes back, unless the lead was routed (a write that
    // committed and lost only its answer keeps its turn, or the next lead would take it again).
    await giveBackTurn(guard);
    throw error;
  }
}

/** How many of its rankings `least_busy` writes only on the loads they saw; the one after them (on loads read again) is written under the cap alone. */
const leastBusyRankings = 4;

/**
 * Gives the lead to the first ranked rep still under their holding cap (the next when one fills up meanwhile), else leaves it in the pool;
 * `onSeenLoad`, only while the rep still holds the open leads it was ranked on (`load_changed` when not). Returns what was written, the
 * lead's refusals as the store gives them (`already_routed` for a lead routed meanwhile), for the caller to settle its turn.
 */
async function assignRanked(
  deps: LeadRoutingDependencies,
  input: { lead: RoutedLeadFacts; route: Route; pool: Pool; now: Date; guard: RoutingGuard & { leadId: string }; turn?: number; openLeads: ReadonlyMap<string, number>; onSeenLoad: boolean },
  { ranked, skipped }: StrategyRanking,
): Promise<RoutingOutcome | 'load_changed'> {
  const { config, leads, consents, metrics, newId } = deps;
  const { lead, route, pool, now, guard, turn, openLeads, onSeenLoad } = input;
  const context = { lead, route, poolId: pool.id, turn, openLeads, now };
  const filledMeanwhile: RoutingCandidate[] = [];
  for (const [index, owner] of ranked.entries()) {
    const change = assignToOwner({ ...context, skipped: [...filledMeanwhile, ...skipped], owner, passedOver: ranked.slice(index + 1), eventId: newId() });
    const capacity = holdingCapOf(owner, pool);
    const seenOpenLeads = onSeenLoad ? (openLeads.get(owner.id) ?? 0) : undefined;
    const outcome = await leads.assignOwner({ ...guard, capacity, seenOpenLeads, ...change });
    logger.info('Lead assignment', { leadId: lead.leadId, routeId: route.id, ownerId: owner.id, outcome });
    if (outcome === 'assigned') metrics.count(operationalMetricNames.leadAssigned);
    if (outcome === 'already_assigned') return 'already_routed';
    if (outcome !== 'at_capacity') return outcome;
    filledMeanwhile.push({ repId: owner.id, verdict: 'skipped', reason: `at capacity (${capacity}/${capacity} open leads)` });
  }
  const change = leaveInPool({ ...context, skipped: [...filledMeanwhile, ...skipped], eventId: newId() });
  const sequence = route.strategy === 'nurture' ? config.nurture.sequences.find((candidate) => candidate.id === route.sequenceId) : undefined;
  // The ledger, not the lead, says whether marketing email is allowed: capture writes what was given, an unsubscribe what was withdrawn.
  const consent = sequence ? marketingEmailConsent(await consents.entriesFor(lead.leadId), (source) => doubleOptInRequired(config, source)) : 'not_given';
  // Consent that waits for its confirmation holds the lead at the start of the sequence; send-nurture-confirmation asks the person.
  const nurture = !sequence ? undefined : allowsMarketingEmail(consent) ? nurtureEntry(sequence, route.id, now) : consent === 'awaiting_confirmation' ? nurtureAwaitingConfirmation(sequence, route.id, now) : undefined;
  const outcome = await leads.leaveInPool({ ...guard, ...change, ...(nurture ? { nurture } : {}) });
  logger.info('Lead left in pool', { leadId: lead.leadId, routeId: route.id, poolId: pool.id, outcome });
  return outcome;
}

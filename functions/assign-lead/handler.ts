import { assignToOwner, leadFacts, leaveInPool, rankCandidates, routedLeadSchema, strategyTakesTurns, type RoutingCandidate } from '@leadflow/domain';
import { lambdaDependenciesOf, logger, operationalMetricNames, ruleInputHandler, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * Target of every compiled route rule: the rule says which route matched (its input is `{routeId,
 * detail}`), and this applies that route's strategy — an owner under their holding cap, or the pool.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'metrics' | 'now' | 'newId'>) {
  return ruleInputHandler(routedLeadSchema, async ({ routeId, detail }) => {
    const { config, leads, metrics, now, newId } = dependencies();
    const route = config.routing.routes.find((candidate) => candidate.id === routeId);
    if (!route) throw new Error(`Rule for route "${routeId}" fired, but the configuration has no such route`);
    const lead = await leads.getLead(detail.leadId);
    if (!lead) throw new Error(`Lead ${detail.leadId} announced by event ${detail.eventId} is not in the table`);
    if (lead.ownerId || lead.status !== 'new') return; // a redelivery, or a lead routed, invalidated or erased since

    const poolId = route.poolId ?? lead.poolId;
    const pool = config.pools.find((candidate) => candidate.id === poolId);
    if (!pool) throw new Error(`Route ${route.id} sends lead ${lead.leadId} to pool "${poolId}", which the configuration no longer has`);
    const turn = strategyTakesTurns(route.strategy) ? await leads.takeTurn(`${route.id}#${pool.id}`) : undefined;
    const states = await leads.readRepStates(pool.members);
    const at = now();
    const { ranked, skipped } = rankCandidates({ route, pool, reps: config.reps, facts: leadFacts(lead), ...states, turn, now: at });

    const context = { lead, route, poolId: pool.id, turn, now: at };
    const filledMeanwhile: RoutingCandidate[] = [];
    for (const [index, owner] of ranked.entries()) {
      const change = assignToOwner({ ...context, skipped: [...filledMeanwhile, ...skipped], owner, passedOver: ranked.slice(index + 1), eventId: newId() });
      const outcome = await leads.assignOwner({ leadId: lead.leadId, capacity: owner.capacity, ...change });
      logger.info('Lead assignment', { leadId: lead.leadId, routeId, ownerId: owner.id, outcome });
      if (outcome === 'assigned') metrics.count(operationalMetricNames.leadAssigned);
      if (outcome !== 'at_capacity') return;
      filledMeanwhile.push({ repId: owner.id, verdict: 'skipped', reason: `at capacity (${owner.capacity}/${owner.capacity} open leads)` });
    }
    const change = leaveInPool({ ...context, skipped: [...filledMeanwhile, ...skipped], eventId: newId() });
    const outcome = await leads.leaveInPool({ leadId: lead.leadId, ...change });
    logger.info('Lead left in pool', { leadId: lead.leadId, routeId, poolId: pool.id, outcome });
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, metrics: providers.metrics, now: providers.now, newId: providers.newId }));

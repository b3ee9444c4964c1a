import { routedLeadFacts, routedLeadFactsOf, routedLeadSchema } from '@leadflow/domain';
import { lambdaDependenciesOf, routeLead, ruleInputHandler, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * Target of every compiled route rule: the rule says which route matched (its input is `{routeId,
 * detail}`), and this applies that route's strategy — an owner under their holding cap, the pool (for `nurture`,
 * with the route's sequence when the lead's consent covers marketing email), or an offer to several reps at once. The detail carries the score and facts routing needs, so the lead is
 * not read: the routing writes change only a lead still `new`, unowned and not on offer (a redelivery, a
 * re-score of a lead already offered, or a lead routed, invalidated or erased since, is left alone).
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'consents' | 'metrics' | 'now' | 'newId'>) {
  return ruleInputHandler(routedLeadSchema, async ({ routeId, detail }) => {
    const deps = dependencies();
    const route = deps.config.routing.routes.find((candidate) => candidate.id === routeId);
    if (!route) throw new Error(`Rule for route "${routeId}" fired, but the configuration has no such route`);
    let lead = routedLeadFacts(detail);
    if (!lead) {
      // An event from before details carried the score's contributions: read the lead for them.
      const stored = await deps.leads.getLead(detail.leadId);
      if (!stored) throw new Error(`Lead ${detail.leadId} announced by event ${detail.eventId} is not in the table`);
      if (stored.ownerId || stored.status !== 'new' || stored.offer) return;
      lead = routedLeadFactsOf(stored);
    }

    const poolId = route.poolId ?? lead.poolId;
    const pool = deps.config.pools.find((candidate) => candidate.id === poolId);
    if (!pool) throw new Error(`Route ${route.id} sends lead ${lead.leadId} to pool "${poolId}", which the configuration no longer has`);
    await routeLead(deps, { lead, route, pool, now: deps.now() });
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, consents: providers.consents, metrics: providers.metrics, now: providers.now, newId: providers.newId }));

import { isOpenOffer, leaveInPool, offerFallbackRoute, routedLeadFactsOf, routingPoolOf } from '@leadflow/domain';
import type { ScheduledInvocation } from '@leadflow/manifest';
import { lambdaDependenciesOf, loggedHandler, logger, routeLead, type DependencyResolver, type DuePosition } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

const batchSize = 100;

/**
 * Offers nobody accepted in time, as of the schedule's `time`: reads only the open offers whose expiry
 * has passed (the sparse offer-expiry index) and applies each one's fallback — its strategy assigns the
 * lead, or it goes to the pool. The fallback's writes are conditional on the lead still having no owner,
 * so an accept racing the run wins or loses whole, and a second run finds nothing left.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'consents' | 'metrics' | 'newId'>) {
  return async (event: ScheduledInvocation): Promise<{ expired: string[] }> => {
    const deps = dependencies();
    const now = new Date(event.time);
    const expired: string[] = [];
    // Each page starts after the last lead read, so a lead still on offer after its turn holds nobody back.
    let after: DuePosition | undefined;
    do {
      const page = await deps.leads.listExpiredOffers(event.time, { limit: batchSize, after });
      for (const lead of page.leads) {
        expired.push(lead.leadId);
        if (!isOpenOffer(lead)) continue;
        const route = offerFallbackRoute(lead.offer);
        const pool = deps.config.pools.find((candidate) => candidate.id === route.poolId);
        if (!pool) {
          // Its fallback cannot run; the lead waits unassigned in the pool it was captured into, where managers see it and assign it.
          const poolId = routingPoolOf(lead);
          logger.error('An expired offer names a pool the configuration no longer has; the lead is left in the pool it was captured into', { leadId: lead.leadId, offerPoolId: route.poolId, poolId });
          const change = leaveInPool({ lead, route: { ...route, strategy: 'pool', poolId }, poolId, skipped: [], eventId: deps.newId(), now });
          await deps.leads.leaveInPool({ leadId: lead.leadId, closesOffer: true, ...change });
          continue;
        }
        logger.info('Offer expired with nobody accepting; applying its fallback', { leadId: lead.leadId, routeId: route.id, fallback: route.strategy, expiresAt: lead.offer.expiresAt });
        await routeLead(deps, { lead: routedLeadFactsOf(lead), route, pool, now, closesOffer: true });
      }
      after = page.next;
    } while (after);
    return { expired };
  };
}

export const handler = loggedHandler(createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, consents: providers.consents, newId: providers.newId, metrics: providers.metrics })));

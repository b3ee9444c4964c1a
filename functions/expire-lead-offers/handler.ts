import { isOpenOffer, offerFallbackRoute, routedLeadFactsOf } from '@leadflow/domain';
import type { ScheduledInvocation } from '@leadflow/manifest';
import { lambdaDependenciesOf, loggedHandler, logger, routeLead, type DependencyResolver } from '@leadflow/platform';
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
    const seen = new Set<string>();
    for (;;) {
      const due = (await deps.leads.listExpiredOffers(event.time, batchSize)).filter(({ leadId }) => !seen.has(leadId));
      if (due.length === 0) break;
      for (const lead of due) {
        seen.add(lead.leadId);
        if (!isOpenOffer(lead)) continue;
        const route = offerFallbackRoute(lead.offer);
        const pool = deps.config.pools.find((candidate) => candidate.id === route.poolId);
        if (!pool) {
          logger.error('An expired offer names a pool the configuration no longer has; left for an operator', { leadId: lead.leadId, poolId: route.poolId });
          continue;
        }
        logger.info('Offer expired with nobody accepting; applying its fallback', { leadId: lead.leadId, routeId: route.id, fallback: route.strategy, expiresAt: lead.offer.expiresAt });
        await routeLead(deps, { lead: routedLeadFactsOf(lead), route, pool, now, closesOffer: true });
      }
    }
    return { expired: [...seen] };
  };
}

export const handler = loggedHandler(createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, consents: providers.consents, newId: providers.newId, metrics: providers.metrics })));

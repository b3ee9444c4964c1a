import { isOpenOffer, leaveInPool, offerFallbackRoute, routedLeadFactsOf, routingPoolOf, type Lead, type LeadOffer } from '@leadflow/domain';
import type { ScheduledInvocation } from '@leadflow/manifest';
import { lambdaDependenciesOf, loggedHandler, logger, routeLead, type Dependencies, type DependencyResolver, type DuePosition } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

const batchSize = 100;

/**
 * Offers nobody accepted in time, as of the schedule's `time`: reads only the open offers whose expiry
 * has passed (the sparse offer-expiry index) and applies each one's fallback — its strategy assigns the
 * lead, or it goes to the pool. The fallback's writes are conditional on the lead still having no owner,
 * so an accept racing the run wins or loses whole, and a second run finds nothing left. An offer whose
 * fallback cannot be written is logged and fails the run once the others are done, so its alarm fires.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'consents' | 'metrics' | 'newId'>) {
  return async (event: ScheduledInvocation): Promise<{ expired: string[] }> => {
    const deps = dependencies();
    const now = new Date(event.time);
    const expired: string[] = [];
    const failed: Array<{ leadId: string; error: unknown }> = [];
    // Each page starts after the last lead read, so a lead still on offer after its turn holds nobody back.
    let after: DuePosition | undefined;
    do {
      const page = await deps.leads.listExpiredOffers(event.time, { limit: batchSize, after });
      for (const lead of page.leads) {
        expired.push(lead.leadId);
        if (!isOpenOffer(lead)) continue;
        try {
          await applyFallback(deps, lead, now);
        } catch (error) {
          // One offer whose fallback cannot be written must not leave the others after it on offer for good.
          logger.error('An expired offer could not fall back; it stays on offer for the next run, and this run fails once the others are done', { leadId: lead.leadId, error });
          failed.push({ leadId: lead.leadId, error });
        }
      }
      after = page.next;
    } while (after);
    if (failed.length > 0)
      throw new AggregateError(
        failed.map(({ error }) => error),
        `Expired offers did not fall back for ${failed.map(({ leadId }) => `lead ${leadId}`).join(', ')}: ${failed.map(({ error }) => (error instanceof Error ? error.message : String(error))).join('; ')}`,
      );
    return { expired };
  };
}

async function applyFallback(deps: Pick<Dependencies, 'config' | 'leads' | 'consents' | 'metrics' | 'newId'>, lead: Lead & { offer: LeadOffer }, now: Date): Promise<void> {
  const route = offerFallbackRoute(lead.offer);
  const pool = deps.config.pools.find((candidate) => candidate.id === route.poolId);
  if (!pool) {
    // Its fallback cannot run; the lead waits unassigned in the pool it was captured into, where managers see it and assign it.
    const poolId = routingPoolOf(lead);
    logger.error('An expired offer names a pool the configuration no longer has; the lead is left in the pool it was captured into', { leadId: lead.leadId, offerPoolId: route.poolId, poolId });
    const change = leaveInPool({ lead, route: { ...route, strategy: 'pool', poolId }, poolId, skipped: [], eventId: deps.newId(), now });
    await deps.leads.leaveInPool({ leadId: lead.leadId, closesOffer: true, ...change });
    return;
  }
  logger.info('Offer expired with nobody accepting; applying its fallback', { leadId: lead.leadId, routeId: route.id, fallback: route.strategy, expiresAt: lead.offer.expiresAt });
  await routeLead(deps, { lead: routedLeadFactsOf(lead), route, pool, now, closesOffer: true });
}

export const handler = loggedHandler(createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, consents: providers.consents, newId: providers.newId, metrics: providers.metrics })));

import type { Context } from 'aws-lambda';
import { isOpenOffer, leaveInPool, offerFallbackRoute, routedLeadFactsOf, routingPoolOf, type Lead, type LeadOffer } from '@leadflow/domain';
import type { ScheduledInvocation } from '@leadflow/manifest';
import { lambdaDependenciesOf, loggedHandler, logger, routeLead, type Dependencies, type DependencyResolver, type DuePosition, TimeBudget } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

const batchSize = 100;
/**
 * Time an offer's fallback needs before it starts: the turn counter and the reps' states (read at once), then
 * usually one conditional write (one more per rep found at capacity), each taking milliseconds, but one call the
 * database leaves silent fails only after the SDK's three attempts, about 8 s (1 s to connect, 2.5 s to answer).
 * Each write is conditional on the lead still unowned, so a fallback cut off is never half done; the reserve is
 * there so the run ends with its summary, naming the offers that failed, before its timeout.
 */
const offerReserveMs = 15_000;

/**
 * Offers nobody accepted in time, as of the schedule's `time`: reads only the open offers whose expiry
 * has passed (the sparse offer-expiry index) and applies each one's fallback — its strategy assigns the
 * lead, or it goes to the pool. The fallback's writes are conditional on the lead still having no owner,
 * so an accept racing the run wins or loses whole, and a second run finds nothing left. An offer whose
 * fallback cannot be written is logged and fails the run once the others are done, so its alarm fires.
 * A fallback starts only while the invocation's time left holds `offerReserveMs`; the run then reads no
 * further page, and the offers it did not reach stay open and expired, in the index, for the next minute's run.
 * A lead too full to take its fallback (`lead_full`) leaves the offer-expiry index, logged as an error naming it, so
 * the next runs do not read and refuse it every minute; it stays on offer, for someone to look at.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'consents' | 'metrics' | 'newId'>) {
  return async (event: ScheduledInvocation, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<{ expired: string[]; left?: number }> => {
    const deps = dependencies();
    const now = new Date(event.time);
    const expired: string[] = [];
    const budget = new TimeBudget(() => context.getRemainingTimeInMillis(), offerReserveMs);
    const failed: Array<{ leadId: string; error: unknown }> = [];
    // Each page starts after the last lead read, so a lead still on offer after its turn holds nobody back.
    let after: DuePosition | undefined;
    do {
      const page = await deps.leads.listExpiredOffers(event.time, { limit: batchSize, after });
      for (const lead of budget.startable(page.leads)) {
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
    } while (after && budget.hasTime());
    if (budget.outOfTime) logger.warn('Out of time: the expired offers still open fall back in the next run', { time: event.time, left: budget.left, morePagesUnread: after !== undefined });
    if (failed.length > 0)
      throw new AggregateError(
        failed.map(({ error }) => error),
        `Expired offers did not fall back for ${failed.map(({ leadId }) => `lead ${leadId}`).join(', ')}: ${failed.map(({ error }) => (error instanceof Error ? error.message : String(error))).join('; ')}`,
      );
    return budget.left > 0 ? { expired, left: budget.left } : { expired };
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
    if ((await deps.leads.leaveInPool({ leadId: lead.leadId, closesOffer: true, ...change })) === 'lead_full') await setAsideFull(deps, lead);
    return;
  }
  logger.info('Offer expired with nobody accepting; applying its fallback', { leadId: lead.leadId, routeId: route.id, fallback: route.strategy, expiresAt: lead.offer.expiresAt });
  if ((await routeLead(deps, { lead: routedLeadFactsOf(lead), route, pool, now, closesOffer: true })) === 'lead_full') await setAsideFull(deps, lead);
}

/** Takes a lead too full for its fallback out of the offer-expiry index (only while it is as read), so it is not read and refused every run. */
async function setAsideFull(deps: Pick<Dependencies, 'leads'>, lead: Lead): Promise<void> {
  const left = await deps.leads.leaveDueIndex(lead, 'offer_expiry');
  if (left === 'left') logger.error('The lead of an expired offer is too full to take its fallback: it stays on offer and leaves the offer-expiry index', { leadId: lead.leadId });
}

export const handler = loggedHandler(createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, consents: providers.consents, newId: providers.newId, metrics: providers.metrics })));

import { assignByRoundRobin, leadCapturedDetailSchema, pickRoundRobinOwner } from '@leadflow/domain';
import { eventHandler, lambdaDependencies, logger, operationalMetricNames, type DependencyResolver } from '@leadflow/platform';

/** On `lead.captured`: give the lead an owner by round robin over its pool, unless it already has one. */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'metrics' | 'now' | 'newId'>) {
  return eventHandler(leadCapturedDetailSchema, async (detail) => {
    const { config, leads, metrics, now, newId } = dependencies();
    const lead = await leads.getLead(detail.leadId);
    if (!lead) throw new Error(`Lead ${detail.leadId} announced by event ${detail.eventId} is not in the table`);
    if (lead.ownerId || lead.status !== 'new') return; // a redelivery, or a lead invalidated or erased since

    const pool = config.pools.find((candidate) => candidate.id === lead.poolId);
    if (!pool) throw new Error(`Lead ${lead.leadId} names pool "${lead.poolId}", which the configuration no longer has`);
    const owner = pickRoundRobinOwner(pool, config.reps, await leads.takeRoundRobinTurn(pool.id));
    if (!owner) {
      logger.warn('Pool has no active rep; the lead stays unassigned', { leadId: lead.leadId, poolId: pool.id });
      return;
    }
    const change = assignByRoundRobin({ lead, owner, eventId: newId(), now: now() });
    const outcome = await leads.assignOwner({ leadId: lead.leadId, ...change });
    if (outcome === 'assigned') metrics.count(operationalMetricNames.leadAssigned);
    logger.info('Lead assignment', { leadId: lead.leadId, ownerId: owner.id, outcome });
  });
}

export const handler = createHandler(lambdaDependencies);

import { leadAtItemLimitRefusal, mayWorkPools, planRelease, releaseBodySchema, toIssueList } from '@leadflow/domain';
import { badRequest, forbidden, httpHandler, personalDataResponse, lambdaDependenciesOf, principalFrom, refused, requestedLead, type DependencyResolver, leadIdFromPath, jsonObjectBody } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `POST /leads/{leadId}/release` `{"reason": "…"}`: the owner gives the lead back to its pool with one of
 * the pool's release reasons; the lead remembers them for the previous-owner cooldown.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now' | 'newId'>) {
  return httpHandler(async (event) => {
    const principal = principalFrom(event);
    if (!mayWorkPools(principal)) throw forbidden('Releasing leads is for reps, managers and admins');
    const { config, leads, now, newId } = dependencies();
    const leadId = leadIdFromPath(event);
    const lead = await requestedLead(leads, leadId, config.retention, now());
    const pool = config.pools.find((candidate) => candidate.id === lead.poolId);
    if (!pool) throw refused({ status: 409, rule: 'not_in_pool', message: `lead ${leadId} belongs to pool ${lead.poolId}, which the configuration no longer has` });
    const parsed = releaseBodySchema(pool).safeParse(jsonObjectBody(event));
    if (!parsed.success) throw badRequest('The release is invalid', toIssueList(parsed.error));
    const plan = planRelease({ lead, pool, repId: principal.id, reason: parsed.data.reason, now: now(), eventId: newId() });
    if ('refusal' in plan) throw refused(plan.refusal);
    const outcome = await leads.releaseLead(plan.release);
    if (outcome === 'lead_changed') throw refused({ status: 409, rule: 'not_held', message: `lead ${leadId} changed while it was being released; read it and try again` });
    if (outcome === 'lead_full') throw refused(leadAtItemLimitRefusal(leadId));
    return personalDataResponse(await leads.getLead(leadId));
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now, newId: providers.newId }));

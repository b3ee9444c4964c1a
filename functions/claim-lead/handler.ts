import { claimBodySchema, dailyLimitRefusal, holdingCapRefusal, leadAtItemLimitRefusal, mayWorkPools, planClaim, toIssueList } from '@leadflow/domain';
import { badRequest, forbidden, httpHandler, personalDataResponse, lambdaDependenciesOf, principalFrom, refused, requestedLead, type DependencyResolver, leadIdFromPath, jsonObjectBody } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `POST /leads/{leadId}/claim` (optional body `{"poolId": "…"}`): a pool member takes an unowned lead
 * from its pool. Every claim rule is checked again inside the one transaction that sets the owner, so
 * ten members claiming at once get one owner and nine `409`s naming the rule.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now' | 'newId'>) {
  return httpHandler(async (event) => {
    const principal = principalFrom(event);
    if (!mayWorkPools(principal)) throw forbidden('Claiming leads is for reps, managers and admins');
    const parsed = claimBodySchema.safeParse(jsonObjectBody(event, { optional: true }));
    if (!parsed.success) throw badRequest('The claim is invalid', toIssueList(parsed.error));
    const { config, leads, now, newId } = dependencies();
    if (parsed.data.poolId && !config.pools.some((pool) => pool.id === parsed.data.poolId)) throw badRequest('The claim is invalid', [{ path: 'poolId', message: 'is not a pool of the configuration' }]);
    const leadId = leadIdFromPath(event);
    const timeZone = config.organisation.timeZone;
    // A lost race shows as a changed lead: read it again, and the rules then name why (usually "already owned").
    for (let tries = 1; tries <= 3; tries += 1) {
      const lead = await requestedLead(leads, leadId, config.retention, now());
      if (parsed.data.poolId && parsed.data.poolId !== lead.poolId) throw refused({ status: 409, rule: 'not_in_pool', message: `lead ${leadId} is not in pool ${parsed.data.poolId}` });
      const pool = config.pools.find((candidate) => candidate.id === lead.poolId);
      const rep = config.reps.find((candidate) => candidate.id === principal.id);
      if (!pool || !rep) throw refused({ status: 403, rule: 'not_member', message: `${principal.id} is not a member of pool ${lead.poolId}` });
      const plan = planClaim({ lead, pool, rep, principal, timeZone, now: now(), eventId: newId() });
      if ('refusal' in plan) throw refused(plan.refusal);
      const outcome = await leads.claimLead(plan.claim);
      if (outcome === 'claimed') return personalDataResponse(await leads.getLead(leadId));
      if (outcome === 'daily_limit') throw refused(dailyLimitRefusal(pool.claim.dailyLimit, timeZone));
      if (outcome === 'holding_cap') throw refused(holdingCapRefusal(plan.claim.holdingCap));
      if (outcome === 'lead_full') throw refused(leadAtItemLimitRefusal(leadId));
    }
    throw refused({ status: 409, rule: 'already_owned', message: `lead ${leadId} kept changing while it was being claimed; read it and try again` });
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now, newId: providers.newId }));

import { canLookUpLeads, lookupAnswer, lookupsPerMinute, organisationCountry, readLookupQuery, retentionEnded } from '@leadflow/domain';
import { badRequest, forbidden, httpHandler, personalDataResponse, lambdaDependenciesOf, principalFrom, tooManyRequests, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `GET /leads/lookup?email=…` or `?phone=…[&country=…]`: the dedup check (查重). Says whether the
 * person already has a lead and who holds it, never the lead's contact details.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'rateLimiter' | 'now'>) {
  return httpHandler(
    async (event) => {
      const principal = principalFrom(event);
      if (!canLookUpLeads(principal)) throw forbidden('The dedup check is for reps, managers and admins');
      const { config, leads, rateLimiter, now } = dependencies();
      const query = readLookupQuery(event.queryStringParameters ?? {}, organisationCountry(config));
      if (!query.ok) throw badRequest('The dedup check needs exactly one valid email or phone', query.issues);
      // Per caller, so nobody can try out the masked digits of pool leads' phone numbers; a refused query looks nothing up and is not counted.
      const limit = await rateLimiter.hit(`lookup:principal:${principal.id}`, lookupsPerMinute, now());
      if (!limit.allowed) throw tooManyRequests(limit.retryAfterSeconds);
      const leadId = await leads.findLeadIdByPersonKey(query.key);
      const lead = leadId ? await leads.getLead(leadId) : undefined;
      // A lead past its retention is as good as deleted: the person's next submission makes a new lead.
      const held = lead && !retentionEnded(lead, config.retention, now().toISOString()) ? lead : undefined;
      return personalDataResponse(lookupAnswer(principal, held, config.reps));
    },
    { query: 'read' },
  );
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, rateLimiter: providers.rateLimiter, now: providers.now }));

import { canViewLead } from '@leadflow/domain';
import { forbidden, httpHandler, personalDataResponse, lambdaDependenciesOf, principalFrom, requestedLead, type DependencyResolver, leadIdFromPath } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** `GET /leads/{leadId}`: the lead, for its owner, managers and admins. */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now'>) {
  return httpHandler(async (event) => {
    const principal = principalFrom(event);
    const leadId = leadIdFromPath(event);
    const { config, leads, now } = dependencies();
    const lead = await requestedLead(leads, leadId, config.retention, now());
    if (!canViewLead(principal, lead)) throw forbidden(`Lead "${leadId}" belongs to another rep`);
    return personalDataResponse(lead);
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now }));

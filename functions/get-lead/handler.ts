import { canViewLead } from '@leadflow/domain';
import { forbidden, httpHandler, personalDataResponse, lambdaDependenciesOf, notFound, principalFrom, type DependencyResolver, leadIdFromPath } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** `GET /leads/{leadId}`: the lead, for its owner, managers and admins. */
export function createHandler(dependencies: DependencyResolver<'leads'>) {
  return httpHandler(async (event) => {
    const principal = principalFrom(event);
    const leadId = leadIdFromPath(event);
    const lead = await dependencies().leads.getLead(leadId);
    if (!lead) throw notFound(`Lead "${leadId}" does not exist`);
    if (!canViewLead(principal, lead)) throw forbidden(`Lead "${leadId}" belongs to another rep`);
    return personalDataResponse(lead);
  });
}

export const handler = createHandler(lambdaDependenciesOf({ leads: providers.leads }));

import { canHandleDataSubjectRequests, erasePersonFromLead } from '@leadflow/domain';
import { forbidden, httpHandler, jsonResponse, lambdaDependenciesOf, notFound, principalFrom, type DependencyResolver, leadIdFromPath } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `DELETE /leads/{leadId}`: erases the person from the lead (and everything the lead store keeps about
 * them) at their request, for admins. The lead stays, invalid and holding nothing personal, so counts
 * and reports stay right; asking again changes nothing (`alreadyErased`).
 */
export function createHandler(dependencies: DependencyResolver<'leads' | 'now' | 'newId'>) {
  return httpHandler(async (event) => {
    const principal = principalFrom(event);
    if (!canHandleDataSubjectRequests(principal)) throw forbidden('Erasing a person is for admins');
    const leadId = leadIdFromPath(event);
    const { leads, now, newId } = dependencies();
    const at = now().toISOString();
    const result = await leads.erasePerson({ leadId, erase: (lead) => erasePersonFromLead(lead, { at, eventId: newId(), by: `admin:${principal.id}` }) });
    if (!result) throw notFound(`Lead "${leadId}" does not exist`);
    return jsonResponse(200, { leadId, status: 'erased', alreadyErased: !result.erased });
  });
}

export const handler = createHandler(lambdaDependenciesOf({ leads: providers.leads, newId: providers.newId, now: providers.now }));

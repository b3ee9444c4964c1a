import { canHandleDataSubjectRequests, erasePersonFromLead } from '@leadflow/domain';
import { forbidden, httpHandler, jsonResponse, lambdaDependenciesOf, notFound, principalFrom, quotedPathId, type DependencyResolver, leadIdFromPath } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `DELETE /leads/{leadId}`: erases the person from the lead (and everything the lead store keeps about
 * them) at their request, for admins, then the raw payloads of the platform deliveries that touched the
 * lead. The lead stays, invalid and holding nothing personal, so counts and reports stay right; asking again
 * changes nothing (`alreadyErased`) but finishes what an interrupted erasure left.
 */
export function createHandler(dependencies: DependencyResolver<'erasures' | 'intakes' | 'now' | 'newId'>) {
  return httpHandler(async (event) => {
    const principal = principalFrom(event);
    if (!canHandleDataSubjectRequests(principal)) throw forbidden('Erasing a person is for admins');
    const leadId = leadIdFromPath(event);
    const { erasures, intakes, now, newId } = dependencies();
    const at = now().toISOString();
    const result = await erasures.erasePerson({ leadId, erase: (lead) => erasePersonFromLead(lead, { at, eventId: newId(), by: `admin:${principal.id}` }) });
    if (!result) throw notFound(`Lead ${quotedPathId(leadId)} does not exist`);
    await intakes.eraseRawDeliveriesOfLead({ leadId });
    return jsonResponse(200, { leadId, status: 'erased', alreadyErased: !result.erased });
  });
}

export const handler = createHandler(lambdaDependenciesOf({ erasures: providers.erasures, intakes: providers.intakes, newId: providers.newId, now: providers.now }));

import { availabilityChangeSchema, canSetAvailability, toIssueList } from '@leadflow/domain';
import { badRequest, forbidden, httpHandler, jsonResponse, lambdaDependenciesOf, notFound, quotedPathId, principalFrom, type DependencyResolver, jsonObjectBody } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `PUT /reps/{repId}/availability` `{"outOfOffice": true, "until": "…"}`: marks a rep out of office
 * (skipped by routing until `until`, or until switched off) or back. For the rep themself or a manager.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now'>) {
  return httpHandler(async (event) => {
    const principal = principalFrom(event);
    const repId = event.pathParameters?.repId ?? '';
    if (!canSetAvailability(principal, repId)) throw forbidden('Only the rep themself, a manager or an admin may change their availability');
    const { config, leads, now } = dependencies();
    if (!config.reps.some((rep) => rep.id === repId)) throw notFound(`Rep ${quotedPathId(repId)} does not exist`);
    const parsed = availabilityChangeSchema.safeParse(jsonObjectBody(event));
    if (!parsed.success) throw badRequest('The availability is invalid', toIssueList(parsed.error));
    const at = now();
    const until = parsed.data.until && new Date(parsed.data.until);
    if (until && until.getTime() <= at.getTime()) throw badRequest('The availability is invalid', [{ path: 'until', message: 'must be in the future' }]);
    const record = { repId, outOfOffice: parsed.data.outOfOffice, ...(until && parsed.data.outOfOffice ? { until: until.toISOString() } : {}), setBy: principal.id, setAt: at.toISOString() };
    await leads.setOutOfOffice(record);
    return jsonResponse(200, record);
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now }));

import { conversionBodySchema, planConversion } from '@leadflow/domain';
import { lambdaDependenciesOf, leadTransitionHandler, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** `POST /leads/{leadId}/convert` `{"revenue", "currency", "wonAt", "dealId"?}`: a qualified lead was won; its revenue counts for ROI. */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now' | 'newId'>) {
  return leadTransitionHandler(dependencies, {
    doing: 'converted',
    body: ({ now }) => conversionBodySchema(now),
    plan: ({ lead, principal, body, now, eventId }) => planConversion({ lead, principal, conversion: body, now, eventId }),
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now, newId: providers.newId }));

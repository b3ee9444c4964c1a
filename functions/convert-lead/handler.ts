import { conversionBodySchema, planConversion, unvaluedSaleIssue } from '@leadflow/domain';
import { badRequest, lambdaDependenciesOf, leadTransitionHandler, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `POST /leads/{leadId}/convert` `{"revenue", "currency", "wonAt", "dealId"?}`: a qualified lead was won; its revenue counts for ROI,
 * so a currency ROI cannot value on the day it was won (no configured rate) is refused, as `POST /spend` refuses it.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now' | 'newId'>) {
  return leadTransitionHandler(dependencies, {
    doing: 'converted',
    body: ({ now }) => conversionBodySchema(now),
    plan: ({ lead, principal, body, config, now, eventId }) => {
      const plan = planConversion({ lead, principal, conversion: body, now, eventId });
      // Only a conversion the caller may write is valued: a refusal (another rep's lead) comes first.
      const issue = 'transition' in plan ? unvaluedSaleIssue(body, config) : undefined;
      if (issue) throw badRequest('The request is invalid', [issue]);
      return plan;
    },
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now, newId: providers.newId }));

import { conversionCorrectionBodySchema, correctionAnswer, mayCorrectConversions, planConversionCorrection } from '@leadflow/domain';
import { lambdaDependenciesOf, leadTransitionHandler, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `POST /leads/{leadId}/conversion/corrections` `{"revenue", "currency", "wonAt"?, "dealId"?, "reason"}`: a
 * converted lead's sale corrected (a typo, a refund, a re-priced deal), so channel ROI restates it.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now' | 'newId'>) {
  return leadTransitionHandler(dependencies, {
    doing: 'corrected',
    callers: { may: mayCorrectConversions, refusal: "Correcting conversions is for finance, managers, admins and the lead's owner" },
    body: ({ now }) => conversionCorrectionBodySchema(now),
    plan: ({ lead, principal, body, now, eventId }) => planConversionCorrection({ lead, principal, correction: body, now, eventId }),
    decidedOn: (lead) => lead.conversion,
    answer: correctionAnswer,
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now, newId: providers.newId }));

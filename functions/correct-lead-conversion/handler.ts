import { conversionCorrectionBodySchema, correctionAnswer, mayCorrectConversions, planConversionCorrection, unvaluedSaleIssue } from '@leadflow/domain';
import { badRequest, lambdaDependenciesOf, leadTransitionHandler, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `POST /leads/{leadId}/conversion/corrections` `{"revenue", "currency", "wonAt"?, "dealId"?, "reason"}`: a
 * converted lead's sale corrected (a typo, a refund, a re-priced deal), so channel ROI restates it. A currency ROI
 * cannot value on the day the corrected sale was won (the conversion's day when `wonAt` is left out) is refused.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now' | 'newId'>) {
  return leadTransitionHandler(dependencies, {
    doing: 'corrected',
    callers: { may: mayCorrectConversions, refusal: "Correcting conversions is for finance, managers, admins and the lead's owner" },
    body: ({ now }) => conversionCorrectionBodySchema(now),
    plan: ({ lead, principal, body, config, now, eventId }) => {
      const wonAt = body.wonAt ?? lead.conversion?.wonAt;
      // Without a conversion there is nothing to correct: the plan refuses that.
      const issue = wonAt === undefined ? undefined : unvaluedSaleIssue({ currency: body.currency, wonAt }, config);
      if (issue) throw badRequest('The request is invalid', [issue]);
      return planConversionCorrection({ lead, principal, correction: body, now, eventId });
    },
    decidedOn: (lead) => lead.conversion,
    answer: correctionAnswer,
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now, newId: providers.newId }));

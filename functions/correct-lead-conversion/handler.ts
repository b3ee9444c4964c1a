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
      const plan = planConversionCorrection({ lead, principal, correction: body, now, eventId });
      // Only a correction the caller may write is valued, as the conversion would hold it: a refusal comes first, as
      // the day a 400 names may be the conversion's own, which another rep may not learn.
      const corrected = 'transition' in plan ? plan.transition.after.conversion : undefined;
      const issue = corrected && unvaluedSaleIssue(corrected, config);
      if (issue) throw badRequest('The request is invalid', [issue]);
      return plan;
    },
    decidedOn: (lead) => lead.conversion,
    answer: correctionAnswer,
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now, newId: providers.newId }));

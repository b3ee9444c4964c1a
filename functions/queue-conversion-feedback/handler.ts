import '@leadflow/domain/zod-locale';
import * as z from 'zod/mini';
import { leadCapturedDetailSchema, leadConvertedDetailSchema, leadStatusChangedDetailSchema, type FeedbackStage } from '@leadflow/domain';
import { type DependencyResolver, lambdaDependenciesOf, queueConversionFeedback, ruleInputHandler } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

const outcomeEventSchema = z.discriminatedUnion('detail-type', [
  z.object({ 'detail-type': z.literal('lead.captured'), detail: leadCapturedDetailSchema }),
  z.object({ 'detail-type': z.literal('lead.status_changed'), detail: leadStatusChangedDetailSchema }),
  z.object({ 'detail-type': z.literal('lead.converted'), detail: leadConvertedDetailSchema }),
]);

/**
 * On a new lead (Meta's first CRM stage), a lead qualified or a lead converted: queue the stage for each
 * enabled ad platform the lead came from (`send-conversion-feedback` delivers it in batches). Idempotent
 * by lead and stage.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'feedback'>) {
  return ruleInputHandler(outcomeEventSchema, async (event) => {
    const reached = reachedStage(event);
    if (reached) await queueConversionFeedback({ leadId: event.detail.leadId, ...reached }, dependencies());
  });
}

/**
 * The stage the event says the lead reached, and when: the stage change, as Meta asks (a sale's `convertedAt`, not
 * the `wonAt` a rep may date back, which can come before the lead or past Meta's 7 days, so it would never be
 * taken); none for a lead captured invalid, quarantined or as a test, or a status other than qualified.
 */
function reachedStage(event: z.infer<typeof outcomeEventSchema>): { stage: FeedbackStage; occurredAt: string } | undefined {
  switch (event['detail-type']) {
    case 'lead.captured':
      return event.detail.status === 'new' && !event.detail.isTest ? { stage: 'lead', occurredAt: event.detail.capturedAt } : undefined;
    case 'lead.status_changed':
      return event.detail.to === 'qualified' ? { stage: 'qualified', occurredAt: event.detail.changedAt } : undefined;
    case 'lead.converted':
      return { stage: 'converted', occurredAt: event.detail.convertedAt };
  }
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, feedback: providers.feedback }));

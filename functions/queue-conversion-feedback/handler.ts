import middy from '@middy/core';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { z } from 'zod';
import { leadConvertedDetailSchema, leadStatusChangedDetailSchema } from '@leadflow/domain';
import { lambdaDependencies, queueConversionFeedback, type DependencyResolver } from '@leadflow/platform';

const outcomeEventSchema = z.discriminatedUnion('detail-type', [
  z.object({ 'detail-type': z.literal('lead.status_changed'), detail: leadStatusChangedDetailSchema }),
  z.object({ 'detail-type': z.literal('lead.converted'), detail: leadConvertedDetailSchema }),
]);
type OutcomeEvent = z.infer<typeof outcomeEventSchema>;

/**
 * On a lead qualified or converted: queue the stage for each enabled ad platform the lead came from
 * (`send-conversion-feedback` delivers it in batches). Idempotent by lead and stage.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'feedback'>) {
  return middy()
    .use(parser({ schema: outcomeEventSchema }))
    .handler(async (input: unknown) => {
      const event = input as OutcomeEvent;
      if (event['detail-type'] === 'lead.status_changed' && event.detail.to !== 'qualified') return;
      const occurredAt = event['detail-type'] === 'lead.converted' ? event.detail.wonAt : event.detail.changedAt;
      await queueConversionFeedback({ leadId: event.detail.leadId, stage: event['detail-type'] === 'lead.converted' ? 'converted' : 'qualified', occurredAt }, dependencies());
    });
}

export const handler = createHandler(lambdaDependencies);

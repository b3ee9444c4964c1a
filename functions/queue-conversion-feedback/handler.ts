import * as z from 'zod/mini';
import { leadConvertedDetailSchema, leadStatusChangedDetailSchema } from '@leadflow/domain';
import { type DependencyResolver, lambdaDependenciesOf, queueConversionFeedback, ruleInputHandler } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

const outcomeEventSchema = z.discriminatedUnion('detail-type', [
  z.object({ 'detail-type': z.literal('lead.status_changed'), detail: leadStatusChangedDetailSchema }),
  z.object({ 'detail-type': z.literal('lead.converted'), detail: leadConvertedDetailSchema }),
]);

/**
 * On a lead qualified or converted: queue the stage for each enabled ad platform the lead came from
 * (`send-conversion-feedback` delivers it in batches). Idempotent by lead and stage.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'feedback'>) {
  return ruleInputHandler(outcomeEventSchema, async (event) => {
    if (event['detail-type'] === 'lead.status_changed' && event.detail.to !== 'qualified') return;
    const occurredAt = event['detail-type'] === 'lead.converted' ? event.detail.wonAt : event.detail.changedAt;
    await queueConversionFeedback({ leadId: event.detail.leadId, stage: event['detail-type'] === 'lead.converted' ? 'converted' : 'qualified', occurredAt }, dependencies());
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, feedback: providers.feedback }));

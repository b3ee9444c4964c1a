import '@leadflow/domain/zod-locale';
import * as z from 'zod/mini';
import {
  leadActivityLoggedDetailSchema,
  leadCapturedDetailSchema,
  leadConversionCorrectedDetailSchema,
  leadConvertedDetailSchema,
  leadSlaBreachedDetailSchema,
  leadStatusChangedDetailSchema,
  leadTouchedDetailSchema,
} from '@leadflow/domain';
import { type DependencyResolver, lambdaDependenciesOf, recordLeadRoiEvent, ruleInputHandler } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** The events this handler takes, each validated against its contract; anything else fails to the dead-letter queue. */
const channelRoiEventSchema = z.discriminatedUnion('detail-type', [
  z.object({ 'detail-type': z.literal('lead.captured'), detail: leadCapturedDetailSchema }),
  z.object({ 'detail-type': z.literal('lead.touched'), detail: leadTouchedDetailSchema }),
  z.object({ 'detail-type': z.literal('lead.status_changed'), detail: leadStatusChangedDetailSchema }),
  z.object({ 'detail-type': z.literal('lead.converted'), detail: leadConvertedDetailSchema }),
  z.object({ 'detail-type': z.literal('lead.conversion_corrected'), detail: leadConversionCorrectedDetailSchema }),
  z.object({ 'detail-type': z.literal('lead.activity_logged'), detail: leadActivityLoggedDetailSchema }),
  z.object({ 'detail-type': z.literal('lead.sla_breached'), detail: leadSlaBreachedDetailSchema }),
]);

/**
 * On every lead event that changes its channel ROI: rewrite the lead's facts under its capture day
 * from the lead as stored (one read), and mark that day for the nightly rollup to restate.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'roi' | 'now'>) {
  return ruleInputHandler(channelRoiEventSchema, async (event) => {
    const firstContactAt = event['detail-type'] === 'lead.activity_logged' && event.detail.firstContact ? event.detail.loggedAt : undefined;
    await recordLeadRoiEvent({ type: event['detail-type'], eventId: event.detail.eventId, leadId: event.detail.leadId, firstContactAt }, dependencies());
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, roi: providers.roi, now: providers.now }));

import * as z from 'zod/mini';
import { followUpRulesFor, nextFollowUpCheck } from '@leadflow/domain';
import { eventHandler, lambdaDependenciesOf, logger, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** Every lifecycle event names its lead; the lead itself is read, as it is now. */
const leadChangeSchema = z.looseObject({ eventId: z.string(), leadId: z.string() });

/**
 * On any change of a lead's owner or progress: read the lead and put it in the follow-up due-time index
 * at the next time a rule must look at it (or take it out). The write is conditional on the lead as
 * read, so a stale event cannot overwrite a newer state; the newer change's own event sets it instead.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'followUps'>) {
  return eventHandler(leadChangeSchema, async (detail) => {
    const { config, leads, followUps } = dependencies();
    const lead = await leads.getLead(detail.leadId);
    if (!lead) return;
    const nextCheckAt = nextFollowUpCheck(lead, followUpRulesFor(config, lead));
    const outcome = await followUps.setNextCheck(lead, nextCheckAt);
    logger.debug('Follow-up due time', { leadId: lead.leadId, eventId: detail.eventId, nextCheckAt, outcome });
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, followUps: providers.followUps }));

import * as z from 'zod/mini';
import { followUpRulesFor, nextFollowUpCheck } from '@leadflow/domain';
import { eventHandler, lambdaDependenciesOf, logger, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** Every lifecycle event names its lead; the lead itself is read, as it is now. */
const leadChangeSchema = z.looseObject({ eventId: z.string(), leadId: z.string() });

/** A lead changed between reading and writing is read again, this many times; then the event's retries try later. */
const attempts = 3;

/**
 * On any change of a lead's owner or progress: read the lead and put it in the follow-up due-time index
 * at the next time a rule must look at it (or take it out). The write is conditional on the lead as
 * read, so a stale event cannot overwrite a newer state; a lead changed meanwhile is read again, since
 * not every change (a tag, a one-tap accept) has an event this function hears.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'followUps'>) {
  return eventHandler(leadChangeSchema, async (detail) => {
    const { config, leads, followUps } = dependencies();
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const lead = await leads.getLead(detail.leadId);
      if (!lead) return;
      const nextCheckAt = nextFollowUpCheck(lead, followUpRulesFor(config, lead));
      const outcome = await followUps.setNextCheck(lead, nextCheckAt);
      logger.debug('Follow-up due time', { leadId: lead.leadId, eventId: detail.eventId, nextCheckAt, outcome, attempt });
      if (outcome === 'set') return;
    }
    throw new Error(`Lead ${detail.leadId} changed under each of ${attempts} attempts to file its follow-up due time`);
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, followUps: providers.followUps }));

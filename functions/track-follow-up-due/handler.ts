import '@leadflow/domain/zod-locale';
import * as z from 'zod/mini';
import { eventHandler, fileNextFollowUpCheck, followUpFileAttempts, lambdaDependenciesOf, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** Every lifecycle event names its lead; the lead itself is read, as it is now. */
const leadChangeSchema = z.looseObject({ eventId: z.string(), leadId: z.string() });

/**
 * On any change of a lead's owner or progress: read the lead and put it in the follow-up due-time index
 * at the next time a rule must look at it (or take it out). The write is conditional on the lead as
 * read, so a stale event cannot overwrite a newer state; a lead changed meanwhile is read again
 * (`fileNextFollowUpCheck`), and one that keeps changing fails the event for its retries.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'followUps'>) {
  return eventHandler(leadChangeSchema, async (detail) => {
    const deps = dependencies();
    const lead = await deps.leads.getLead(detail.leadId);
    if (!lead) return;
    if ((await fileNextFollowUpCheck(deps, lead)) === 'changing') throw new Error(`Lead ${detail.leadId} changed under each of ${followUpFileAttempts} attempts to file its follow-up due time`);
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, followUps: providers.followUps }));

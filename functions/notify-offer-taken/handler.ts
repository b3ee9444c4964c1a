import { leadAssignedDetailSchema } from '@leadflow/domain';
import { eventHandler, lambdaDependenciesOf, logger, notifyOfferAccepted, notifyOfferTaken, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * On `lead.assigned` by an accepted offer: emails the rep who accepted it the lead's details (the offer
 * showed them masked), and tells the other reps of the offer that it is taken, each email once (the send
 * ledger's claim), so they need not open it.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'mailer' | 'sends' | 'secrets' | 'publicBaseUrl' | 'now'>) {
  return eventHandler(leadAssignedDetailSchema, async (detail) => {
    const deps = dependencies();
    const lead = await deps.leads.getLead(detail.leadId);
    if (!lead?.offer) throw new Error(`Lead ${detail.leadId} was assigned by an offer it does not record`);
    const owner = deps.config.reps.find((candidate) => candidate.id === detail.ownerId);
    if (owner) logger.info('Rep who accepted the offer sent its details', { leadId: lead.leadId, repId: owner.id, outcome: await notifyOfferAccepted(deps, { lead, rep: owner }) });
    for (const repId of lead.offer.repIds.filter((id) => id !== detail.ownerId)) {
      const rep = deps.config.reps.find((candidate) => candidate.id === repId);
      if (!rep) continue; // a rep gone from the configuration has nobody to tell
      const outcome = await notifyOfferTaken(deps, { lead, rep });
      logger.info('Offered rep told the lead is taken', { leadId: lead.leadId, repId, outcome });
    }
  });
}

export const handler = createHandler(
  lambdaDependenciesOf({ config: providers.config, leads: providers.leads, sends: providers.sends, mailer: providers.mailer, secrets: providers.secrets, publicBaseUrl: providers.publicBaseUrl, now: providers.now }),
);

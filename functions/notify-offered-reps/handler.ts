import { leadOfferedDetailSchema, offerNotificationReason } from '@leadflow/domain';
import { eventHandler, lambdaDependenciesOf, logger, notifyRep, operationalMetricNames, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * On `lead.offered`: tells every rep of the offer at once, on the channels the configuration and their
 * preferences pick, each message with an accept link that expires with the offer. Each message is claimed
 * in the send ledger first, so a redelivery or a retry after one rep's failure tells no rep twice.
 * Speed to lead is measured once, when the messages of the first rep offered it go out (each goes out once).
 * A rep gone from the configuration is a failure like a send that failed: the others are still told, and
 * the invocation fails at the end, naming them.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'mailer' | 'sms' | 'sends' | 'secrets' | 'publicBaseUrl' | 'metrics' | 'now'>) {
  return eventHandler(leadOfferedDetailSchema, async (detail) => {
    const deps = dependencies();
    const failures: Error[] = [];
    for (const repId of detail.repIds) {
      const rep = deps.config.reps.find((candidate) => candidate.id === repId);
      // Thrown here, it would leave the reps after them untold, on every retry too.
      if (!rep) {
        logger.error('Offered rep is not in the configuration', { leadId: detail.leadId, repId });
        failures.push(new Error(`Lead ${detail.leadId} was offered to rep "${repId}", who is not in the configuration`));
        continue;
      }
      try {
        const { lead, outcomes } = await notifyRep(deps, { leadId: detail.leadId, rep, reason: offerNotificationReason(detail) });
        logger.info('Offered rep notified', { leadId: detail.leadId, repId, outcomes });
        if (repId !== detail.repIds[0] || !outcomes.some((outcome) => outcome.outcome === 'sent')) continue;
        deps.metrics.measure(operationalMetricNames.speedToLead, deps.now().getTime() - Date.parse(lead.capturedAt), { channel: lead.channel, ...(lead.score ? { grade: lead.score.grade } : {}) });
      } catch (error) {
        failures.push(error as Error);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, `Telling the reps of lead ${detail.leadId}'s offer failed: ${failures.map((failure) => failure.message).join('; ')}`);
  });
}

export const handler = createHandler(
  lambdaDependenciesOf({
    config: providers.config,
    sends: providers.sends,
    mailer: providers.mailer,
    publicBaseUrl: providers.publicBaseUrl,
    metrics: providers.metrics,
    secrets: providers.secrets,
    sms: providers.sms,
    now: providers.now,
  }),
);

import { leadAssignedDetailSchema } from '@leadflow/domain';
import { eventHandler, lambdaDependenciesOf, logger, notifyRep, operationalMetricNames, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * On `lead.assigned`: tell the new owner on the channels the configuration and their preferences pick
 * (hot → SMS and email by default), each message claimed before it is sent, so redeliveries, retries
 * and racing notifiers send it once. Speed to lead (capture to the first message) is measured once per
 * lead notified to its first owner, by the lead's channel and grade. Each owner is told once per lead:
 * a transfer or a recycle to another rep is news to them, and a transfer is not counted as speed to lead.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'mailer' | 'sms' | 'sends' | 'secrets' | 'publicBaseUrl' | 'metrics' | 'now'>) {
  return eventHandler(leadAssignedDetailSchema, async (detail) => {
    const deps = dependencies();
    const rep = deps.config.reps.find((candidate) => candidate.id === detail.ownerId);
    if (!rep) throw new Error(`Lead ${detail.leadId} was assigned to rep "${detail.ownerId}", who is not in the configuration`);
    const { lead, outcomes } = await notifyRep(deps, { leadId: detail.leadId, rep, reason: 'assigned' });
    logger.info('Rep notified', { leadId: lead.leadId, repId: rep.id, outcomes });
    if (!outcomes.some((outcome) => outcome.outcome === 'sent')) return;
    const grade: Record<string, string> = lead.score ? { grade: lead.score.grade } : {};
    // A transfer to a second owner is no response to the lead: counting it would stretch speed to lead by the first owner's days.
    if (!detail.previousOwnerId) deps.metrics.measure(operationalMetricNames.speedToLead, deps.now().getTime() - Date.parse(lead.capturedAt), { channel: lead.channel, ...grade });
    deps.metrics.count(operationalMetricNames.repNotified, { channel: lead.channel });
  });
}

export const handler = createHandler(
  lambdaDependenciesOf({
    config: providers.config,
    mailer: providers.mailer,
    sms: providers.sms,
    sends: providers.sends,
    secrets: providers.secrets,
    publicBaseUrl: providers.publicBaseUrl,
    metrics: providers.metrics,
    now: providers.now,
  }),
);

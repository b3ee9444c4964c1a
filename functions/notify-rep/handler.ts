import { leadAssignedDetailSchema, newLeadEmail } from '@leadflow/domain';
import { eventHandler, lambdaDependencies, logger, operationalMetricNames, type DependencyResolver } from '@leadflow/platform';

/**
 * On `lead.assigned`: email the new owner. The log of sent notifications makes redeliveries harmless;
 * a crash between sending and logging can still send twice, which beats never sending. The log entry
 * and the lead are read together, in one request. Speed to lead (capture to notification) is measured
 * once per lead notified to its first owner, by the lead's channel; a transfer notifies without measuring.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'mailer' | 'notifications' | 'metrics' | 'now'>) {
  return eventHandler(leadAssignedDetailSchema, async (detail) => {
    const { config, mailer, notifications, metrics, now } = dependencies();
    const notificationId = `lead-assigned-email:${detail.eventId}`;
    const rep = config.reps.find((candidate) => candidate.id === detail.ownerId);
    if (!rep) throw new Error(`Lead ${detail.leadId} was assigned to rep "${detail.ownerId}", who is not in the configuration`);
    const before = await notifications.readBeforeSending(notificationId, detail.leadId);
    if (before.sent) return;
    const { lead } = before;
    if (!lead) throw new Error(`Lead ${detail.leadId} announced by event ${detail.eventId} is not in the table`);

    await mailer.send({ ...newLeadEmail(rep, lead), from: config.organisation.notificationSender, tags: { leadId: lead.leadId, repId: rep.id } });
    const notifiedAt = now();
    await notifications.recordSent(notificationId, lead.leadId, notifiedAt.toISOString());
    // By grade too: an A lead waiting is worse news than a D lead waiting. Leads stored before scoring have none.
    const grade: Record<string, string> = lead.score ? { grade: lead.score.grade } : {};
    // A transfer to a second owner is no response to the lead: counting it would stretch speed to lead by the first owner's days.
    if (!detail.previousOwnerId) metrics.measure(operationalMetricNames.speedToLead, notifiedAt.getTime() - Date.parse(lead.capturedAt), { channel: lead.channel, ...grade });
    metrics.count(operationalMetricNames.repNotified, { channel: lead.channel });
    logger.info('Rep notified', { leadId: lead.leadId, repId: rep.id, channel: 'email' });
  });
}

export const handler = createHandler(lambdaDependencies);

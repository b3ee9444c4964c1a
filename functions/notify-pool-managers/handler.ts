import { leadPooledDetailSchema, noLongerWaiting, unattendedLeadEmail } from '@leadflow/domain';
import { eventHandler, lambdaDependenciesOf, logger, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * On `lead.pooled` with nobody available: email the managers of the pool's team, once per manager, while the
 * lead still waits unowned in the pool (`noLongerWaiting`). Each email is claimed in the notification log
 * before it is sent (as notify-follow-ups does): a delivery that finds it claimed by another fails for a
 * retry, and a failed send gives the claim back.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'mailer' | 'notifications' | 'now'>) {
  return eventHandler(leadPooledDetailSchema, async (detail) => {
    const { config, mailer, notifications, now } = dependencies();
    const pool = config.pools.find((candidate) => candidate.id === detail.poolId);
    if (!pool) throw new Error(`Lead ${detail.leadId} was left in pool "${detail.poolId}", which the configuration no longer has`);
    const team = config.teams.find((candidate) => candidate.id === pool.teamId);
    const managers = config.reps.filter((rep) => team?.managers.includes(rep.id));
    if (managers.length === 0) logger.warn('Pool team has no managers to tell about an unattended lead', { leadId: detail.leadId, poolId: pool.id });
    const failures: Error[] = [];
    for (const manager of managers) {
      const notificationId = `lead-pooled-email:${detail.eventId}:${manager.id}`;
      // The log entry and the lead in one request, as notify-rep reads them.
      const before = await notifications.readBeforeSending(notificationId, detail.leadId);
      if (before.sent) continue;
      const { lead } = before;
      if (!lead) throw new Error(`Lead ${detail.leadId} announced by event ${detail.eventId} is not in the table`);
      // A late delivery (a retry, the outbox sweep) must not ask for a lead claimed or assigned since; nothing is claimed, so a redelivery skips it again.
      const attended = noLongerWaiting(lead);
      if (attended) {
        logger.info('Pool manager not told: the lead no longer waits', { leadId: lead.leadId, managerId: manager.id, poolId: pool.id, reason: attended });
        continue;
      }
      if ((await notifications.claim(notificationId, lead.leadId, now().toISOString())) === 'already_claimed') {
        failures.push(new Error(`Notification ${notificationId} is claimed by another delivery`));
        continue;
      }
      try {
        await mailer.send({ ...unattendedLeadEmail(manager, lead, pool, lead.routing?.explanation ?? ''), from: config.organisation.notificationSender, tags: { leadId: lead.leadId, repId: manager.id } });
      } catch (error) {
        await notifications.releaseClaim(notificationId, lead.leadId);
        failures.push(error as Error);
        continue;
      }
      await notifications.recordSent(notificationId, lead.leadId, now().toISOString());
      logger.info('Pool manager notified', { leadId: lead.leadId, managerId: manager.id, poolId: pool.id });
    }
    if (failures.length > 0) throw new AggregateError(failures, `Telling the managers of pool ${pool.id} about lead ${detail.leadId} failed: ${failures.map((failure) => failure.message).join('; ')}`);
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, mailer: providers.mailer, notifications: providers.notifications, now: providers.now }));

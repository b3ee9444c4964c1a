import type { EventBridgeEvent } from 'aws-lambda';
import { followUpEmail, followUpRecipients, followUpRulesFor, leadEventDetailSchemas, staleFollowUpNotice, type FollowUpNotice } from '@leadflow/domain';
import { type DependencyResolver, lambdaDependenciesOf, loggedHandler, logger } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** The follow-up events someone is emailed about, by detail-type (the manifest's rule matches exactly these). */
export const followUpNoticeTypes = ['lead.reminded', 'lead.sla_breached', 'lead.recycle_warned', 'lead.recycled'] as const;

/**
 * On a reminder, a breach, a recycle warning or a recycle: email the owner or the pool's managers, once
 * per event and recipient. Each email is claimed in the notification log before it is sent, so a
 * redelivery or two deliveries at once send it once; a delivery that finds it claimed by another fails,
 * for a retry after that one has sent it (or died: its claim lapses). A failed send gives the claim back.
 * A reminder or a recycle warning that is no longer news when it arrives (`staleFollowUpNotice`) is not sent.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'mailer' | 'notifications' | 'now'>) {
  return async (event: EventBridgeEvent<string, unknown>): Promise<void> => {
    const { config, mailer, notifications, now } = dependencies();
    const notice = parseNotice(event);
    const failures: Error[] = [];
    for (const recipient of followUpRecipients(notice, config)) {
      const notificationId = `${notice.type}-email:${notice.detail.eventId}:${recipient.id}`;
      const before = await notifications.readBeforeSending(notificationId, notice.detail.leadId);
      if (before.sent) continue;
      if (!before.lead) throw new Error(`Lead ${notice.detail.leadId} announced by event ${notice.detail.eventId} is not in the table`);
      // Nothing is claimed for a notice no longer news: a redelivery finds the lead as far along, and skips it again.
      const stale = staleFollowUpNotice(notice, before.lead, followUpRulesFor(config, before.lead));
      if (stale) {
        logger.info('Follow-up notice not sent: no longer news', { leadId: notice.detail.leadId, type: notice.type, recipientId: recipient.id, reason: stale });
        continue;
      }
      if ((await notifications.claim(notificationId, notice.detail.leadId, now().toISOString())) === 'already_claimed') {
        failures.push(new Error(`Notification ${notificationId} is claimed by another delivery`));
        continue;
      }
      try {
        await mailer.send({ ...followUpEmail(notice, recipient, before.lead), from: config.organisation.notificationSender, tags: { leadId: notice.detail.leadId, repId: recipient.id } });
      } catch (error) {
        await notifications.releaseClaim(notificationId, notice.detail.leadId);
        failures.push(error as Error);
        continue;
      }
      await notifications.recordSent(notificationId, notice.detail.leadId, now().toISOString());
      logger.info('Follow-up notice sent', { leadId: notice.detail.leadId, type: notice.type, recipientId: recipient.id });
    }
    if (failures.length > 0) throw new AggregateError(failures, `Follow-up notice ${notice.detail.eventId} failed: ${failures.map((failure) => failure.message).join('; ')}`);
  };
}

/** Validates the detail against its type's contract; any other type is refused, so it ends in the dead-letter queue. */
function parseNotice(event: EventBridgeEvent<string, unknown>): FollowUpNotice {
  const type = event['detail-type'];
  if (!(followUpNoticeTypes as readonly string[]).includes(type)) throw new Error(`notify-follow-ups does not handle ${type}`);
  const noticeType = type as FollowUpNotice['type'];
  return { type: noticeType, detail: leadEventDetailSchemas[noticeType].parse(event.detail) } as FollowUpNotice;
}

export const handler = loggedHandler(createHandler(lambdaDependenciesOf({ config: providers.config, mailer: providers.mailer, notifications: providers.notifications, now: providers.now })));

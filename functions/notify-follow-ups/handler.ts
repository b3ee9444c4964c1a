import type { EventBridgeEvent } from 'aws-lambda';
import { followUpEmail, followUpRecipients, leadEventDetailSchemas, type FollowUpNotice } from '@leadflow/domain';
import { type DependencyResolver, lambdaDependenciesOf, loggedHandler, logger } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** The follow-up events someone is emailed about, by detail-type (the manifest's rule matches exactly these). */
export const followUpNoticeTypes = ['lead.reminded', 'lead.sla_breached', 'lead.recycle_warned', 'lead.recycled'] as const;

/**
 * On a reminder, a breach, a recycle warning or a recycle: email the owner or the pool's managers, once
 * per event and recipient (the notification log makes redeliveries harmless, as for notify-rep).
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'mailer' | 'notifications' | 'now'>) {
  return async (event: EventBridgeEvent<string, unknown>): Promise<void> => {
    const { config, mailer, notifications, now } = dependencies();
    const notice = parseNotice(event);
    for (const recipient of followUpRecipients(notice, config)) {
      const notificationId = `${notice.type}-email:${notice.detail.eventId}:${recipient.id}`;
      const before = await notifications.readBeforeSending(notificationId, notice.detail.leadId);
      if (before.sent) continue;
      if (!before.lead) throw new Error(`Lead ${notice.detail.leadId} announced by event ${notice.detail.eventId} is not in the table`);
      await mailer.send({ ...followUpEmail(notice, recipient, before.lead), from: config.organisation.notificationSender, tags: { leadId: notice.detail.leadId, repId: recipient.id } });
      await notifications.recordSent(notificationId, notice.detail.leadId, now().toISOString());
      logger.info('Follow-up notice sent', { leadId: notice.detail.leadId, type: notice.type, recipientId: recipient.id });
    }
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

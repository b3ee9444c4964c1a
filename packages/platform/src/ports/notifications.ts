import type { EmailMessage, Lead } from '@leadflow/domain';

export interface OutgoingEmail extends EmailMessage {
  from: string;
  /** Message tags (SES `EmailTags`), e.g. the lead id, so deliveries can be traced back to a lead. */
  tags: Record<string, string>;
}

export interface Mailer {
  send(message: OutgoingEmail): Promise<void>;
}

/** Remembers which notifications went out, so a redelivered event does not email the rep twice. */
export interface NotificationLog {
  /**
   * Whether the notification already went out and, if not, the lead as it is now (`undefined` if gone),
   * read together. The lead is read, not taken from the event, because it may have changed since (an
   * erased person must not be emailed) and event archives must not keep contact details.
   */
  readBeforeSending(notificationId: string, leadId: string): Promise<{ sent: true } | { sent: false; lead: Lead | undefined }>;
  recordSent(notificationId: string, leadId: string, sentAt: string): Promise<void>;
}

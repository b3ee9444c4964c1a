import type { EmailMessage } from '@leadflow/domain';

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
  wasSent(notificationId: string): Promise<boolean>;
  recordSent(notificationId: string, leadId: string, sentAt: string): Promise<void>;
}

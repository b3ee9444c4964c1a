import type { EmailMessage } from '@leadflow/domain';

export interface Mailer {
  send(message: EmailMessage & { from: string }): Promise<void>;
}

/** Remembers which notifications went out, so a redelivered event does not email the rep twice. */
export interface NotificationLog {
  wasSent(notificationId: string): Promise<boolean>;
  recordSent(notificationId: string, leadId: string, sentAt: string): Promise<void>;
}

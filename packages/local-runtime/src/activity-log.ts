import { DeadLetters } from './dead-letters';
import type { DeliveryOutcome } from './retrying-invoker';
import { SentMessageCounts } from './sent-message-counts';

export type { DeadLetter } from './dead-letters';

export interface BusEventRecord {
  id: string;
  time: string;
  eventBusName: string;
  source: string;
  detailType: string;
  detail: unknown;
  /** Each rule the event matched, with its target and how delivery went. */
  rules: Array<{ ruleName: string; target: string } & DeliveryOutcome>;
}

export interface NotificationRecord {
  channel: 'email' | 'sms';
  recipient: string;
  subject?: string;
  body: string;
  /** An email's HTML part and extra headers (`List-Unsubscribe`, …), as SendEmail carried them. */
  html?: string;
  headers?: Record<string, string>;
  leadId?: string;
  time: string;
  messageId: string;
}

export interface ScheduleRunRecord {
  scheduleName: string;
  target: string;
  time: string;
  trigger: 'clock' | 'manual';
  outcome: DeliveryOutcome;
  result?: unknown;
}

/**
 * What the local runtime has seen, bounded so a long session does not grow without limit; what
 * exhausted its retries, kept until redriven; and how many messages went out about each lead, never
 * dropped (both in the data directory, when there is one: `DeadLetters`, `SentMessageCounts`).
 */
export class ActivityLog {
  readonly events: BusEventRecord[] = [];
  readonly notifications: NotificationRecord[] = [];
  readonly scheduleRuns: ScheduleRunRecord[] = [];
  readonly deadLetters: DeadLetters;
  readonly sentCounts: SentMessageCounts;

  private readonly limit: number;

  constructor(options: { limit?: number; deadLetterFile?: string; sentCountFile?: string } = {}) {
    this.limit = options.limit ?? 1000;
    this.deadLetters = new DeadLetters(options.deadLetterFile);
    this.sentCounts = new SentMessageCounts(options.sentCountFile);
  }

  /** Keeps what exhausted its retries, with an id to show or redrive it by. */
  deadLetter(record: Parameters<DeadLetters['add']>[0]) {
    return this.deadLetters.add(record);
  }

  add<T>(list: T[], record: T): T {
    list.push(record);
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
    return record;
  }
}

import type { DeliveryOutcome } from './retrying-invoker';

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

export interface DeadLetter {
  /** Unique within a run; `POST /_local/dead-letters/{id}/redrive` names it. */
  id: string;
  at: string;
  origin: string;
  target: string;
  error: string;
  payload: unknown;
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

/** What the local runtime has seen, bounded so a long session does not grow without limit. */
export class ActivityLog {
  readonly events: BusEventRecord[] = [];
  readonly deadLetters: DeadLetter[] = [];
  readonly notifications: NotificationRecord[] = [];
  readonly scheduleRuns: ScheduleRunRecord[] = [];

  private deadLetterCount = 0;

  constructor(private readonly limit = 1000) {}

  /** Keeps what exhausted its retries, with an id to show or redrive it by. */
  deadLetter(record: Omit<DeadLetter, 'id'>): DeadLetter {
    this.deadLetterCount += 1;
    return this.add(this.deadLetters, { id: String(this.deadLetterCount), ...record });
  }

  add<T>(list: T[], record: T): T {
    list.push(record);
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
    return record;
  }
}

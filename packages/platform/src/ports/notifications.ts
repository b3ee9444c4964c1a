import type { EmailMessage, Lead, NotificationChannel } from '@leadflow/domain';

export interface OutgoingEmail extends EmailMessage {
  from: string;
  /** An HTML part beside the text one (nurture email). */
  html?: string;
  /** Extra message headers, e.g. `List-Unsubscribe` (SES v2 `Content.Simple.Headers`). */
  headers?: Record<string, string>;
  /** Message tags (SES `EmailTags`), e.g. the lead id, so deliveries can be traced back to a lead. */
  tags: Record<string, string>;
}

export interface Mailer {
  /** @throws MessageRefusedError (`not_sent`, `not_sendable` or `unknown`) */
  send(message: OutgoingEmail): Promise<SentMessage>;
}

/**
 * How long a notification claimed in the log is its claimant's: past it (event handlers time out after
 * 30 s) the claimant is taken for dead and another delivery may claim and send it.
 */
export const notificationClaimLeaseMs = 60_000;

/**
 * Remembers which notifications went out, so a redelivered event does not email the rep twice: each is
 * claimed before it is sent (so two deliveries at once send it once), then recorded as sent, or the
 * claim is given back when the send failed (so the retry sends it).
 */
export interface NotificationLog {
  /**
   * Whether the notification already went out and, if not, the lead as it is now (`undefined` if gone),
   * read together. The lead is read, not taken from the event, because it may have changed since (an
   * erased person must not be emailed) and event archives must not keep contact details. A claim not
   * yet recorded as sent is not `sent`.
   */
  readBeforeSending(notificationId: string, leadId: string): Promise<{ sent: true } | { sent: false; lead: Lead | undefined }>;
  /**
   * Claims the notification before it is sent: `already_claimed` when it was sent, or another delivery
   * claimed it less than `notificationClaimLeaseMs` before `claimedAt` (it may be sending it now).
   */
  claim(notificationId: string, leadId: string, claimedAt: string): Promise<'claimed' | 'already_claimed'>;
  recordSent(notificationId: string, leadId: string, sentAt: string): Promise<void>;
  /** The send failed: the claim is dropped so a retry may send (a notification recorded as sent stays). */
  releaseClaim(notificationId: string, leadId: string): Promise<void>;
  /** Every entry of a lead's log, claimed or sent, for a data-subject export. */
  entriesFor(leadId: string): Promise<NotificationLogEntry[]>;
}

/** A notification about a lead, as its log keeps it: claimed (`pending`) until recorded as sent. */
export interface NotificationLogEntry {
  notificationId: string;
  status: 'pending' | 'sent';
  claimedAt?: string;
  sentAt?: string;
}

/** What a provider answered for a message it accepted. */
export interface SentMessage {
  messageId: string;
}

export interface OutgoingSms {
  /** E.164. */
  to: string;
  body: string;
  /** Traced in the provider's delivery events (SendTextMessage `Context`). */
  context: { leadId: string; reason: string };
  originationIdentity?: string;
  configurationSetName?: string;
  /** US dollars, as SendTextMessage's `MaxPrice` takes them (`0.05000`). */
  maxPrice?: string;
  /** Seconds the provider may keep trying to deliver it. */
  timeToLiveSeconds: number;
}

/**
 * Why a provider refused a message. `not_sent`: it answered with an error that passes (throttled, a
 * server error), so nothing went out and a retry may send. `bad_number`: the number cannot take messages
 * (opted out, unverified, its country blocked); do not retry. `not_sendable`: it answered with a refusal
 * no retry gets past that is not the number's fault (monthly spend limit reached, account disabled,
 * price over the maximum, a request it will not take); do not retry. `unknown`: no answer (timeout,
 * connection lost), so it may have gone out.
 */
export class MessageRefusedError extends Error {
  /**
   * Whether the provider refused this message for something about it or its recipient (its content, the address,
   * the number), so sending it again never helps while other messages still go; false for a refusal of the account or
   * the sender (access denied, sending paused, a spend limit), which every message meets until it is fixed, and
   * whenever the adapter cannot tell.
   */
  readonly onlyThisMessage: boolean;

  constructor(
    readonly outcome: 'not_sent' | 'bad_number' | 'not_sendable' | 'unknown',
    message: string,
    options?: { cause?: unknown; onlyThisMessage?: boolean },
  ) {
    super(message, options);
    this.name = 'MessageRefusedError';
    this.onlyThisMessage = options?.onlyThisMessage ?? false;
  }
}

export interface SmsSender {
  /** @throws MessageRefusedError */
  send(message: OutgoingSms): Promise<SentMessage>;
}

/** One message to one rep about one lead: claimed before it is sent, so it goes out at most once. */
export interface SendKey {
  leadId: string;
  /** Who is told: each owner a lead has is told once (a transferred or recycled lead reaches its new owner). */
  repId: string;
  /** Why the rep is told, e.g. `assigned`. */
  reason: string;
  channel: NotificationChannel;
}

export interface SendRecord extends SendKey {
  /** `unconfirmed`: pending past the threshold and reported; never resent. */
  status: 'deferred' | 'pending' | 'sent' | 'unconfirmed';
  claimedAt: string;
  /** For a deferred SMS: when it may go out. */
  notBefore?: string;
  messageId?: string;
  sentAt?: string;
  segments?: number;
  costMicros?: number;
  /** The organisation's local day whose SMS budget the send was counted against. */
  budgetDay?: string;
}

/** The queues of sends still open: SMS held for quiet hours, and claims not yet confirmed. */
export type OpenSendQueue = 'deferred' | 'pending';

/** A place in an open-send queue, which orders its records by when they are due (`queuedAt`): where the next page starts. */
export interface OpenSendPosition {
  queuedAt: string;
  key: SendKey;
}

/** A page of an open-send queue, and where the next starts when this one is full. */
export interface OpenSendsPage {
  records: SendRecord[];
  next?: OpenSendPosition;
}

/** The SMS budget one send takes: counted against the organisation's and the rep's counters of one day. */
export interface SmsBudgetCharge {
  day: string;
  segments: number;
  costMicros: number;
  limits: { organisation: { count: number; micros: number }; perRep: { count: number; micros: number } };
}

/**
 * The send records of rep notifications (exactly-once per lead, rep, reason and channel), the daily SMS
 * budgets, the reps' failing phones and once-only alerts.
 */
export interface NotificationSendLedger {
  /** The lead, its send records for `reason` and the rep's phone number marked failing (if any), read together. */
  readForNotifying(leadId: string, repId: string, reason: string): Promise<{ lead: Lead | undefined; sends: Partial<Record<NotificationChannel, SendRecord>>; failingPhone: string | undefined }>;
  /** Claims an email (status `pending`) unless a record of the key exists. */
  claimEmail(key: SendKey, claimedAt: string): Promise<'claimed' | 'already_claimed'>;
  /**
   * Takes over an email claim left `pending` since `staleClaimedAt` (its notifier died), claiming it
   * again at `claimedAt`: `already_claimed` when the record changed meanwhile (sent, given back, or taken
   * over by another sweep). The claim stays `pending` until recorded as sent, so a failed resend is
   * found stale again once the lease of the new claim is over.
   */
  reclaimEmail(key: SendKey, staleClaimedAt: string, claimedAt: string): Promise<'claimed' | 'already_claimed'>;
  /**
   * Claims an SMS and takes its budget in one transaction: unless the key has a record (or only a
   * deferred one, when `fromDeferred`), and only while both daily counters stay within their limits.
   */
  claimSms(key: SendKey, claimedAt: string, charge: SmsBudgetCharge, fromDeferred?: boolean): Promise<'claimed' | 'already_claimed' | 'over_organisation_budget' | 'over_rep_budget'>;
  /** Records an SMS that waits for the end of the rep's quiet hours; nothing when a record exists. */
  defer(key: SendKey, claimedAt: string, notBefore: string): Promise<'deferred' | 'already_claimed'>;
  recordSent(key: SendKey, message: SentMessage, sentAt: string): Promise<void>;
  /** The provider refused: the claim is dropped (and its budget given back) so a retry may send. */
  releaseClaim(key: SendKey, charge?: SmsBudgetCharge): Promise<void>;
  /** Drops an SMS held for quiet hours that will not be sent, only while it is still held: `already_claimed` when another sweep took it meanwhile. */
  closeDeferred(key: SendKey): Promise<'closed' | 'already_claimed'>;
  /**
   * The provider refused an SMS claimed from a deferred record: the record is deferred again, due at
   * `dueAt`, and its budget given back, so a later sweep sends it (no event retries the sweep's send).
   */
  deferAgain(key: SendKey, charge: SmsBudgetCharge, dueAt: string): Promise<void>;
  /**
   * A page of one queue of open sends, oldest first, after `page.after`: `deferred`, the SMS held for quiet
   * hours due by `until`; `pending`, the sends claimed by `until` and never confirmed.
   */
  listOpenSends(queue: OpenSendQueue, until: string, page: { limit: number; after?: OpenSendPosition }): Promise<OpenSendsPage>;
  /** Marks the number failing; a rep whose configured number changes is texted again. */
  /** Takes a stale pending send out of the open queue as `unconfirmed`, once reported. */
  markUnconfirmed(key: SendKey, at: string): Promise<void>;
  markPhoneFailing(repId: string, phone: string, reason: string, at: string): Promise<void>;
  /** Every send record of a lead (to every rep, for every reason and channel), for a data-subject export. */
  sendsFor(leadId: string): Promise<SendRecord[]>;
  /** True the first time an alert id is seen (e.g. one budget alert per scope, day and manager), false after. */
  claimAlert(alertId: string, at: string): Promise<boolean>;
  /** The alert's email failed: the id is forgotten, so the next occasion sends it. */
  releaseAlert(alertId: string): Promise<void>;
}

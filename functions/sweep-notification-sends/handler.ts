import type { Context } from 'aws-lambda';
import type { ScheduledInvocation } from '@leadflow/manifest';
import {
  type DependencyResolver,
  LeadGoneError,
  lambdaDependenciesOf,
  loggedHandler,
  logger,
  type NotificationSendLedger,
  notifyRep,
  type OpenSendPosition,
  type OpenSendQueue,
  resendEmail,
  type SendKey,
  type SendOutcome,
  type SendRecord,
  TimeBudget,
  unannouncedOutcomes,
} from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * An email claim older than this belongs to an invocation that died between claiming and sending (event
 * handlers time out after 30 s): email is at-least-once, so the sweep takes the claim over and sends again.
 */
const emailClaimLeaseMs = 60_000;
/** Open sends read at a time: about what a run sends in its time when the providers answer at their usual pace. */
const openSendsPageSize = 50;
/**
 * Time a send needs before it starts: a held SMS is one `SendTextMessage` call (up to 3.5 s: 1 s to connect,
 * 2.5 s to answer; tried again only after a quick "not sent") and, refused for good, an email instead, which
 * like a stale email's resend is one SES call failing after the SDK's three attempts (about 8 s); each with a
 * few ledger reads and writes. A run killed between claiming an SMS and recording it would leave it pending,
 * reported as unconfirmed and never resent: the reserve covers the slow case whole, and the run ends with its
 * summary, naming what failed.
 */
const sendReserveMs = 20_000;

/**
 * Every minute: sends the SMS whose rep's quiet hours have ended; sends again the emails whose claim was
 * never confirmed within the lease; and reports SMS claimed but never confirmed (the process died between
 * claiming and recording, or the provider never answered). Those SMS are reported once and left alone:
 * resending could text the rep twice (SMS is at-most-once). An SMS the provider refused for now (nothing
 * sent) is deferred again for the next run; an email whose resend failed keeps its claim, found stale again
 * by a later run. A failure is the record's own: the run does the rest, then fails naming them. What is due,
 * stale or to report is decided as of the schedule's `time`; what the run claims and sends is stamped with
 * the wall clock, so a run that starts late (a retry of a failed run) holds its claims for the whole lease.
 * The queues are read a page at a time, held SMS first, and a send starts only while the invocation's time
 * left holds `sendReserveMs`: what the run did not reach stays in its queue, due, for the next minute's run.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'mailer' | 'sms' | 'sends' | 'secrets' | 'publicBaseUrl' | 'now'>) {
  return async (
    event: ScheduledInvocation,
    context: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<{ sent: SendOutcome[]; unconfirmed: Array<{ leadId: string; channel: string; claimedAt: string }>; left?: number }> => {
    const deps = dependencies();
    const now = new Date(event.time);
    const pendingBefore = new Date(now.getTime() - deps.config.notifications.pendingSendReportMinutes * 60_000).toISOString();
    const leaseEndedBefore = new Date(now.getTime() - emailClaimLeaseMs).toISOString();
    const budget = new TimeBudget(() => context.getRemainingTimeInMillis(), sendReserveMs);
    const sent: SendOutcome[] = [];
    const unconfirmed: Array<{ leadId: string; channel: string; claimedAt: string }> = [];
    const failures: Error[] = [];
    const sendDeferred = async (record: SendRecord) => {
      const rep = deps.config.reps.find((candidate) => candidate.id === record.repId);
      try {
        const outcomes = rep ? (await notifyRep(deps, { leadId: record.leadId, rep, reason: record.reason, deferredSms: true })).outcomes : [];
        // A rep gone from the configuration, or a lead that changed hands or closed meanwhile, closes the deferred SMS unsent (while it is still held).
        if (!rep || outcomes.some((outcome) => unannouncedOutcomes.has(outcome.outcome))) await deps.sends.closeDeferred(record);
        sent.push(...outcomes);
      } catch (error) {
        await closeIfLeadGone(deps, record, error, failures);
      }
    };
    const resendEmailOrReport = async (record: SendRecord) => {
      if (record.channel === 'sms') {
        logger.error('Notification claimed but never confirmed; not resent (it may have gone out)', {
          leadId: record.leadId,
          repId: record.repId,
          channel: record.channel,
          reason: record.reason,
          claimedAt: record.claimedAt,
        });
        unconfirmed.push({ leadId: record.leadId, channel: record.channel, claimedAt: record.claimedAt });
        try {
          await deps.sends.markUnconfirmed(record, now.toISOString());
        } catch (error) {
          failures.push(error as Error);
        }
        return;
      }
      const rep = deps.config.reps.find((candidate) => candidate.id === record.repId);
      try {
        if (!rep) {
          await deps.sends.releaseClaim(record);
          return;
        }
        logger.warn('Email claimed but never confirmed; sending it again', { leadId: record.leadId, repId: record.repId, reason: record.reason, claimedAt: record.claimedAt });
        const outcomes = await resendEmail(deps, { leadId: record.leadId, rep, reason: record.reason, staleClaimedAt: record.claimedAt });
        if (outcomes.some((outcome) => unannouncedOutcomes.has(outcome.outcome))) await deps.sends.releaseClaim(record);
        sent.push(...outcomes);
      } catch (error) {
        await closeIfLeadGone(deps, record, error, failures);
      }
    };
    const deferredUnread = await eachOpenSend(deps.sends, { queue: 'deferred', until: now.toISOString(), budget }, sendDeferred);
    // Pending emails are stale once their lease is over, pending SMS only once past the report threshold: the later bound reads both.
    const pendingUntil = leaseEndedBefore > pendingBefore ? leaseEndedBefore : pendingBefore;
    const stale = (record: SendRecord) => record.channel === 'email' || record.claimedAt < pendingBefore;
    // A run out of time does not read the pending queue at all.
    const pendingUnread = budget.outOfTime || (await eachOpenSend(deps.sends, { queue: 'pending', until: pendingUntil, budget, wanted: stale }, resendEmailOrReport));
    if (budget.outOfTime) logger.warn('Out of time: the notification sends still open are swept by the next run', { left: budget.left, morePagesUnread: deferredUnread || pendingUnread });
    if (failures.length > 0) throw new AggregateError(failures, `Sweeping notification sends: ${failures.length} failed: ${failures.map((failure) => failure.message).join('; ')}`);
    return { sent, unconfirmed, ...(budget.left > 0 ? { left: budget.left } : {}) };
  };
}

/**
 * Acts on the records of one open-send queue due by `until`, oldest first, a page at a time and only while
 * the run has time to start one (each page starts after the last record read, so a record that failed holds
 * none back); true when it stopped for want of time with pages unread.
 */
async function eachOpenSend(
  sends: NotificationSendLedger,
  read: { queue: OpenSendQueue; until: string; budget: TimeBudget; wanted?: (record: SendRecord) => boolean },
  act: (record: SendRecord) => Promise<void>,
): Promise<boolean> {
  let after: OpenSendPosition | undefined;
  do {
    const page = await sends.listOpenSends(read.queue, read.until, { limit: openSendsPageSize, after });
    for (const record of read.budget.startable(read.wanted ? page.records.filter(read.wanted) : page.records)) await act(record);
    after = page.next;
  } while (after && read.budget.hasTime());
  return after !== undefined;
}

/** A record whose lead has left the table is closed unsent (it would fail every run until it expired); any other failure is kept for the end of the run. */
async function closeIfLeadGone(deps: { sends: { releaseClaim(record: SendKey): Promise<void> } }, record: SendKey, error: unknown, failures: Error[]): Promise<void> {
  if (!(error instanceof LeadGoneError)) {
    failures.push(error as Error);
    return;
  }
  logger.warn('Notification about a lead no longer in the table closed unsent', { leadId: record.leadId, repId: record.repId, reason: record.reason, channel: record.channel });
  try {
    await deps.sends.releaseClaim(record);
  } catch (releaseError) {
    failures.push(releaseError as Error);
  }
}

export const handler = loggedHandler(
  createHandler(
    lambdaDependenciesOf({ config: providers.config, mailer: providers.mailer, sms: providers.sms, sends: providers.sends, secrets: providers.secrets, publicBaseUrl: providers.publicBaseUrl, now: providers.now }),
  ),
);

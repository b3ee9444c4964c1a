import type { ScheduledInvocation } from '@leadflow/manifest';
import { type DependencyResolver, LeadGoneError, lambdaDependenciesOf, loggedHandler, logger, notifyRep, resendEmail, type SendKey, type SendOutcome, unannouncedOutcomes } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * An email claim older than this belongs to an invocation that died between claiming and sending (event
 * handlers time out after 30 s): email is at-least-once, so the sweep takes the claim over and sends again.
 */
const emailClaimLeaseMs = 60_000;

/**
 * Every minute: sends the SMS whose rep's quiet hours have ended; sends again the emails whose claim was
 * never confirmed within the lease; and reports SMS claimed but never confirmed (the process died between
 * claiming and recording, or the provider never answered). Those SMS are reported once and left alone:
 * resending could text the rep twice (SMS is at-most-once). An SMS the provider refused for now (nothing
 * sent) is deferred again for the next run; an email whose resend failed keeps its claim, found stale again
 * by a later run. A failure is the record's own: the run does the rest, then fails naming them. What is due,
 * stale or to report is decided as of the schedule's `time`; what the run claims and sends is stamped with
 * the wall clock, so a run that starts late (a retry of a failed run) holds its claims for the whole lease.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'mailer' | 'sms' | 'sends' | 'secrets' | 'publicBaseUrl' | 'now'>) {
  return async (event: ScheduledInvocation): Promise<{ sent: SendOutcome[]; unconfirmed: Array<{ leadId: string; channel: string; claimedAt: string }> }> => {
    const deps = dependencies();
    const now = new Date(event.time);
    const pendingBefore = new Date(now.getTime() - deps.config.notifications.pendingSendReportMinutes * 60_000).toISOString();
    const leaseEndedBefore = new Date(now.getTime() - emailClaimLeaseMs).toISOString();
    const { due, stalePending } = await deps.sends.listOpenSends(now.toISOString(), leaseEndedBefore > pendingBefore ? leaseEndedBefore : pendingBefore);
    const sent: SendOutcome[] = [];
    const failures: Error[] = [];
    for (const record of due) {
      const rep = deps.config.reps.find((candidate) => candidate.id === record.repId);
      try {
        const outcomes = rep ? (await notifyRep(deps, { leadId: record.leadId, rep, reason: record.reason, deferredSms: true })).outcomes : [];
        // A rep gone from the configuration, or a lead that changed hands or closed meanwhile, closes the deferred SMS unsent (while it is still held).
        if (!rep || outcomes.some((outcome) => unannouncedOutcomes.has(outcome.outcome))) await deps.sends.closeDeferred(record);
        sent.push(...outcomes);
      } catch (error) {
        await closeIfLeadGone(deps, record, error, failures);
      }
    }
    const unconfirmedSms = stalePending.filter((record) => record.channel === 'sms' && record.claimedAt < pendingBefore);
    for (const record of stalePending.filter((pending) => pending.channel === 'email')) {
      const rep = deps.config.reps.find((candidate) => candidate.id === record.repId);
      try {
        if (!rep) {
          await deps.sends.releaseClaim(record);
          continue;
        }
        logger.warn('Email claimed but never confirmed; sending it again', { leadId: record.leadId, repId: record.repId, reason: record.reason, claimedAt: record.claimedAt });
        const outcomes = await resendEmail(deps, { leadId: record.leadId, rep, reason: record.reason, staleClaimedAt: record.claimedAt });
        if (outcomes.some((outcome) => unannouncedOutcomes.has(outcome.outcome))) await deps.sends.releaseClaim(record);
        sent.push(...outcomes);
      } catch (error) {
        await closeIfLeadGone(deps, record, error, failures);
      }
    }
    for (const record of unconfirmedSms) {
      logger.error('Notification claimed but never confirmed; not resent (it may have gone out)', {
        leadId: record.leadId,
        repId: record.repId,
        channel: record.channel,
        reason: record.reason,
        claimedAt: record.claimedAt,
      });
      try {
        await deps.sends.markUnconfirmed(record, now.toISOString());
      } catch (error) {
        failures.push(error as Error);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, `Sweeping notification sends: ${failures.length} failed: ${failures.map((failure) => failure.message).join('; ')}`);
    return { sent, unconfirmed: unconfirmedSms.map(({ leadId, channel, claimedAt }) => ({ leadId, channel, claimedAt })) };
  };
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

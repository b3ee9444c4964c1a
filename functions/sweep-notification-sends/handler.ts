import type { ScheduledInvocation } from '@leadflow/manifest';
import { type DependencyResolver, lambdaDependencies, loggedHandler, logger, notifyRep, type SendOutcome } from '@leadflow/platform';

/**
 * Every minute: sends the SMS whose rep's quiet hours have ended, and reports sends claimed but never
 * confirmed (the process died between claiming and recording, or the provider never answered). Those
 * are reported once and left alone: resending could text the rep twice. Runs as of the schedule's `time`.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'mailer' | 'sms' | 'sends' | 'secrets' | 'publicBaseUrl' | 'now'>) {
  return async (event: ScheduledInvocation): Promise<{ sent: SendOutcome[]; unconfirmed: Array<{ leadId: string; channel: string; claimedAt: string }> }> => {
    const deps = dependencies();
    const now = new Date(event.time);
    const pendingBefore = new Date(now.getTime() - deps.config.notifications.pendingSendReportMinutes * 60_000).toISOString();
    const { due, stalePending } = await deps.sends.listOpenSends(now.toISOString(), pendingBefore);
    const sent: SendOutcome[] = [];
    for (const record of due) {
      const rep = deps.config.reps.find((candidate) => candidate.id === record.repId);
      const outcomes = rep ? (await notifyRep({ ...deps, now: () => now }, { leadId: record.leadId, rep, reason: record.reason, deferredSms: true })).outcomes : [];
      // A rep gone from the configuration, or a lead that changed hands meanwhile, closes the deferred SMS unsent.
      if (!rep || outcomes.some((outcome) => outcome.outcome === 'lead_not_theirs')) await deps.sends.releaseClaim(record, record.repId);
      sent.push(...outcomes);
    }
    for (const record of stalePending) {
      logger.error('Notification claimed but never confirmed; not resent (it may have gone out)', {
        leadId: record.leadId,
        repId: record.repId,
        channel: record.channel,
        reason: record.reason,
        claimedAt: record.claimedAt,
      });
      await deps.sends.markUnconfirmed(record, now.toISOString());
    }
    return { sent, unconfirmed: stalePending.map(({ leadId, channel, claimedAt }) => ({ leadId, channel, claimedAt })) };
  };
}

export const handler = loggedHandler(createHandler(lambdaDependencies));

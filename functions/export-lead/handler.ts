import { canHandleDataSubjectRequests, exportedConsentEntries } from '@leadflow/domain';
import { forbidden, httpHandler, jsonResponse, lambdaDependenciesOf, notFound, principalFrom, quotedPathId, type DependencyResolver, leadIdFromPath } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `GET /leads/{leadId}/export`: a data-subject export, for admins — everything held about the person the
 * lead names: the lead, its timeline, its consent ledger (its newest `exportedConsentEntries`, with a count of those left out), the platform deliveries that brought it or touched
 * it (their intake records), the records of the notifications sent about it (to its reps, and the reminders, escalations and
 * pool managers' alerts of its log), the conversions queued for the ad platforms (with the
 * Meta lead id or click id they carry), and the outbound webhook deliveries whose body holds what the person answered.
 */
export function createHandler(dependencies: DependencyResolver<'leads' | 'consents' | 'intakes' | 'sends' | 'notifications' | 'feedback' | 'webhooks' | 'now'>) {
  return httpHandler(async (event) => {
    const principal = principalFrom(event);
    if (!canHandleDataSubjectRequests(principal)) throw forbidden('Data-subject exports are for admins');
    const leadId = leadIdFromPath(event);
    const { leads, consents: ledger, intakes, sends, notifications: log, feedback, webhooks, now } = dependencies();
    const lead = await leads.getLead(leadId);
    if (!lead) throw notFound(`Lead ${quotedPathId(leadId)} does not exist`);
    const [consentLedger, intakeRecords, notifications, notificationLog, conversionFeedback, webhookDeliveries] = await Promise.all([
      ledger.entriesFor(leadId),
      intakes.recordsOfLead(lead),
      sends.sendsFor(leadId),
      log.entriesFor(leadId),
      feedback.feedbackFor(leadId),
      webhooks.deliveriesOfLead(leadId),
    ]);
    const { history, ...held } = lead;
    // The newest entries only: the ledger can outgrow one answer, so the rest are paged where the ledger is read.
    const consents = consentLedger.slice(-exportedConsentEntries);
    const leftOut = consentLedger.length - consents.length;
    const consentLedgerNote = leftOut > 0 ? { consentsLeftOut: { count: leftOut, pagedAt: `/leads/${encodeURIComponent(leadId)}/consents` } } : {};
    return jsonResponse(
      200,
      { leadId, exportedAt: now().toISOString(), lead: held, timeline: history, consents, ...consentLedgerNote, intakeRecords, notifications, notificationLog, conversionFeedback, webhookDeliveries },
      { 'cache-control': 'no-store' },
    );
  });
}

export const handler = createHandler(
  lambdaDependenciesOf({
    leads: providers.leads,
    consents: providers.consents,
    sends: providers.sends,
    notifications: providers.notifications,
    intakes: providers.intakes,
    feedback: providers.feedback,
    webhooks: providers.webhooks,
    now: providers.now,
  }),
);

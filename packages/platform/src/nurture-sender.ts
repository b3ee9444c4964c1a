import { randomBytes } from 'node:crypto';
import {
  allowsMarketingEmail,
  doubleOptInRequired,
  dueNurtureStep,
  nextNurtureStep,
  isPastScheduledStepsLimit,
  leadBytes,
  nurtureConsent,
  nurtureStepApplies,
  planNurtureExit,
  planNurtureRefile,
  planNurtureStep,
  planNurtureStepRetry,
  renderNurtureEmail,
  unsubscribeToken,
  unsubscribeUrl,
  type Lead,
  type LeadTransition,
} from '@leadflow/domain';
import type { Dependencies } from './dependencies';
import type { DuePosition } from './ports/lead-store';
import { MessageRefusedError } from './ports/notifications';
import { logger } from './logger';
import { TimeBudget } from './time-budget';

export type NurtureSenderDependencies = Pick<Dependencies, 'config' | 'leads' | 'consents' | 'mailer' | 'publicBaseUrl' | 'newId'>;

/**
 * What became of one nurtured lead in a run. `lead_full`: the lead is too full to record its step (or to store its
 * unsubscribe secret), so nothing was sent and it left the nurture due index, logged as an error: it stays in its
 * sequence and pool, and the next change written to it files it again.
 */
export interface NurtureOutcome {
  leadId: string;
  outcome: 'emailed' | 'skipped' | 'rescheduled' | 'left' | 'not_due' | 'lead_changed' | 'send_failed' | 'send_deferred' | 'lead_full';
  stepId?: string;
}

/** A lead's unsubscribe secret: 128 random bits, the 22 base64url characters of a token's proof. */
const unsubscribeSecretBytes = 16;

/** Due leads read at a time; each run reads pages until the index has no due lead after the last one read. */
const dueBatchSize = 100;

/**
 * Time a lead needs before it starts: its reads and writes, and an SES send with the SDK's retries (three
 * attempts of up to 2.5 s), so a run does not die between recording a step and sending its email.
 */
const leadReserveMs = 15_000;

/**
 * Sends every nurture email due by `now`: reads only the leads whose next step is due (the sparse
 * `nurture-due-by-time` index of leads waiting unowned in their pool), and for each the step due, if any. The step is recorded on
 * the lead (a conditional write, so two runs cannot both take it) before the email goes out: each step is
 * sent at most once. A send the provider refuses for something about the email itself (`onlyThisMessage`), or
 * that got no answer, is logged, not repeated; one the provider did not take for a passing reason (throttled, a server
 * error) or refused for the account or the sender (access denied, sending paused…) is given back, so a later run
 * sends it. A lead whose consent no
 * longer covers marketing email (or was never confirmed where double opt-in asks for it), or whose sequence is gone from the configuration, leaves its sequence; one
 * whose sequence changed so that no step is due is re-filed (see `planNurtureRefile`). A lead starts only
 * while `remainingMs()` (the invocation's time left before its timeout) holds `leadReserveMs`: the leads left stay due for the next run.
 * A lead that fails (its consents cannot be read, say) is logged and stays due; the others go on, and the run then fails naming it.
 */
export async function sendDueNurtureEmails(deps: NurtureSenderDependencies, now: Date, remainingMs: () => number): Promise<NurtureOutcome[]> {
  const outcomes: NurtureOutcome[] = [];
  const budget = new TimeBudget(remainingMs, leadReserveMs);
  // Each page starts after the last lead read, so a lead left due (changed under the run) holds nobody back;
  // a lead whose next step is due too by `now` (the run was late) comes round again, and waits for the next run.
  const seen = new Set<string>();
  const failed: Array<{ leadId: string; error: unknown }> = [];
  let after: DuePosition | undefined;
  let outOfTime = false;
  do {
    const page = await deps.leads.listDueNurturedLeads(now.toISOString(), { limit: dueBatchSize, after });
    for (const lead of page.leads.filter((candidate) => !seen.has(candidate.leadId))) {
      outOfTime = !budget.hasTime();
      if (outOfTime) break;
      seen.add(lead.leadId);
      try {
        outcomes.push(await advance(deps, lead, now));
      } catch (error) {
        // One lead whose consents or writes fail must not keep the emails of the others from going out.
        logger.error('A nurture step could not be taken for a lead; it stays due for the next run, and this run fails once the others are done', { leadId: lead.leadId, error });
        failed.push({ leadId: lead.leadId, error });
      }
    }
    after = outOfTime ? undefined : page.next;
  } while (after);
  if (outOfTime) logger.warn('Out of time: the nurture emails still due are sent by the next run', { advanced: outcomes.length });
  if (failed.length > 0) {
    logger.info('Nurture run', { advanced: outcomes.length, failed: failed.length });
    throw new AggregateError(
      failed.map(({ error }) => error),
      `Nurture steps failed for ${failed.map(({ leadId }) => `lead ${leadId}`).join(', ')}: ${failed.map(({ error }) => (error instanceof Error ? error.message : String(error))).join('; ')}`,
    );
  }
  return outcomes;
}

async function advance(deps: NurtureSenderDependencies, lead: Lead, now: Date): Promise<NurtureOutcome> {
  const nurture = lead.nurture;
  if (!nurture) return { leadId: lead.leadId, outcome: 'not_due' };
  const sequence = deps.config.nurture.sequences.find((candidate) => candidate.id === nurture.sequenceId);
  const write = async (transition: LeadTransition, outcome: NurtureOutcome['outcome'], stepId?: string): Promise<NurtureOutcome> => {
    const written = await deps.leads.applyTransition(transition);
    if (written === 'lead_full') return setAsideFull(deps, lead, 'its step would take it over the item limit');
    return written === 'applied' ? { leadId: lead.leadId, outcome, ...(stepId ? { stepId } : {}) } : { leadId: lead.leadId, outcome: 'lead_changed' };
  };
  if (!sequence) return write(planNurtureExit({ lead, reason: 'sequence_removed', by: 'system', now, eventId: deps.newId() }), 'left');
  const due = dueNurtureStep(nurture, sequence, now);
  if (!due) return write(planNurtureRefile({ lead, sequence, now, eventId: deps.newId() }), nextNurtureStep(nurture, sequence) ? 'rescheduled' : 'left');
  const consent = lead.contact.email ? nurtureConsent(lead, await deps.consents.entriesFor(lead.leadId), (source) => doubleOptInRequired(deps.config, source)) : 'not_given';
  // A lead nurtured before double opt-in was turned on for its consent leaves rather than get mail it never confirmed.
  if (!lead.contact.email || !allowsMarketingEmail(consent))
    return write(planNurtureExit({ lead, reason: consent === 'awaiting_confirmation' ? 'unconfirmed' : 'unsubscribed', by: 'system', now, eventId: deps.newId() }), 'left');
  if (!nurtureStepApplies(due, lead)) return write(planNurtureStep({ lead, sequence, step: due, outcome: 'skipped', now, eventId: deps.newId() }), 'skipped', due.id);

  // The email is ready before the step is recorded, so a missing base URL fails the lead (and the run) and the step stays due.
  if (!deps.publicBaseUrl) throw new Error('No base URL for unsubscribe links: set notifications.actionLinks.baseUrl in the configuration');
  const secret = await deps.leads.unsubscribeSecretFor(lead.leadId, randomBytes(unsubscribeSecretBytes).toString('base64url'));
  if (secret === undefined) return { leadId: lead.leadId, outcome: 'lead_changed' };
  if (typeof secret !== 'string') return setAsideFull(deps, lead, 'its unsubscribe secret would take it over the item limit');
  const link = unsubscribeUrl(deps.publicBaseUrl, unsubscribeToken(lead.leadId, secret));
  const email = renderNurtureEmail(due, lead, link);
  const claim = planNurtureStep({ lead, sequence, step: due, outcome: 'emailed', now, eventId: deps.newId() });
  const claimed = await write(claim, 'emailed', due.id);
  if (claimed.outcome !== 'emailed') return claimed;
  try {
    await deps.mailer.send({
      to: lead.contact.email,
      from: deps.config.organisation.notificationSender,
      ...email,
      // RFC 8058: the mailbox provider POSTs `List-Unsubscribe=One-Click` to the HTTPS URL, no page in between.
      headers: { 'List-Unsubscribe': `<${link}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      tags: { leadId: lead.leadId, kind: 'nurture', sequence: sequence.id, step: due.id },
    });
    return claimed;
  } catch (error) {
    const context = { leadId: lead.leadId, sequenceId: sequence.id, stepId: due.id, error: (error as Error).message };
    // This email refused for good, or not known to have gone out (no answer): the step stays recorded, so it is sent at most once.
    if (!(error instanceof MessageRefusedError && (error.outcome === 'not_sent' || (error.outcome === 'not_sendable' && !error.onlyThisMessage)))) {
      logger.error('Nurture email refused by the provider, or its outcome is unknown; the step stays recorded and is not repeated', context);
      return { ...claimed, outcome: 'send_failed' };
    }
    // Not sent for a passing reason (throttled, a server error) or refused for the account or the sender (e.g. a bad IAM
    // deploy), which every lead's email meets until it is fixed: the step goes back, only over the lead as the claim left it.
    // Each deferral adds to the timeline, and a provider refusing for days would defer it every run: past the limit for
    // scheduled steps the step is not given back (it stays recorded, unsent), so the deferrals stop.
    const full = isPastScheduledStepsLimit(claim.after);
    const givenBack = full ? 'lead_full' : await deps.leads.applyTransition(planNurtureStepRetry({ claim, sequence, now, eventId: deps.newId() })).catch((writeError: unknown) => writeError as Error);
    if (givenBack !== 'applied') {
      // The step stays recorded, so it is never sent twice; the run goes on with the other leads.
      const why =
        givenBack instanceof Error
          ? `its step could not be given back (${givenBack.message})`
          : givenBack === 'lead_full'
            ? 'the lead is too full to put its step off again'
            : 'the lead changed since its step was recorded';
      logger.error(`Nurture email not sent, and ${why}; the step is not repeated`, context);
      return { ...claimed, outcome: 'send_failed' };
    }
    logger.warn('Nurture email not sent for now; the step is due again for the next run', context);
    return { ...claimed, outcome: 'send_deferred' };
  }
}

/**
 * A lead too full to record its nurture step would be read, refused and retried every run: it leaves the nurture due
 * index (only while it is as read), logged as an error naming it. Changed since it was read, it is left for the next run.
 */
async function setAsideFull(deps: NurtureSenderDependencies, lead: Lead, why: string): Promise<NurtureOutcome> {
  if ((await deps.leads.leaveDueIndex(lead, 'nurture')) !== 'left') return { leadId: lead.leadId, outcome: 'lead_changed' };
  logger.error('A nurtured lead is too full to record its step: nothing was sent, and it leaves the nurture due index', { leadId: lead.leadId, why, bytes: leadBytes(lead) });
  return { leadId: lead.leadId, outcome: 'lead_full' };
}

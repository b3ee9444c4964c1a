import {
  consentUserAgent,
  confirmationLinkExpiry,
  doubleOptInRequired,
  marketingEmailConsent,
  nurtureConfirmationToken,
  nurtureConfirmationUrl,
  nurtureConsent,
  planConfirmationEmail,
  planConfirmationEmailGivenBack,
  planNurtureConfirmed,
  planNurtureExit,
  readableContact,
  renderNurtureConfirmationEmail,
  secretRefs,
  verifyNurtureConfirmationToken,
  wasErased,
  type ConfirmationEmailHold,
  type Lead,
  type LeadTransition,
  type MarketingEmailConsent,
} from '@leadflow/domain';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Dependencies } from './dependencies';
import { oneTapConfirmationPage, oneTapMessagePage } from './http/one-tap-pages';
import { logger } from './logger';
import { MessageRefusedError } from './ports/notifications';

export type ConfirmationEmailDependencies = Pick<Dependencies, 'config' | 'leads' | 'consents' | 'mailer' | 'secrets' | 'publicBaseUrl' | 'newId'>;

/**
 * What became of a lead's confirmation email: `emailed`; held (see `planConfirmationEmail`); `not_awaiting` also
 * for a lead gone or no longer waiting; `not_allowed` when its consent no longer waits for confirmation (withdrawn,
 * or confirmed already); `lead_full` when the lead cannot record the email; `send_failed` when the provider refused
 * this email or gave no answer (recorded, so not repeated: the person's next post after the window asks again). An
 * email the provider did not take for now is given back and the delivery fails, to be retried.
 */
export interface ConfirmationEmailOutcome {
  leadId: string;
  outcome: 'emailed' | ConfirmationEmailHold | 'not_allowed' | 'lead_full' | 'send_failed';
}

/**
 * Emails the person of a lead waiting for confirmation the link that confirms their marketing consent, within the
 * limits of `planConfirmationEmail` (one a day, three in all, only for a new post). The email is recorded on the lead
 * before it is sent, by a conditional write, so two deliveries of one post cannot both send it; a lead changed
 * meanwhile (a touch) is read again.
 */
export async function sendNurtureConfirmation(deps: ConfirmationEmailDependencies, leadId: string, now: Date): Promise<ConfirmationEmailOutcome> {
  for (let tries = 1; ; tries += 1) {
    const lead = await deps.leads.getLead(leadId);
    if (!lead?.nurture?.awaitingConfirmation || !lead.contact.email) return { leadId, outcome: 'not_awaiting' };
    const ledger = await deps.consents.entriesFor(leadId);
    if (nurtureConsent(lead, ledger, (source) => doubleOptInRequired(deps.config, source)) !== 'awaiting_confirmation') return { leadId, outcome: 'not_allowed' };
    const plan = planConfirmationEmail({ lead, ledger, now, eventId: deps.newId() });
    if ('hold' in plan) return { leadId, outcome: plan.hold };
    // The email is ready before it is recorded, so a missing base URL or key fails the delivery (retried) and records nothing.
    if (!deps.publicBaseUrl) throw new Error('No base URL for confirmation links: set notifications.actionLinks.baseUrl in the configuration');
    const expiresAt = confirmationLinkExpiry(now);
    const url = nurtureConfirmationUrl(deps.publicBaseUrl, nurtureConfirmationToken({ leadId, expiresAt }, await deps.secrets.get(secretRefs.actionLinkKey)));
    const email = renderNurtureConfirmationEmail({ organisation: deps.config.organisation.name, url, expiresAt });
    const written = await deps.leads.applyTransition(plan.transition);
    if (written === 'lead_full') {
      logger.error('The lead is too full to record its confirmation email; none is sent', { leadId });
      return { leadId, outcome: 'lead_full' };
    }
    if (written !== 'applied') {
      if (tries < 3) continue;
      throw new Error(`Lead ${leadId} kept changing while its confirmation email was recorded`);
    }
    try {
      // Not marketing email, and no subscription yet: no List-Unsubscribe; ignoring it is the way to say no.
      await deps.mailer.send({ to: lead.contact.email, from: deps.config.organisation.notificationSender, ...email, tags: { leadId, kind: 'nurture-confirmation', sequence: lead.nurture.sequenceId } });
      logger.info('Nurture confirmation emailed', { leadId, emailNumber: plan.emailNumber });
      return { leadId, outcome: 'emailed' };
    } catch (error) {
      const context = { leadId, error: (error as Error).message };
      // Refused for something about this email (its address), or not known to have gone out (no answer): it stays recorded, sent at most once.
      if (!(error instanceof MessageRefusedError && (error.outcome === 'not_sent' || (error.outcome === 'not_sendable' && !error.onlyThisMessage)))) {
        logger.error('Nurture confirmation email refused by the provider, or its outcome is unknown; it stays recorded, so the next one waits for a new post after the window', context);
        return { leadId, outcome: 'send_failed' };
      }
      // Not taken for now, or refused for the account (which every email meets until it is fixed): given back, and the
      // delivery fails so that it is retried (and, once its retries are spent, dead-lettered for a redrive).
      const givenBack = await deps.leads.applyTransition(planConfirmationEmailGivenBack({ recorded: plan.transition, now, eventId: deps.newId() }));
      if (givenBack !== 'applied') {
        logger.error('Nurture confirmation email not sent, and the lead changed since it was recorded (or is full); it stays recorded', { ...context, givenBack });
        return { leadId, outcome: 'send_failed' };
      }
      throw new Error(`Lead ${leadId}: the confirmation email was not taken by the provider for now (${context.error}); retry the delivery`, { cause: error });
    }
  }
}

export type ConfirmationLinkDependencies = Pick<Dependencies, 'config' | 'leads' | 'consents' | 'secrets' | 'now' | 'newId'>;

const cannotUse = (status: number, message: string) => oneTapMessagePage(status, 'This link cannot be used', message);

/**
 * The lead a confirmation link was made for and where its marketing consent stands, or the page saying why the
 * link does nothing: forged (`403`), expired (`410`), its person erased (`410`), or its consent withdrawn since
 * (`409`: an unsubscribe stands, so an older link never signs the person up again). GET and POST alike.
 */
export async function confirmationLinkLead(
  deps: Pick<ConfirmationLinkDependencies, 'config' | 'leads' | 'consents' | 'secrets' | 'now'>,
  token: string,
): Promise<{ lead: Lead; consent: MarketingEmailConsent } | { page: APIGatewayProxyStructuredResultV2 }> {
  const checked = verifyNurtureConfirmationToken(token, await deps.secrets.get(secretRefs.actionLinkKey), deps.now());
  if ('refusal' in checked) {
    return checked.refusal === 'expired'
      ? { page: cannotUse(410, 'This confirmation link has expired, and nothing was changed. Sign up again to get a new one.') }
      : { page: cannotUse(403, 'This confirmation link is not valid: it was changed or was not made by us. Use the link in our latest email.') };
  }
  const lead = await deps.leads.getLead(checked.claims.leadId);
  if (!lead || wasErased(lead)) return { page: cannotUse(410, 'There is nothing to confirm: we no longer hold this subscription. Nothing was changed.') };
  const consent = marketingEmailConsent(await deps.consents.entriesFor(lead.leadId), (source) => doubleOptInRequired(deps.config, source));
  if (consent === 'withdrawn') return { page: cannotUse(409, 'You unsubscribed from these emails, so this older link does not sign you up again. Nothing was changed.') };
  if (consent === 'not_given') return { page: cannotUse(409, 'There is nothing to confirm for this link. Nothing was changed.') };
  return { lead, consent };
}

const confirmedPage = () => oneTapMessagePage(200, 'Subscription confirmed', 'Thank you: you will receive our emails now and then. Each one has a link to unsubscribe.');

/** What a GET shows: a button whose POST confirms (mail scanners open links, so a GET never confirms); a confirmed consent says so. */
export function nurtureConfirmationPage(config: Dependencies['config'], lead: Lead, consent: MarketingEmailConsent): APIGatewayProxyStructuredResultV2 {
  if (consent === 'confirmed') return confirmedPage();
  return oneTapConfirmationPage({
    title: 'Confirm your subscription',
    question: `Receive emails now and then from ${config.organisation.name}?`,
    button: 'Yes, send me emails',
    lead: { name: readableContact(lead.contact).email ?? 'You' },
  });
}

/**
 * Confirms a lead's marketing consent: a `confirmed` entry on its ledger (source `confirmation-link`, the text and
 * version of the consent it confirms, and the IP and user agent of the press, as proof), once; then the lead, if
 * still waiting, starts its sequence from the first step (or leaves it, when the sequence is no longer configured).
 * Doing it twice changes nothing more; a lead a rep took meanwhile keeps the confirmation and gets no sequence.
 */
export async function confirmNurtureConsent(
  deps: ConfirmationLinkDependencies,
  checked: { lead: Lead; consent: MarketingEmailConsent },
  request: { ip?: string; userAgent?: string },
): Promise<APIGatewayProxyStructuredResultV2> {
  const { lead } = checked;
  const at = deps.now();
  if (checked.consent === 'awaiting_confirmation') {
    const given = (await deps.consents.entriesFor(lead.leadId)).filter((entry) => entry.purpose === 'marketing_email' && entry.action === 'given').at(-1);
    await deps.consents.append({
      leadId: lead.leadId,
      purpose: 'marketing_email',
      action: 'confirmed',
      at: at.toISOString(),
      source: 'confirmation-link',
      ...(given?.version ? { version: given.version } : {}),
      ...(given?.text ? { text: given.text } : {}),
      ...(request.ip ? { ip: request.ip } : {}),
      ...(request.userAgent ? { userAgent: consentUserAgent(request.userAgent) } : {}),
    });
  }
  let current: Lead | undefined = lead;
  for (let tries = 1; current?.nurture?.awaitingConfirmation && tries <= 3; tries += 1) {
    const waiting: Lead = current;
    const sequence = deps.config.nurture.sequences.find((candidate) => candidate.id === waiting.nurture?.sequenceId);
    const transition: LeadTransition = sequence
      ? planNurtureConfirmed({ lead: waiting, sequence, by: 'confirmation-link', now: at, eventId: deps.newId() })
      : planNurtureExit({ lead: waiting, reason: 'sequence_removed', by: 'confirmation-link', now: at, eventId: deps.newId() });
    const written = await deps.leads.applyTransition(transition);
    if (written === 'applied') break;
    if (written === 'lead_full') {
      // The consent is confirmed on the ledger all the same; the lead stays out of nurture, which is the safe side.
      logger.error('The lead is too full to start its confirmed nurture sequence', { leadId: lead.leadId });
      break;
    }
    current = await deps.leads.getLead(lead.leadId);
  }
  return confirmedPage();
}

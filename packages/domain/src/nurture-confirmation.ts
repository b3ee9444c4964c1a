import type { ConsentLedgerEntry } from './consent-ledger';
import type { Configuration } from './configuration';
import type { RotatingSecret } from './integration-secrets';
import type { Lead, LeadHistoryEntry } from './lead';
import { leadEvent } from './lead-events';
import type { LeadNurture } from './lead-nurture';
import { changedLead, lifecycleEventFacts, type LeadTransition } from './lead-transition';
import { nurtureStart, type NurtureSequence } from './nurture-sequences';
import { linkIdPattern, linkSignatureValid, signedLinkUrl, signLinkPayload } from './signed-link';
import { escapeHtml } from './text-encoding';

/**
 * Double opt-in (confirmed opt-in) for nurture email: marketing consent from a channel that asks for it starts no
 * sequence; the lead waits at the start of its sequence (`awaitingConfirmation`) and the person is emailed one link,
 * whose page's button confirms the consent on the ledger and starts the sequence from its first step.
 */

/** How long a confirmation link works: a week covers a person who reads their mail on Mondays, and a stale link confirms nothing. */
export const confirmationLinkDays = 7;

/**
 * At most one confirmation email per lead in this many hours. A person whose email went to spam, or who
 * deleted it, posts again: a day later they get a fresh one; within the day, posts by them or by someone
 * posting their address send nothing more. A mailbox provider also reads several sign-up emails in an hour
 * as a mail bomb, against the sender's reputation.
 */
export const confirmationResendHours = 24;

/** The most confirmation emails a lead ever gets: past this, posts with its address send nothing, however far apart. */
export const confirmationEmailLimit = 3;

const hourMs = 3600_000;

/** Whether marketing consent from `source` (`form:<id>`, …) must be confirmed: the form's own setting, else the nurture section's. */
export function doubleOptInRequired(config: Pick<Configuration, 'forms' | 'nurture'>, source: string): boolean {
  const formId = source.startsWith('form:') ? source.slice('form:'.length) : undefined;
  const form = formId === undefined ? undefined : config.forms.find((candidate) => candidate.id === formId);
  return form?.consent?.doubleOptIn ?? config.nurture.doubleOptIn;
}

/** The lead entering its sequence held for confirmation: nothing due until it is confirmed. */
export function nurtureAwaitingConfirmation(sequence: NurtureSequence, routeId: string, now: Date): { state: LeadNurture; historyEntry: LeadHistoryEntry } {
  const at = now.toISOString();
  return {
    state: { sequenceId: sequence.id, enteredAt: at, doneStepIds: [], awaitingConfirmation: { since: at, emailsSent: 0 } },
    historyEntry: { at, action: 'nurture_entered', by: 'system', detail: `entered nurture sequence ${sequence.id} by route ${routeId}, waiting for the person to confirm marketing email` },
  };
}

/** Why no confirmation email is sent now. */
export type ConfirmationEmailHold = 'not_awaiting' | 'limit_reached' | 'too_soon' | 'no_new_consent';

/**
 * The confirmation email to send a lead waiting for confirmation, recorded on the lead before it is sent (so two
 * deliveries cannot both send it), or why none is sent: the lead is not waiting; it had `confirmationEmailLimit`
 * emails; its last was less than `confirmationResendHours` ago; or no marketing consent was given since that window
 * ended (only a new post asking for email sends another; posts within the window were answered by the last one).
 */
export function planConfirmationEmail(input: { lead: Lead; ledger: readonly ConsentLedgerEntry[]; now: Date; eventId: string }): { transition: LeadTransition; emailNumber: number } | { hold: ConfirmationEmailHold } {
  const { lead, now } = input;
  const nurture = lead.nurture;
  const waiting = nurture?.awaitingConfirmation;
  if (!nurture || !waiting) return { hold: 'not_awaiting' };
  if (waiting.emailsSent >= confirmationEmailLimit) return { hold: 'limit_reached' };
  if (waiting.lastEmailAt !== undefined) {
    const last = Date.parse(waiting.lastEmailAt);
    if (now.getTime() - last < confirmationResendHours * hourMs) return { hold: 'too_soon' };
    // Only a post made once the window is over asks again: those held back within it were answered by the email before.
    const reopened = last + confirmationResendHours * hourMs;
    // A post repeating the consent on the ledger adds no entry, only its time on the lead's mark (see `unrecordedConsents`).
    const givenAgainAt = lead.consentGiven?.marketing_email?.givenAgainAt;
    const givenSince = input.ledger.some((entry) => entry.purpose === 'marketing_email' && entry.action === 'given' && Date.parse(entry.at) >= reopened);
    if (!givenSince && !(givenAgainAt !== undefined && Date.parse(givenAgainAt) >= reopened)) return { hold: 'no_new_consent' };
  }
  const at = now.toISOString();
  const emailNumber = waiting.emailsSent + 1;
  const entry: LeadHistoryEntry = {
    at,
    action: 'nurture_confirmation_sent',
    by: 'system',
    detail: `asked to confirm marketing email for nurture sequence ${nurture.sequenceId} (email ${emailNumber} of at most ${confirmationEmailLimit})`,
  };
  const after = changedLead(lead, { set: { nurture: { ...nurture, awaitingConfirmation: { ...waiting, emailsSent: emailNumber, lastEmailAt: at } } }, entry });
  const event = leadEvent('lead.nurtured', { ...lifecycleEventFacts(lead, 'system', input.eventId), sequenceId: nurture.sequenceId, change: 'confirmation_sent', nurturedAt: at }, at);
  return { transition: { before: lead, after, openLeads: [], event }, emailNumber };
}

/**
 * A recorded confirmation email the provider did not take (throttled or failing, or refusing the account rather than
 * this email) given back: the lead's waiting state is again as before it was recorded, so the email neither counts
 * towards the limits nor holds the next one back, and the delivery, retried, sends it (`nurture_rescheduled`,
 * `lead.nurtured` with `change: rescheduled`). Written only over the lead as the record left it.
 */
export function planConfirmationEmailGivenBack(input: { recorded: LeadTransition; now: Date; eventId: string }): LeadTransition {
  const lead = input.recorded.after;
  const nurture = input.recorded.before.nurture;
  if (!nurture?.awaitingConfirmation) throw new Error(`Lead ${lead.leadId} was not waiting for confirmation`);
  const at = input.now.toISOString();
  const entry: LeadHistoryEntry = {
    at,
    action: 'nurture_rescheduled',
    by: 'system',
    detail: `confirmation email for nurture sequence ${nurture.sequenceId} not sent (the email provider did not take it for now); asked again`,
  };
  const event = leadEvent('lead.nurtured', { ...lifecycleEventFacts(lead, 'system', input.eventId), sequenceId: nurture.sequenceId, change: 'rescheduled', nurturedAt: at }, at);
  return { before: lead, after: changedLead(lead, { set: { nurture }, entry }), openLeads: [], event };
}

/**
 * A confirmed lead waiting for confirmation starts its sequence from its first step, as of the confirmation
 * (`nurture_confirmed`, `lead.nurtured` with `change: confirmed`).
 */
export function planNurtureConfirmed(input: { lead: Lead; sequence: NurtureSequence; by: string; now: Date; eventId: string }): LeadTransition {
  const { lead, sequence, now } = input;
  if (!lead.nurture?.awaitingConfirmation || lead.nurture.sequenceId !== sequence.id) throw new Error(`Lead ${lead.leadId} is not waiting for confirmation in sequence ${sequence.id}`);
  const at = now.toISOString();
  const entry: LeadHistoryEntry = { at, action: 'nurture_confirmed', by: input.by, detail: `marketing email confirmed; nurture sequence ${sequence.id} starts` };
  const event = leadEvent('lead.nurtured', { ...lifecycleEventFacts(lead, input.by, input.eventId), sequenceId: sequence.id, change: 'confirmed', nurturedAt: at }, at);
  return { before: lead, after: changedLead(lead, { set: { nurture: nurtureStart(sequence, now) }, entry }), openLeads: [], event };
}

/** What a confirmation token says: the lead, and when the link stops working (Unix seconds). */
export interface ConfirmationLinkClaims {
  leadId: string;
  expiresAt: number;
}

/** Three parts, where an unsubscribe's payload has two and a one-tap link's four, so no signature can stand for another's. */
function confirmationPayload(leadId: string, expiry: string): string {
  return `confirm.${leadId}.${expiry}`;
}

/**
 * A confirmation token `<leadId>.<expiry base36>.<signature>`, signed with the action-link key's current value.
 * @example nurtureConfirmationToken({ leadId: 'l1', expiresAt: 1767225600 }, key)
 */
export function nurtureConfirmationToken(claims: ConfirmationLinkClaims, key: RotatingSecret): string {
  if (!linkIdPattern.test(claims.leadId)) throw new Error('A lead id in a link must be letters, digits, "-" or "_"');
  const expiry = claims.expiresAt.toString(36);
  return `${claims.leadId}.${expiry}.${signLinkPayload(key.current, confirmationPayload(claims.leadId, expiry))}`;
}

/** When a link sent at `now` stops working (Unix seconds). */
export function confirmationLinkExpiry(now: Date): number {
  return Math.floor(now.getTime() / 1000) + confirmationLinkDays * 24 * 3600;
}

/**
 * Reads and checks a confirmation token: shape, signature (the key's current or previous value, in constant time)
 * and expiry. Confirming is harmless to repeat, so a link is not used up.
 */
export function verifyNurtureConfirmationToken(token: string, key: RotatingSecret, now: Date): { claims: ConfirmationLinkClaims } | { refusal: 'forged' | 'expired' } {
  const parts = token.split('.');
  if (parts.length !== 3) return { refusal: 'forged' };
  const [leadId, expiry, signature] = parts as [string, string, string];
  const expiresAt = parseInt(expiry, 36);
  if (!linkIdPattern.test(leadId) || !/^[0-9a-z]{1,11}$/.test(expiry) || !Number.isSafeInteger(expiresAt)) return { refusal: 'forged' };
  if (!linkSignatureValid(key, confirmationPayload(leadId, expiry), signature)) return { refusal: 'forged' };
  if (now.getTime() >= expiresAt * 1000) return { refusal: 'expired' };
  return { claims: { leadId, expiresAt } };
}

export function nurtureConfirmationUrl(baseUrl: string, token: string): string {
  return signedLinkUrl(baseUrl, 'c', token);
}

/**
 * The confirmation email: who asks, the link, until when it works, and that doing nothing means no marketing email
 * (it is the answer of a person who never asked). It carries nothing the post said but the address it goes to, so
 * someone posting a stranger's address cannot put words of theirs in our email.
 */
export function renderNurtureConfirmationEmail(input: { organisation: string; url: string; expiresAt: number }): { subject: string; text: string; html: string } {
  const until = new Date(input.expiresAt * 1000).toISOString().slice(0, 10);
  const ask = `Someone, we hope you, asked ${input.organisation} to send this address emails now and then.`;
  const ignore = 'If it was not you, ignore this email: without your confirmation we send you no such emails.';
  return {
    subject: `Please confirm: emails from ${input.organisation}`,
    text: `${ask} Please confirm that you want them:\n\n${input.url}\n\nThe link works until ${until}. ${ignore}\n`,
    html: `<p>${escapeHtml(ask)} Please confirm that you want them:</p>\n<p><a href="${escapeHtml(input.url)}">Confirm my subscription</a></p>\n<p style="font-size:12px;color:#666">The link works until ${until}. ${escapeHtml(ignore)}</p>\n`,
  };
}

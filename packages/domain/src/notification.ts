import type { Lead } from './lead';
import type { LeadOffer } from './lead-offer-schemas';
import type { Configuration, Rep } from './configuration';
import { oneLine, quotedField } from './notification-text';
import { warmedOutOfNurture } from './nurture-sequences';
import { maskedContact } from './contact-masking';
import { readableContact } from './contact-normalisation';
import { wasErased } from './lead-erasure';
import { openLeadStatuses } from './lead-transition';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

/**
 * The email that tells a rep a lead is theirs (or, with `offer`, offered to them): who, how to reach them, and where it came from. Lead
 * text is made safe for each part: one line in the subject and the contact lines, quoted blocks for
 * the message and answers, so nothing a person typed can look like a line we wrote. An offer goes to
 * several reps before any of them owns the lead, so, as in a pool listing, its contact is masked and its
 * message and answers left out: the pool cannot be harvested through offers.
 */
export function newLeadEmail(rep: Rep, lead: Lead, offer?: Pick<LeadOffer, 'repIds' | 'expiresAt'>): EmailMessage {
  // The phone's country is ours, read from the number: the rep sees the number itself.
  const { message, phoneCountry: _phoneCountry, ...owned } = lead.contact;
  const contact = readableContact(offer ? maskedContact(lead.contact) : owned);
  const who = oneLine(contact.name ?? contact.email ?? contact.phone ?? '') || 'A new lead';
  const lines = [
    `Hi ${rep.name},`,
    '',
    offer
      ? `${who} (${lead.leadId}) is offered to you and ${offer.repIds.length - 1} other rep(s) until ${offer.expiresAt.replace('T', ' ').slice(0, 16)} UTC: the first to accept owns it.`
      : `${who} is now your lead (${lead.leadId}). Reply fast: leads answered within the hour qualify far more often.`,
    ...(warmedOutOfNurture(lead) ? ['They came out of nurturing: they were receiving our nurture emails and just came back, warmer.'] : []),
    '',
    ...Object.entries(contact).flatMap(([field, value]) => (value === undefined ? [] : [`${field}: ${oneLine(value, 500)}`])),
    ...(offer
      ? ['Their email, phone, message and answers are yours once you accept.']
      : [...(message === undefined ? [] : quotedField('message', message)), ...Object.entries(lead.answers).flatMap(([field, value]) => quotedField(field, value))]),
    '',
    `Source: ${lead.source.formId ? `form ${oneLine(lead.source.formId)}` : lead.source.kind} (channel ${lead.channel}), captured ${lead.capturedAt}.`,
  ];
  return { to: rep.email, subject: oneLine(`${offer ? 'Lead offered' : 'New lead'}: ${who}`), text: lines.join('\n') };
}

/** The email that tells a pool's managers a routed lead found nobody available and waits unowned in their pool. */
export function unattendedLeadEmail(manager: Rep, lead: Lead, pool: { id: string; name: string }, explanation: string): EmailMessage {
  const { name, email, phone } = readableContact(lead.contact);
  const who = oneLine(name ?? email ?? phone ?? '') || 'A new lead';
  const lines = [
    `Hi ${manager.name},`,
    '',
    `${who} (${lead.leadId}) is waiting unowned in pool "${pool.name}": nobody on its route could take it.`,
    explanation,
    '',
    lead.score ? `Score ${lead.score.points} (grade ${lead.score.grade}, ${lead.score.temperature}).` : '',
    'Assign it, or ask a pool member to claim it, before it goes cold.',
  ];
  return { to: manager.email, subject: oneLine(`Unassigned lead waiting in ${pool.name}: ${who}`), text: lines.join('\n') };
}

/**
 * Why `lead` is no longer news, or `undefined` while it is: a person erased from it, or a status no longer
 * open (converted, invalid). Erasure, invalidation and conversion keep the owner, so whoever holds the lead
 * is no proof it is open. An open offer is of a `new` lead: for `offered` only erasure counts.
 */
export function closedSince(lead: Pick<Lead, 'history' | 'status'>, offered = false): string | undefined {
  if (wasErased(lead)) return 'lead was erased';
  return offered || openLeadStatuses.includes(lead.status) ? undefined : `lead is now ${lead.status}`;
}

/**
 * Why a lead announced as waiting unowned in its pool no longer waits, or `undefined` while it does: claimed or
 * assigned since, out of the pool (marked invalid, say), or erased. Its managers are asked to assign it, so only a
 * lead still waiting is news to them.
 */
export function noLongerWaiting(lead: Pick<Lead, 'history' | 'status' | 'ownerId'>): string | undefined {
  if (wasErased(lead)) return 'lead was erased';
  if (lead.ownerId) return `lead is now held by ${lead.ownerId}`;
  return lead.status === 'in_pool' ? undefined : `lead is now ${lead.status}`;
}

/** The one-tap links of a notification, one line each, for the end of an email. */
export function actionLinksText(links: ReadonlyArray<{ title: string; url: string }>): string {
  return ['', 'One tap (each link works once, for you only):', ...links.map((link) => `${link.title}: ${link.url}`)].join('\n');
}

/** The managers who hear about a rep's notifications: those of the teams whose pools the rep works in, else every manager. */
export function managersOfRep(config: Pick<Configuration, 'reps' | 'teams' | 'pools'>, repId: string): Rep[] {
  const teamIds = new Set(config.pools.filter((pool) => pool.members.includes(repId) || pool.admins.includes(repId)).map((pool) => pool.teamId));
  const teams = teamIds.size > 0 ? config.teams.filter((team) => teamIds.has(team.id)) : config.teams;
  const managerIds = new Set(teams.flatMap((team) => team.managers));
  return config.reps.filter((rep) => managerIds.has(rep.id));
}

/** Tells a manager, once a day per budget, that SMS now fall back to email. */
export function smsBudgetReachedEmail(manager: Rep, scope: { kind: 'organisation' } | { kind: 'rep'; rep: Rep }, day: string, limit: { dailyCount: number; dailySpend: number }, currency: string): EmailMessage {
  const whose = scope.kind === 'organisation' ? 'The organisation' : `${scope.rep.name} (${scope.rep.id})`;
  return {
    to: manager.email,
    subject: `SMS budget reached for ${scope.kind === 'organisation' ? 'the organisation' : scope.rep.name} on ${day}`,
    text: [
      `Hi ${manager.name},`,
      '',
      `${whose} reached the daily SMS budget on ${day}: ${limit.dailyCount} messages or ${limit.dailySpend} ${currency}.`,
      'Until the day ends, lead notifications that would have been texted go out by email instead.',
      'Raise notifications.sms.budget in the configuration if this happens on ordinary days.',
    ].join('\n'),
  };
}

/** Tells a manager a rep's phone refused an SMS for good, so the rep is emailed until it is fixed. */
export function phoneFailingEmail(manager: Rep, rep: Rep, reason: string): EmailMessage {
  return {
    to: manager.email,
    subject: `SMS to ${rep.name} failed: phone marked failing`,
    text: [
      `Hi ${manager.name},`,
      '',
      `An SMS to ${rep.name} (${rep.id}) at ${rep.phone} was refused for good: ${oneLine(reason, 300)}.`,
      `${rep.name} gets emails instead of SMS until the phone number in the configuration is corrected.`,
    ].join('\n'),
  };
}

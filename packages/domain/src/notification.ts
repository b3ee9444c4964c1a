import type { Lead } from './lead';
import type { Rep } from './configuration';
import { oneLine, quotedField } from './notification-text';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

/**
 * The email that tells a rep a lead is theirs: who, how to reach them, and where it came from. Lead
 * text is made safe for each part: one line in the subject and the contact lines, quoted blocks for
 * the message and answers, so nothing a person typed can look like a line we wrote.
 */
export function newLeadEmail(rep: Rep, lead: Lead): EmailMessage {
  const who = oneLine(lead.contact.name ?? lead.contact.email ?? lead.contact.phone ?? '') || 'A new lead';
  const { message, ...contact } = lead.contact;
  const lines = [
    `Hi ${rep.name},`,
    '',
    `${who} is now your lead (${lead.leadId}). Reply fast: leads answered within the hour qualify far more often.`,
    '',
    ...Object.entries(contact).map(([field, value]) => `${field}: ${oneLine(value, 500)}`),
    ...(message === undefined ? [] : quotedField('message', message)),
    ...Object.entries(lead.answers).flatMap(([field, value]) => quotedField(field, value)),
    '',
    `Source: ${lead.source.formId ? `form ${oneLine(lead.source.formId)}` : lead.source.kind} (channel ${lead.channel}), captured ${lead.capturedAt}.`,
  ];
  return { to: rep.email, subject: oneLine(`New lead: ${who}`), text: lines.join('\n') };
}

/** The email that tells a pool's managers a routed lead found nobody available and waits unowned in their pool. */
export function unattendedLeadEmail(manager: Rep, lead: Lead, pool: { id: string; name: string }, explanation: string): EmailMessage {
  const who = lead.contact.name ?? lead.contact.email ?? lead.contact.phone ?? 'A new lead';
  const lines = [
    `Hi ${manager.name},`,
    '',
    `${who} (${lead.leadId}) is waiting unowned in pool "${pool.name}": nobody on its route could take it.`,
    explanation,
    '',
    lead.score ? `Score ${lead.score.points} (grade ${lead.score.grade}, ${lead.score.temperature}).` : '',
    'Assign it, or ask a pool member to claim it, before it goes cold.',
  ];
  return { to: manager.email, subject: `Unassigned lead waiting in ${pool.name}: ${who}`, text: lines.join('\n') };
}

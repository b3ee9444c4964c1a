import type { Configuration, Rep } from './configuration';
import type { Lead } from './lead';
import type { LeadEventDetail } from './lead-events';
import { closedSince, type EmailMessage } from './notification';
import { isCurrentRecycleWarning, isCurrentReminder, type FollowUpRules } from './follow-up-rules';
import { oneLine } from './notification-text';
import { readableContact } from './contact-normalisation';

/** Events of the follow-up rules that someone is emailed about. */
export type FollowUpNotice =
  | { type: 'lead.reminded'; detail: LeadEventDetail<'lead.reminded'> }
  | { type: 'lead.sla_breached'; detail: LeadEventDetail<'lead.sla_breached'> }
  | { type: 'lead.recycle_warned'; detail: LeadEventDetail<'lead.recycle_warned'> }
  | { type: 'lead.recycled'; detail: LeadEventDetail<'lead.recycled'> };

const slaWords = { first_contact: 'first contact', next_step: 'promised next step' } as const;

/**
 * Who hears of a follow-up event: the owner for a reminder or a recycle warning, the managers of the
 * pool's team for a breach, the owner who lost the lead for a recycle.
 */
export function followUpRecipients(notice: FollowUpNotice, config: Pick<Configuration, 'reps' | 'pools' | 'teams'>): Rep[] {
  const reps = (ids: readonly string[]) => config.reps.filter((rep) => ids.includes(rep.id));
  switch (notice.type) {
    case 'lead.reminded':
    case 'lead.recycle_warned':
      return reps(notice.detail.ownerId ? [notice.detail.ownerId] : []);
    case 'lead.sla_breached': {
      const pool = config.pools.find((candidate) => candidate.id === notice.detail.poolId);
      return reps(config.teams.find((team) => team.id === pool?.teamId)?.managers ?? []);
    }
    case 'lead.recycled':
      return reps([notice.detail.previousOwnerId]);
  }
}

/**
 * Why a follow-up notice is no longer news, or `undefined` while it is. A reminder or a recycle warning asks the owner
 * to act, so one that arrives late (a retry, the outbox sweep after an outage) goes out only while the lead is still
 * theirs, open, and still records that reminder or warning as its current one. A breach or a recycle tells what
 * happened, which stays true.
 */
export function staleFollowUpNotice(notice: FollowUpNotice, lead: Lead, rules: Pick<FollowUpRules, 'sla' | 'pool'>): string | undefined {
  if (notice.type === 'lead.sla_breached' || notice.type === 'lead.recycled') return undefined;
  if (lead.ownerId !== notice.detail.ownerId) return `lead is now held by ${lead.ownerId ?? 'its pool'}`;
  const closed = closedSince(lead);
  if (closed) return closed;
  if (notice.type === 'lead.reminded') return isCurrentReminder(lead, rules.sla, notice.detail.remindedAt) ? undefined : 'the obligation it reminds of was met or replaced since';
  return isCurrentRecycleWarning(lead, rules.pool?.recycle, notice.detail.warnedAt) ? undefined : 'the recycle it warns of was moved or called off since';
}

/** The email for one recipient of a follow-up event; the lead's own text goes on one line, made safe. */
export function followUpEmail(notice: FollowUpNotice, recipient: Rep, lead: Lead): EmailMessage {
  const { name, email, phone } = readableContact(lead.contact);
  const who = oneLine(name ?? email ?? phone ?? '') || `Lead ${lead.leadId}`;
  const grade = lead.score ? ` (grade ${lead.score.grade})` : '';
  const { detail } = notice;
  const [subject, ...body] = ((): string[] => {
    switch (notice.type) {
      case 'lead.reminded':
        return [
          `Reminder: ${slaWords[notice.detail.sla]} with ${who} due at ${notice.detail.dueAt}`,
          `The ${slaWords[notice.detail.sla]} with ${who}${grade} is due at ${notice.detail.dueAt}.`,
          'Log the call or email when it is done.',
        ];
      case 'lead.sla_breached':
        return [
          `SLA breached: ${who}, ${slaWords[notice.detail.sla]} overdue (breach ${notice.detail.breach})`,
          `${notice.detail.ownerId ?? 'The owner'} missed the ${slaWords[notice.detail.sla]} with ${who}${grade}, due at ${notice.detail.dueAt} (breach ${notice.detail.breach}).`,
        ];
      case 'lead.recycle_warned':
        return [`${who} will be recycled at ${notice.detail.recycleAt}`, `Pool ${notice.detail.poolId} takes ${who}${grade} back at ${notice.detail.recycleAt} (${notice.detail.rule}) unless you make progress.`];
      case 'lead.recycled':
        return [
          `${who} was recycled`,
          `${who}${grade} was taken back ${notice.detail.to === 'rep' ? `and given to ${notice.detail.ownerId ?? 'another rep'}` : `to pool ${notice.detail.poolId}`} (${notice.detail.rule}).`,
        ];
    }
  })();
  return { to: recipient.email, subject: oneLine(subject), text: [`Hi ${recipient.name},`, '', ...body, '', `Lead ${detail.leadId}, pool ${detail.poolId}.`].join('\n') };
}

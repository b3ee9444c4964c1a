import type { Form, Rep } from './configuration';
import type { Lead, LeadContact, LeadHistoryEntry } from './lead';
import { leadEvent, type LeadEvent } from './lead-events';

/** Creates a fresh lead from a validated submission and the `lead.captured` event that announces it. */
export function captureLead(input: {
  leadId: string;
  eventId: string;
  form: Form;
  contact: LeadContact;
  answers: Record<string, string>;
  now: Date;
}): { lead: Lead; event: LeadEvent } {
  const at = input.now.toISOString();
  const lead: Lead = {
    leadId: input.leadId,
    status: 'new',
    formId: input.form.id,
    channel: input.form.channel,
    poolId: input.form.poolId,
    contact: input.contact,
    answers: input.answers,
    capturedAt: at,
    updatedAt: at,
    history: [{ at, action: 'captured', by: `form:${input.form.id}` }],
  };
  const event = leadEvent('lead.captured', { eventId: input.eventId, leadId: lead.leadId, formId: lead.formId, poolId: lead.poolId, channel: lead.channel, capturedAt: at }, at);
  return { lead, event };
}

/** The change that gives a lead its owner by round robin, with its timeline entry and `lead.assigned` event. */
export function assignByRoundRobin(input: { lead: Pick<Lead, 'leadId' | 'poolId'>; owner: Rep; eventId: string; now: Date }): {
  ownerId: string;
  assignment: NonNullable<Lead['assignment']>;
  historyEntry: LeadHistoryEntry;
  event: LeadEvent;
} {
  const at = input.now.toISOString();
  const assignment = { rule: 'round_robin' as const, poolId: input.lead.poolId, assignedAt: at };
  return {
    ownerId: input.owner.id,
    assignment,
    historyEntry: { at, action: 'assigned', by: 'system', detail: `round robin in pool ${input.lead.poolId} chose ${input.owner.id}` },
    event: leadEvent('lead.assigned', { eventId: input.eventId, leadId: input.lead.leadId, ownerId: input.owner.id, poolId: input.lead.poolId, rule: 'round_robin', assignedAt: at }, at),
  };
}

import type { Rep } from './configuration';
import type { Lead, LeadHistoryEntry } from './lead';
import { leadEvent, type LeadEvent } from './lead-events';

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

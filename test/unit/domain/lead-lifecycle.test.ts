import { describe, expect, it } from 'vitest';
import { assignToOwner, canViewLead, leadSchema, newLeadEmail } from '@leadflow/domain';
import { webFormIntake } from '../../support/intakes';
import { demoConfiguration } from '../../support/demo-configuration';

const config = demoConfiguration();
const now = new Date('2026-03-02T10:15:00.000Z');

describe('lead lifecycle', () => {
  const {
    lead,
    events: [event],
  } = webFormIntake(config, { leadId: 'lead-1', contact: { name: 'Ada', email: 'ada@example.com' }, now });
  lead.answers = { company_size: '11-50' };

  it('captures a new lead in its form pool, with its timeline and a lead.captured event', () => {
    expect(leadSchema.parse(lead)).toEqual(lead);
    expect(lead).toMatchObject({ status: 'new', poolId: 'americas-inbound', channel: 'website', capturedAt: now.toISOString(), touches: 1, isTest: false });
    expect(lead.history).toEqual([{ at: now.toISOString(), action: 'captured', by: 'form:demo' }]);
    expect(event).toEqual({
      type: 'lead.captured',
      time: now.toISOString(),
      detail: { eventId: 'lead-1-captured', leadId: 'lead-1', status: 'new', isTest: false, sourceKind: 'web_form', formId: 'demo', poolId: 'americas-inbound', channel: 'website', capturedAt: now.toISOString() },
    });
  });

  it('records which rule chose the owner', () => {
    const later = new Date('2026-03-02T10:15:02.000Z');
    const route = config.routing.routes.at(-1)!;
    const change = assignToOwner({ lead, route, poolId: 'americas-inbound', skipped: [], turn: 2, owner: config.reps[1], passedOver: [config.reps[0]], eventId: 'event-2', now: later });
    expect(change.ownerId).toBe('rep-ben');
    expect(change.assignment).toEqual({ rule: 'round_robin', poolId: 'americas-inbound', assignedAt: later.toISOString() });
    expect(change.historyEntry.detail).toBe('route default (round robin turn 2) in pool americas-inbound chose rep-ben');
    expect(change.event.type).toBe('lead.assigned');
  });

  it('lets the owner, managers and admins see a lead, and nobody else', () => {
    const owned = { ownerId: 'rep-ben' };
    expect(canViewLead({ id: 'rep-ben', roles: ['rep'] }, owned)).toBe(true);
    expect(canViewLead({ id: 'rep-ava', roles: ['rep'] }, owned)).toBe(false);
    expect(canViewLead({ id: 'maya', roles: ['manager'] }, owned)).toBe(true);
    expect(canViewLead({ id: 'root', roles: ['admin'] }, owned)).toBe(true);
    expect(canViewLead({ id: 'fin', roles: ['finance'] }, owned)).toBe(false);
    expect(canViewLead({ id: 'rep-ben', roles: [] }, owned)).toBe(false);
  });

  it('writes the rep an email with the contact details and the source', () => {
    const email = newLeadEmail(config.reps[0], lead);
    expect(email.to).toBe('ava.chen@northwind.example');
    expect(email.subject).toBe('New lead: Ada');
    expect(email.text).toContain('email: ada@example.com');
    expect(email.text).toContain('company_size: 11-50');
    expect(email.text).toContain('form demo (channel website)');
  });
});

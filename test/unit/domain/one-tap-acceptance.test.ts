import { describe, expect, it } from 'vitest';
import { erasePersonFromLead, planAcceptance, type Lead } from '@leadflow/domain';
import { config, now } from '../../support/lifecycle-fixtures';
import { webFormIntake } from '../../support/intakes';

const owned: Lead = { ...webFormIntake(config, { leadId: 'lead-1' }).lead, status: 'assigned', ownerId: 'rep-ava' };

describe('accepting a lead from a one-tap link', () => {
  it('is planned on the timeline as the link check read it, which an erasure since lengthens', () => {
    const acceptance = planAcceptance({ lead: owned, repId: 'rep-ava', now, eventId: 'accept-1' });
    expect(acceptance).toMatchObject({ leadId: 'lead-1', ownerId: 'rep-ava', seenHistoryLength: owned.history.length, historyEntry: { action: 'accepted', by: 'rep-ava' } });
    // The erasure keeps the owner, so the owner alone cannot tell the write the lead was erased meanwhile; its timeline can.
    const erased = erasePersonFromLead(owned, { at: now.toISOString(), eventId: 'erase-1' })!.lead;
    expect(erased.ownerId).toBe('rep-ava');
    expect(erased.history.length).not.toBe(acceptance.seenHistoryLength);
  });
});

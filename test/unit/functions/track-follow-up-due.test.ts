import { describe, expect, it } from 'vitest';
import type { Lead } from '@leadflow/domain';
import type { FollowUpStore } from '@leadflow/platform';
import { createHandler } from '../../../functions/track-follow-up-due/handler';
import { busEvent, lambdaContext } from '../../support/api-gateway-events';
import { fakeDependencies } from '../../support/fakes';
import { webFormIntake } from '../../support/intakes';

/**
 * The due-time index's write as the DynamoDB store makes it, conditional on the lead as read: it refuses
 * the first `refusals` writes, each time after changing the lead the way a tag does (a change whose event
 * the tracker does not hear), and records the lead each write was decided from.
 */
function changingFollowUps(lead: Lead, refusals: number): FollowUpStore & { written: Lead[] } {
  const written: Lead[] = [];
  return {
    written,
    async setNextCheck(seen) {
      written.push(seen);
      if (written.length > refusals) return 'set';
      lead.history.push({ at: '2026-03-02T10:16:00.000Z', action: 'tagged', by: 'rep-ava', detail: 'tagged vip' });
      return 'lead_changed';
    },
    listDue: () => Promise.reject(new Error('not used by the tracker')),
    applyPlan: () => Promise.reject(new Error('not used by the tracker')),
    listOwned: () => Promise.reject(new Error('not used by the tracker')),
    refileState: () => Promise.reject(new Error('not used by the tracker')),
    saveRefileState: () => Promise.reject(new Error('not used by the tracker')),
  };
}

async function ownedLead() {
  const deps = fakeDependencies();
  await deps.store.ingestLead(webFormIntake(deps.config, { leadId: 'lead-1' }));
  const lead = deps.store.leads.get('lead-1')!;
  Object.assign(lead, { status: 'assigned', poolId: 'americas-inbound', ownerId: 'rep-ava', assignment: { rule: 'round_robin', poolId: 'americas-inbound', assignedAt: '2026-03-02T10:15:00.000Z' } });
  return { deps, lead };
}

const claimed = busEvent('lead.claimed', { eventId: 'e1', leadId: 'lead-1' });

describe('track-follow-up-due', () => {
  it('reads a lead changed between its read and its write again, and files it as it now is', async () => {
    const { deps, lead } = await ownedLead();
    const followUps = changingFollowUps(lead, 1);
    await createHandler(() => ({ ...deps, followUps }))(claimed, lambdaContext);
    const historyLength = lead.history.length;
    expect(followUps.written.map((seen) => seen.history.length)).toEqual([historyLength - 1, historyLength]);
  });

  it('gives up after three changed reads, so the event is delivered again later', async () => {
    const { deps, lead } = await ownedLead();
    const followUps = changingFollowUps(lead, 3);
    await expect(createHandler(() => ({ ...deps, followUps }))(claimed, lambdaContext)).rejects.toThrow(/changed under each of 3 attempts/);
    expect(followUps.written).toHaveLength(3);
  });
});

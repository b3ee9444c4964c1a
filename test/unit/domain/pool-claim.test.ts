import { describe, expect, it } from 'vitest';
import { configurationSchema, localDay, planClaim, planRelease, releaseBodySchema, type Lead } from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';
import { webFormIntake } from '../../support/intakes';

const config = demoConfiguration();
const nurture = config.pools.find((pool) => pool.id === 'nurture')!;
// The demo's manager, Maya, is a pool admin marked inactive (routing passes her by); these rules are about admins who take leads.
const rep = (id: string) => ({ ...config.reps.find((candidate) => candidate.id === id)!, active: true });
const capturedAt = new Date('2026-03-02T10:00:00.000Z');

function pooled(overrides: Partial<Lead> = {}): Lead {
  return { ...webFormIntake(config, { leadId: 'lead-1', now: capturedAt }).lead, status: 'in_pool', poolId: 'nurture', ...overrides };
}

const claimAt = (lead: Lead, repId: string, now: Date, pool = nurture) => planClaim({ lead, pool, rep: rep(repId), timeZone: 'Asia/Shanghai', now, eventId: 'claim-1' });

describe('pool claim rules (pure)', () => {
  it('gives an unowned pooled lead to a member with the daily counter of their local day, the holding cap and the event', () => {
    const plan = claimAt(pooled(), 'rep-ava', new Date('2026-03-02T16:30:00.000Z'));
    expect(plan).toMatchObject({
      claim: {
        ownerId: 'rep-ava',
        poolId: 'nurture',
        // 16:30 UTC is already 00:30 the next day in Shanghai: the daily limit resets at the organisation's midnight.
        daily: { day: '2026-03-03', limit: 20 },
        holdingCap: 30,
        cooldownCutoff: '2026-02-23T16:30:00.000Z',
        assignment: { rule: 'claim', poolId: 'nurture', assignedAt: '2026-03-02T16:30:00.000Z' },
        historyEntry: { action: 'claimed', by: 'rep-ava', at: '2026-03-02T16:30:00.000Z' },
        event: { type: 'lead.claimed', detail: { leadId: 'lead-1', ownerId: 'rep-ava', poolId: 'nurture' } },
      },
    });
  });

  it('exempts pool admins from the daily limit and takes the smaller of capacity and holding cap', () => {
    const plan = claimAt(pooled(), 'mgr-maya', capturedAt);
    expect('claim' in plan && plan.claim.daily.limit).toBeUndefined();
    expect('claim' in plan && plan.claim.holdingCap).toBe(10);
  });

  it('refuses non-members with 403, and owned, elsewhere or too-new leads with 409 naming the rule', () => {
    const pool = { ...nurture, members: ['rep-ben'], admins: [] };
    expect(claimAt(pooled(), 'rep-ava', capturedAt, pool)).toEqual({ refusal: { status: 403, rule: 'not_member', message: 'rep-ava is not a member of pool nurture' } });
    expect(claimAt(pooled({ ownerId: 'rep-ben', status: 'assigned' }), 'rep-ava', capturedAt)).toEqual({ refusal: { status: 409, rule: 'already_owned', message: 'lead lead-1 is already owned by another rep' } });
    expect(claimAt(pooled({ poolId: 'key-accounts' }), 'rep-ava', capturedAt)).toMatchObject({ refusal: { status: 409, rule: 'not_in_pool' } });
    expect(claimAt(pooled({ status: 'new' }), 'rep-ava', capturedAt)).toMatchObject({ refusal: { status: 409, rule: 'not_in_pool' } });
    const waiting = { ...nurture, claim: { ...nurture.claim, newLeadWaitMinutes: 30 } };
    expect(claimAt(pooled(), 'rep-ava', new Date('2026-03-02T10:29:59.000Z'), waiting)).toEqual({
      refusal: { status: 409, rule: 'new_lead_wait', message: 'new leads wait 30 minutes before they may be claimed; lead lead-1 may be claimed from 2026-03-02T10:30:00.000Z' },
    });
    expect(claimAt(pooled(), 'rep-ava', new Date('2026-03-02T10:30:00.000Z'), waiting)).toHaveProperty('claim');
  });

  it('refuses a rep marked inactive with 403 naming the rule, as routing and managers pass them by', () => {
    const leaving = { ...rep('rep-ava'), active: false };
    expect(planClaim({ lead: pooled(), pool: nurture, rep: leaving, timeZone: 'UTC', now: capturedAt, eventId: 'claim-1' })).toEqual({
      refusal: { status: 403, rule: 'inactive', message: 'rep-ava is inactive (active: false in the configuration) and may not claim leads' },
    });
  });

  it("names a lead's owner in a refused claim only to whom the dedup check names them: the owner, managers and admins", () => {
    const owned = pooled({ ownerId: 'rep-ben', status: 'assigned' });
    const claimAs = (repId: string, roles: Array<'rep' | 'manager' | 'admin'>) =>
      planClaim({ lead: owned, pool: nurture, rep: rep(repId), principal: { id: repId, roles }, timeZone: 'UTC', now: capturedAt, eventId: 'claim-1' });
    expect(claimAs('rep-ava', ['rep'])).toEqual({ refusal: { status: 409, rule: 'already_owned', message: 'lead lead-1 is already owned by another rep' } });
    expect(claimAs('rep-ben', ['rep'])).toEqual({ refusal: { status: 409, rule: 'already_owned', message: 'lead lead-1 is already owned by rep-ben' } });
    expect(claimAs('mgr-maya', ['manager'])).toEqual({ refusal: { status: 409, rule: 'already_owned', message: 'lead lead-1 is already owned by rep-ben' } });
    expect(claimAs('mgr-maya', ['rep', 'admin'])).toEqual({ refusal: { status: 409, rule: 'already_owned', message: 'lead lead-1 is already owned by rep-ben' } });
  });

  it('lifts a lock an earlier version left on the waiting lead: the claim holds only while it is there, names it on the timeline and tells lead.unlocked of the new owner', () => {
    const now = new Date('2026-03-02T16:30:00.000Z');
    const plan = claimAt(pooled({ lock: { by: 'mgr-maya', at: '2026-03-02T11:00:00.000Z', reason: 'key account' } }), 'rep-ben', now);
    expect(plan).toMatchObject({
      claim: {
        lockedAt: '2026-03-02T11:00:00.000Z',
        historyEntry: { action: 'claimed', by: 'rep-ben', detail: 'claimed from pool nurture (daily limit 20); the lock mgr-maya put on it is lifted' },
        event: { type: 'lead.claimed' },
        unlockedEvent: {
          type: 'lead.unlocked',
          detail: { eventId: 'claim-1.unlocked', leadId: 'lead-1', poolId: 'nurture', ownerId: 'rep-ben', by: 'rep-ben', reason: 'claimed from pool nurture', changedAt: now.toISOString() },
        },
      },
    });
    const unlocked = claimAt(pooled(), 'rep-ben', now);
    expect('claim' in unlocked && unlocked.claim).not.toHaveProperty('lockedAt');
    expect('claim' in unlocked && unlocked.claim).not.toHaveProperty('unlockedEvent');
    expect('claim' in unlocked && unlocked.claim.historyEntry.detail).toBe('claimed from pool nurture (daily limit 20)');
  });

  it('refuses the previous owner inside the cooldown and allows them after it; others at once', () => {
    const released = pooled({ previousOwnerId: 'rep-ava', releasedAt: '2026-03-02T12:00:00.000Z' });
    expect(claimAt(released, 'rep-ava', new Date('2026-03-09T11:59:59.999Z'))).toEqual({
      refusal: {
        status: 409,
        rule: 'previous_owner_cooldown',
        message: 'previous owner cooldown 7 days: rep-ava released lead lead-1 at 2026-03-02T12:00:00.000Z and may claim it again from 2026-03-09T12:00:00.000Z',
      },
    });
    expect(claimAt(released, 'rep-ava', new Date('2026-03-09T12:00:00.000Z'))).toHaveProperty('claim');
    expect(claimAt(released, 'rep-ben', new Date('2026-03-02T12:00:01.000Z'))).toHaveProperty('claim');
  });

  it('lets only the owner release a held lead, with a reason from the pool list', () => {
    const held = pooled({ ownerId: 'rep-ava', status: 'assigned' });
    const now = new Date('2026-03-03T09:00:00.000Z');
    expect(planRelease({ lead: held, pool: nurture, repId: 'rep-ava', reason: 'no_need_now', now, eventId: 'release-1' })).toMatchObject({
      release: { ownerId: 'rep-ava', poolId: 'nurture', historyEntry: { action: 'released', by: 'rep-ava', detail: 'released to pool nurture: no_need_now' }, event: { type: 'lead.released' } },
    });
    expect(planRelease({ lead: held, pool: nurture, repId: 'rep-ben', reason: 'no_need_now', now, eventId: 'release-1' })).toMatchObject({ refusal: { status: 403, rule: 'not_owner' } });
    expect(planRelease({ lead: { ...held, status: 'converted' }, pool: nurture, repId: 'rep-ava', reason: 'no_need_now', now, eventId: 'release-1' })).toMatchObject({ refusal: { status: 409, rule: 'not_held' } });
    expect(releaseBodySchema(nurture).safeParse({ reason: 'bored' }).success).toBe(false);
  });

  it("tells of the manager's lock a release lifts as an unlock, by the releasing owner", () => {
    const now = new Date('2026-03-03T09:00:00.000Z');
    const unlocked = planRelease({ lead: pooled({ ownerId: 'rep-ava', status: 'assigned' }), pool: nurture, repId: 'rep-ava', reason: 'no_need_now', now, eventId: 'release-1' });
    expect(unlocked).toHaveProperty('release');
    expect(unlocked).not.toHaveProperty('release.unlockedEvent');
    const locked = pooled({ ownerId: 'rep-ava', status: 'assigned', lock: { by: 'mgr-maya', at: '2026-03-02T09:00:00.000Z', reason: 'key account' } });
    expect(planRelease({ lead: locked, pool: nurture, repId: 'rep-ava', reason: 'no_need_now', now, eventId: 'release-1' })).toMatchObject({
      release: {
        lockedAt: '2026-03-02T09:00:00.000Z',
        event: { type: 'lead.released', detail: { eventId: 'release-1' } },
        unlockedEvent: {
          type: 'lead.unlocked',
          detail: { eventId: 'release-1.unlocked', leadId: 'lead-1', by: 'rep-ava', reason: 'released to pool nurture: no_need_now', changedAt: now.toISOString() },
        },
      },
    });
    // Without an owner, as the release leaves the lead: applied after lead.released, it gives the lead back to nobody.
    expect(planRelease({ lead: locked, pool: nurture, repId: 'rep-ava', reason: 'no_need_now', now, eventId: 'release-1' })).not.toHaveProperty('release.unlockedEvent.detail.ownerId');
  });

  it('reads the local day in the organisation time zone', () => {
    expect(localDay(new Date('2026-03-02T03:00:00.000Z'), 'America/New_York')).toBe('2026-03-01');
    // Four digits whatever the year, and the ISO year (0000 is 1 BC), as ROI's day keys need.
    expect(localDay(new Date('0206-03-10T12:00:00.000Z'), 'UTC')).toBe('0206-03-10');
    expect(localDay(new Date('0000-06-01T00:00:00.000Z'), 'UTC')).toBe('0000-06-01');
    expect(localDay(new Date('2026-03-10T23:30:00.000Z'), 'Asia/Shanghai')).toBe('2026-03-11');
  });

  it('documents defaults and refuses unknown pool admins', () => {
    const document = JSON.parse(JSON.stringify(demoConfiguration()));
    delete document.pools[0].claim;
    delete document.pools[0].releaseReasons;
    const parsed = configurationSchema.parse(document);
    expect(parsed.pools[0].claim).toEqual({ dailyLimit: 20, previousOwnerCooldownDays: 7, newLeadWaitMinutes: 0 });
    expect(parsed.pools[0].releaseReasons.length).toBeGreaterThan(0);
    document.pools[0].admins = ['rep-ghost'];
    const result = configurationSchema.safeParse(document);
    expect(result.success || result.error.issues.map((issue) => issue.path.join('.'))).toEqual(['pools.0.admins.0']);
  });
});

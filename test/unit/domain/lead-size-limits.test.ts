import { describe, expect, it } from 'vitest';
import {
  conversionBodySchema,
  conversionCorrectionBodySchema,
  isPastRepeatableStepsLimit,
  isPastScheduledStepsLimit,
  leadBytes,
  planClaim,
  planConversion,
  planConversionCorrection,
  planLockChange,
  planManualAssignment,
  planRelease,
  planStatusChange,
  planTagChange,
  repeatableStepsLimitBytes,
  scheduledStepsLimitBytes,
  statusBodySchema,
  type Lead,
  type LeadHistoryEntry,
  type Principal,
} from '@leadflow/domain';
import { config, nurture, rep, now, ava, ben, maya } from '../../support/lifecycle-fixtures';
import { webFormIntake } from '../../support/intakes';

const finance: Principal = { id: 'fin-fay', roles: ['finance'] };

const workedRounds: LeadHistoryEntry[] = [
  { at: '2026-03-01T09:00:00.000Z', action: 'claimed', by: 'rep-ava', detail: 'claimed from pool nurture (daily limit 20)' },
  { at: '2026-03-01T09:05:00.000Z', action: 'released', by: 'rep-ava', detail: 'released to pool nurture: no_need_now' },
  { at: '2026-03-01T09:10:00.000Z', action: 'locked', by: 'mgr-maya' },
  { at: '2026-03-01T09:15:00.000Z', action: 'unlocked', by: 'mgr-maya' },
];
const roundBytes = new TextEncoder().encode(JSON.stringify(workedRounds)).byteLength;
/** Rounds enough to take the demo's fresh lead some 2 KB past the limit, whatever a case overrides. */
const rounds = Math.ceil((repeatableStepsLimitBytes + 2048) / roundBytes);
const wornHistory = Array.from({ length: rounds }, () => workedRounds).flat();

/**
 * A lead worked for a long time: claimed and released, locked and unlocked, again and again, with no notes,
 * until it holds more than `repeatableStepsLimitBytes`.
 */
function padded(overrides: Partial<Lead> = {}): Lead {
  const lead: Lead = { ...webFormIntake(config, { leadId: 'worn-lead' }).lead, poolId: 'nurture', status: 'assigned', ownerId: 'rep-ava', ...overrides };
  return { ...lead, history: [...lead.history, ...wornHistory] };
}

const fullRefusal = (step: string) => ({
  status: 409,
  rule: 'lead_full',
  message: `lead worn-lead's timeline is full (over 300 KB): ${step} is refused so that its steps that happen once (contacted, qualified, converted, invalid) keep room`,
});

const status = (body: unknown, from: Lead, by: Principal = ava) => planStatusChange({ lead: from, pool: nurture, principal: by, body: statusBodySchema(nurture).parse(body), now, eventId: 'e-1' });
const lockChange = (from: Lead, lock: boolean, by: Principal = maya) => planLockChange({ lead: from, principal: by, lock, now, eventId: 'e-1' });
const tagChange = (from: Lead, add: boolean, by: Principal = ava) => planTagChange({ lead: from, principal: by, tag: 'high-intent', add, tags: config.tags, now, eventId: 'e-1' });
const assign = (from: Lead, repId: string, by: Principal = maya) => planManualAssignment({ lead: from, pool: nurture, principal: by, target: rep(repId), repId, now, eventId: 'e-1' });
const release = (from: Lead, repId = 'rep-ava') => planRelease({ lead: from, pool: nurture, repId, reason: 'no_need_now', now, eventId: 'e-1' });
const sale = { revenue: 1200, currency: 'USD', wonAt: '2026-03-01T10:00:00.000Z' };
const converted = () => padded({ status: 'converted', conversion: { ...sale, by: 'rep-ava' } });
const correct = (from: Lead, revenue: number, by: Principal = finance) =>
  planConversionCorrection({ lead: from, principal: by, correction: conversionCorrectionBodySchema(now).parse({ revenue, currency: 'USD', reason: 'refund' }), now, eventId: 'e-1' });

describe('a lead past the limit for repeatable steps (300 KB)', () => {
  it('is padded with claims, releases, locks and unlocks only, no notes', () => {
    const lead = padded();
    expect(leadBytes(lead)).toBeGreaterThan(repeatableStepsLimitBytes);
    expect(leadBytes(lead)).toBeLessThan(repeatableStepsLimitBytes + 4096);
    expect(new Set(lead.history.map((entry) => entry.action))).toEqual(new Set(['captured', 'claimed', 'released', 'locked', 'unlocked']));
  });

  it('refuses a lock and an unlock with 409 lead_full', () => {
    expect(lockChange(padded(), true)).toEqual({ refusal: fullRefusal('locking') });
    expect(lockChange(padded({ lock: { by: 'mgr-maya', at: '2026-03-01T09:10:00.000Z' } }), false)).toEqual({ refusal: fullRefusal('unlocking') });
  });

  it('refuses adding and removing a tag with 409 lead_full', () => {
    expect(tagChange(padded(), true)).toEqual({ refusal: fullRefusal('adding a tag') });
    expect(tagChange(padded({ tags: ['high-intent'] }), false)).toEqual({ refusal: fullRefusal('removing a tag') });
  });

  it('refuses transferring an owned lead, and still lets a manager assign one waiting unowned in its pool', () => {
    expect(assign(padded(), 'rep-ben')).toEqual({ refusal: fullRefusal('transferring') });
    const { ownerId: _ownerId, ...waiting } = padded({ status: 'in_pool' });
    const plan = assign(waiting, 'rep-ben');
    expect('transition' in plan && plan.transition.after).toMatchObject({ status: 'assigned', ownerId: 'rep-ben' });
  });

  it('refuses a release with 409 lead_full', () => {
    expect(release(padded())).toEqual({ refusal: fullRefusal('releasing') });
  });

  it('refuses reactivating an invalid lead with 409 lead_full', () => {
    const { ownerId: _ownerId, ...invalid } = padded({ status: 'invalid', statusReason: 'unreachable' });
    invalid.history = [...invalid.history, { at: '2026-03-01T12:00:00.000Z', action: 'invalidated', by: 'rep-ava', detail: 'invalid: unreachable' }];
    expect(status({ status: 'reactivate' }, invalid, maya)).toEqual({ refusal: fullRefusal('reactivating') });
  });

  it('refuses a conversion correction with 409 lead_full, and still answers a retry of one the conversion holds as unchanged', () => {
    expect(correct(converted(), 0)).toEqual({ refusal: fullRefusal('correcting a conversion') });
    expect(correct(converted(), sale.revenue)).toEqual({ unchanged: true });
  });

  it('answers a step the caller may not take, or the lead cannot take, as before: 403 and illegal transitions first', () => {
    expect(lockChange(padded(), true, ava)).toMatchObject({ refusal: { status: 403, rule: 'not_manager' } });
    expect(lockChange(padded(), false)).toMatchObject({ refusal: { status: 409, rule: 'not_locked' } });
    expect(tagChange(padded(), true, ben)).toMatchObject({ refusal: { status: 403, rule: 'may_not_tag' } });
    expect(tagChange(padded({ tags: ['high-intent'] }), true)).toMatchObject({ refusal: { status: 409, rule: 'already_tagged' } });
    expect(assign(padded(), 'rep-ben', ava)).toMatchObject({ refusal: { status: 403, rule: 'not_pool_manager' } });
    expect(assign(padded(), 'rep-ava')).toMatchObject({ refusal: { status: 409, rule: 'already_owner' } });
    expect(release(padded(), 'rep-ben')).toMatchObject({ refusal: { status: 403, rule: 'not_owner' } });
    expect(release(padded({ status: 'converted' }))).toMatchObject({ refusal: { status: 409, rule: 'not_held' } });
    expect(status({ status: 'reactivate' }, padded(), ava)).toMatchObject({ refusal: { status: 403, rule: 'not_pool_manager' } });
    expect(status({ status: 'reactivate' }, padded(), maya)).toMatchObject({ refusal: { status: 409, rule: 'illegal_transition' } });
    expect(correct(converted(), 0, ben)).toMatchObject({ refusal: { status: 403, rule: 'not_owner' } });
    expect(correct(padded(), 0)).toMatchObject({ refusal: { status: 409, rule: 'illegal_transition' } });
  });

  it('still plans the steps that happen once a cycle: contacted, qualified, convert, invalid', () => {
    const contacted = status({ status: 'contacted' }, padded());
    expect('transition' in contacted && contacted.transition.after.status).toBe('contacted');
    const qualified = status({ status: 'qualified', qualification: 'sql' }, padded({ status: 'contacted' }));
    expect('transition' in qualified && qualified.transition.after.status).toBe('qualified');
    const convert = planConversion({ lead: padded({ status: 'qualified' }), principal: ava, conversion: conversionBodySchema(now).parse(sale), now, eventId: 'e-1' });
    expect('transition' in convert && convert.transition.after.status).toBe('converted');
    const invalid = status({ status: 'invalid', reason: 'unreachable' }, padded());
    expect('transition' in invalid && invalid.transition.after.status).toBe('invalid');
  });

  it('still plans the claim of a lead waiting unowned in its pool', () => {
    const { ownerId: _ownerId, ...waiting } = padded({ status: 'in_pool', capturedAt: '2026-03-01T08:00:00.000Z' });
    const plan = planClaim({ lead: waiting, pool: nurture, rep: rep('rep-ben'), timeZone: config.organisation.timeZone, now, eventId: 'e-1' });
    expect(plan).toMatchObject({ claim: { ownerId: 'rep-ben', poolId: 'nurture' } });
  });
});

describe('the two limits', () => {
  /** The demo's fresh lead with one activity entry whose detail takes it to exactly `bytes`. */
  function leadOf(bytes: number): Lead {
    const lead = webFormIntake(config, { leadId: 'sized-lead' }).lead;
    const entry = (detail: string): LeadHistoryEntry => ({ at: '2026-03-01T09:00:00.000Z', action: 'activity', by: 'rep-ava', detail });
    const empty = leadBytes({ ...lead, history: [...lead.history, entry('')] });
    return { ...lead, history: [...lead.history, entry('x'.repeat(bytes - empty))] };
  }

  it('holds a lead at exactly a limit within it, and one byte more past it', () => {
    expect(leadBytes(leadOf(repeatableStepsLimitBytes))).toBe(repeatableStepsLimitBytes);
    expect(isPastRepeatableStepsLimit(leadOf(repeatableStepsLimitBytes))).toBe(false);
    expect(isPastRepeatableStepsLimit(leadOf(repeatableStepsLimitBytes + 1))).toBe(true);
    expect(isPastScheduledStepsLimit(leadOf(repeatableStepsLimitBytes + 1))).toBe(false);
    expect(isPastScheduledStepsLimit(leadOf(scheduledStepsLimitBytes))).toBe(false);
    expect(isPastScheduledStepsLimit(leadOf(scheduledStepsLimitBytes + 1))).toBe(true);
  });
});

describe('a touch and the size of the lead', () => {
  const later = new Date('2026-03-05T10:00:00.000Z');
  const personKey = { key: 'email#worn-lead@example.com', kind: 'person' as const };
  const post = (answers: Record<string, string>, contact: Record<string, string> = { name: 'Ada', email: 'worn-lead@example.com' }) => webFormIntake(config, { leadId: 'worn-lead-again', contact, answers, now: later });

  it('gains no answers, and no contact field but an email or phone, on a lead past the limit', () => {
    const lead = padded();
    const touch = post({ company_size: '1000+' }, { name: 'Ada', email: 'worn-lead@example.com', title: 'CTO', company: 'Bigco', phone: '+1 650 555 0123' }).touch(lead, [personKey]);
    expect(touch.gained).toEqual({ contact: { ...lead.contact, phone: '+16505550123', phoneCountry: 'US' }, answers: lead.answers, dedupKeys: [{ key: 'phone#+16505550123', kind: 'person' }] });
    expect(touch.historyEntry.detail).toContain('; phone added');
    expect(touch.historyEntry.detail).not.toContain('answers.');
    // Below the limit the same post adds all of it.
    const fresh = post({ company_size: '1000+' }, { name: 'Ada', email: 'worn-lead@example.com', title: 'CTO' }).touch(webFormIntake(config, { leadId: 'worn-lead' }).lead, [personKey]);
    expect(fresh.gained?.answers).toEqual({ company_size: '1000+' });
    expect(fresh.gained?.contact.title).toBe('CTO');
  });

  it('counts the 64 KB of answers a touch may add to in UTF-8 bytes: 30,000 Chinese characters (some 90 KB) take no more', () => {
    const lead = { ...webFormIntake(config, { leadId: 'worn-lead' }).lead, answers: { notes: '客'.repeat(30_000) } };
    expect(leadBytes(lead)).toBeLessThan(repeatableStepsLimitBytes);
    const touch = post({ company_size: '1000+' }).touch(lead, [personKey]);
    expect(touch.gained).toBeUndefined();
  });
});

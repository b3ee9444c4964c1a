import { describe, expect, it } from 'vitest';
import {
  activityBodySchema,
  configurationSchema,
  consentGivenEntries,
  defaultRetention,
  earlierExpiry,
  erasePersonFromLead,
  expiresAfterDays,
  holdsPersonalData,
  withoutPersonalData,
  leadEventDetailSchemas,
  leadExpiresAt,
  personalFieldsOfEvent,
  planActivity,
  planLockChange,
  planManualAssignment,
  planStatusChange,
  planTagChange,
  prepareIntake,
  retentionSchema,
  statusBodySchema,
  wasErased,
  type Lead,
  type LeadEvent,
  type LifecyclePlan,
} from '@leadflow/domain';
import { demoConfiguration } from '../../support/demo-configuration';
import { webFormIntake } from '../../support/intakes';

const capturedAt = '2026-03-02T10:00:00.000Z';
const day = 24 * 3600;

function transitionOf(plan: LifecyclePlan) {
  if ('refusal' in plan) throw new Error(`refused: ${plan.refusal.message}`);
  return plan.transition;
}

describe('retention', () => {
  it('defaults to 30 days for test and quarantined leads, raw deliveries, webhook deliveries and unpublishable outbox items, a year for invalid leads, 90 days for notifications and queued conversions', () => {
    expect(defaultRetention).toEqual({
      testLeadDays: 30,
      quarantinedLeadDays: 30,
      invalidLeadDays: 365,
      intakePayloadDays: 30,
      notificationDays: 90,
      conversionFeedbackDays: 90,
      webhookDeliveryDays: 30,
      unpublishableEventDays: 30,
    });
    expect(demoConfiguration().retention).toEqual(defaultRetention);
  });

  it('names the field of a bad value', () => {
    const { retention: _retention, ...rest } = demoConfiguration();
    const result = configurationSchema.safeParse({ ...rest, retention: { invalidLeadDays: 0 } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain('retention.invalidLeadDays');
    expect(retentionSchema.safeParse({ notificationDays: 1.5 }).success).toBe(false);
    expect(retentionSchema.safeParse({ conversionFeedbackDays: 0 }).success).toBe(false);
    expect(retentionSchema.safeParse({ conversionFeedbackDays: 3651 }).success).toBe(false);
    expect(retentionSchema.safeParse({ webhookDeliveryDays: 0 }).success).toBe(false);
    expect(retentionSchema.safeParse({ webhookDeliveryDays: 7.5 }).success).toBe(false);
    expect(retentionSchema.safeParse({ keepForever: true }).success).toBe(false);
  });

  it('expires test leads and quarantined leads from capture, invalid leads from when they became invalid, and never a lead to work', () => {
    const retention = retentionSchema.parse({ testLeadDays: 2, quarantinedLeadDays: 4, invalidLeadDays: 8 });
    const base = { isTest: false, status: 'new' as const, capturedAt, history: [] };
    const epoch = Date.parse(capturedAt) / 1000;
    expect(leadExpiresAt({ ...base, isTest: true, status: 'assigned' }, retention)).toBe(epoch + 2 * day);
    expect(leadExpiresAt({ ...base, status: 'quarantined' }, retention)).toBe(epoch + 4 * day);
    expect(leadExpiresAt({ ...base, status: 'invalid' }, retention), 'captured invalid').toBe(epoch + 8 * day);
    const invalidated = { ...base, status: 'invalid' as const, history: [{ at: '2026-03-10T00:00:00.000Z', action: 'invalidated' as const, by: 'rep-ava' }] };
    expect(leadExpiresAt(invalidated, retention)).toBe(Date.parse('2026-03-10T00:00:00.000Z') / 1000 + 8 * day);
    const erased = { ...invalidated, history: [...invalidated.history, { at: '2026-03-12T00:00:00.000Z', action: 'erased' as const, by: 'admin:ops' }] };
    expect(leadExpiresAt(erased, retention)).toBe(Date.parse('2026-03-12T00:00:00.000Z') / 1000 + 8 * day);
    for (const status of ['new', 'in_pool', 'assigned', 'contacted', 'qualified', 'converted'] as const) expect(leadExpiresAt({ ...base, status }, retention)).toBeUndefined();
    expect(expiresAfterDays('2026-03-02T10:00:00.500Z', 1)).toBe(Math.floor(Date.parse('2026-03-02T10:00:00.500Z') / 1000) + day);
  });

  it('lets the earlier of two expiries win, where an absent one means kept', () => {
    expect(earlierExpiry(100, 200)).toBe(100);
    expect(earlierExpiry(200, 100)).toBe(100);
    expect(earlierExpiry(undefined, 200)).toBe(200);
    expect(earlierExpiry(100, undefined)).toBe(100);
    expect(earlierExpiry(undefined, undefined)).toBeUndefined();
  });

  it('keeps counting an invalid lead from when it became invalid when it is tagged later', () => {
    const config = demoConfiguration();
    const pool = config.pools.find((candidate) => candidate.id === 'nurture')!;
    const maya = { id: 'mgr-maya', roles: ['manager' as const] };
    const pooled = { ...webFormIntake(config, { leadId: 'lead-1' }).lead, poolId: 'nurture', status: 'in_pool' as const };
    const invalid = transitionOf(planStatusChange({ lead: pooled, pool, principal: maya, body: { status: 'invalid', reason: 'fake' }, now: new Date('2026-03-03T09:00:00.000Z'), eventId: 'e-1' })).after;
    const tagged = transitionOf(planTagChange({ lead: invalid, principal: maya, tag: 'vip', add: true, tags: config.tags, now: new Date('2027-02-01T09:00:00.000Z'), eventId: 'e-2' })).after;
    expect(leadExpiresAt(tagged, defaultRetention)).toBe(expiresAfterDays('2026-03-03T09:00:00.000Z', 365));
  });
});

describe('consent at capture', () => {
  const consent = { version: 'v3', text: 'You may contact me and send me news.', purposes: ['contact' as const, 'marketing_email' as const], givenAt: capturedAt, ip: '192.0.2.1', userAgent: 'Safari' };

  it('becomes one given ledger entry per purpose, contact alone when the consent names none', () => {
    expect(consentGivenEntries('lead-1', consent, 'form:demo')).toEqual([
      { leadId: 'lead-1', purpose: 'contact', action: 'given', at: capturedAt, source: 'form:demo', version: 'v3', text: consent.text, ip: '192.0.2.1', userAgent: 'Safari' },
      { leadId: 'lead-1', purpose: 'marketing_email', action: 'given', at: capturedAt, source: 'form:demo', version: 'v3', text: consent.text, ip: '192.0.2.1', userAgent: 'Safari' },
    ]);
    const { purposes: _purposes, ip: _ip, userAgent: _userAgent, ...plain } = consent;
    expect(consentGivenEntries('lead-2', plain, 'webhook:partner')).toEqual([{ leadId: 'lead-2', purpose: 'contact', action: 'given', at: capturedAt, source: 'webhook:partner', version: 'v3', text: consent.text }]);
    expect(consentGivenEntries('lead-1', consent, 'form:demo').every(holdsPersonalData)).toBe(true);
    expect(holdsPersonalData(consentGivenEntries('lead-2', plain, 'webhook:partner')[0])).toBe(false);
  });

  it('keeps, without what identifies the person, the fact of consent, its purpose, text, version and time', () => {
    const [entry] = consentGivenEntries('lead-1', consent, 'form:demo');
    expect(withoutPersonalData(entry)).toEqual({ leadId: 'lead-1', purpose: 'contact', action: 'given', at: capturedAt, source: 'form:demo', version: 'v3', text: consent.text });
    expect(holdsPersonalData(withoutPersonalData(entry))).toBe(false);
  });

  it('is prepared with the intake, for the new lead and for a touch of an existing one', () => {
    const config = demoConfiguration();
    expect(webFormIntake(config, { leadId: 'lead-3' }).consents).toEqual([]);
    const submission = {
      sourceKind: 'web_form' as const,
      channel: 'website',
      formId: 'demo',
      poolId: 'americas-inbound',
      defaultCountry: 'US',
      contact: { email: 'cy@example.com' },
      answers: {},
      attribution: {},
      isTest: false,
      consent,
    };
    const prepared = prepareIntake(submission, { leadId: 'lead-4', eventId: 'e-4', touchEventId: 't-4' }, new Date(capturedAt), config);
    expect(prepared.consents).toEqual(consentGivenEntries('lead-4', consent, 'form:demo'));
    const existing = webFormIntake(config, { leadId: 'lead-earlier' }).lead;
    expect(prepared.touch(existing, prepared.dedupKeys).consents).toEqual(consentGivenEntries('lead-earlier', consent, 'form:demo'));
  });
});

describe('erasure by an admin', () => {
  it('names who erased the person on the timeline, and the lead remembers it was erased', () => {
    const lead = webFormIntake(demoConfiguration(), { leadId: 'lead-5' }).lead;
    expect(wasErased(lead)).toBe(false);
    const erasure = erasePersonFromLead(lead, { at: '2026-03-05T00:00:00.000Z', eventId: 'e-1', by: 'admin:ines' })!;
    expect(erasure.lead.history.at(-1)).toEqual({ at: '2026-03-05T00:00:00.000Z', action: 'erased', by: 'admin:ines', detail: "erased at the person's request" });
    expect(wasErased(erasure.lead)).toBe(true);
    expect(erasure.personKeys).toEqual(['email#lead-5@example.com']);
  });

  it('leaves the tags of an erased lead as they were: adding or removing one is refused', () => {
    const config = demoConfiguration();
    const admin = { id: 'ines', roles: ['admin' as const] };
    const lead = { ...webFormIntake(config, { leadId: 'lead-7' }).lead, tags: ['vip'] };
    const erased = erasePersonFromLead(lead, { at: '2026-03-05T00:00:00.000Z', eventId: 'e-1', by: 'admin:ines' })!.lead;
    const change = (tag: string, add: boolean) => planTagChange({ lead: erased, principal: admin, tag, add, tags: config.tags, now: new Date('2026-03-06T00:00:00.000Z'), eventId: 'e-2' });
    expect(change('high-intent', true)).toEqual({ refusal: expect.objectContaining({ status: 409, rule: 'erased' }) });
    expect(change('vip', false)).toEqual({ refusal: expect.objectContaining({ status: 409, rule: 'erased' }) });
  });

  /** A lead people worked and wrote about: assigned and transferred with reasons, a call's outcome, a status note, a lock's reason. */
  function workedLead() {
    const config = demoConfiguration();
    const nurture = config.pools.find((pool) => pool.id === 'nurture')!;
    const maya = { id: 'mgr-maya', roles: ['manager' as const] };
    const ava = { id: 'rep-ava', roles: ['rep' as const] };
    const rep = (id: string) => config.reps.find((candidate) => candidate.id === id)!;
    const prepared = webFormIntake(config, { leadId: 'lead-6', contact: { name: 'Ada', email: 'lead-6@example.com', country: 'FR' } });
    const events: LeadEvent[] = [...prepared.events];
    let lead: Lead = { ...prepared.lead, poolId: 'nurture', status: 'in_pool' };
    const step = (plan: LifecyclePlan) => {
      const transition = transitionOf(plan);
      events.push(transition.event);
      lead = transition.after;
    };
    const at = (minute: number) => new Date(Date.parse('2026-03-03T09:00:00.000Z') + minute * 60_000);
    step(planManualAssignment({ lead, pool: nurture, principal: maya, target: rep('rep-ava'), repId: 'rep-ava', reason: 'Ada asked for Ava by name', now: at(0), eventId: 'e-assign' }));
    step(planActivity({ lead, principal: ava, activity: activityBodySchema(at(1)).parse({ kind: 'call', outcome: 'Ada is on leave until May' }), now: at(1), eventId: 'e-call' }));
    step(planStatusChange({ lead, pool: nurture, principal: ava, body: statusBodySchema(nurture).parse({ status: 'contacted', note: 'Ada prefers calls after 5' }), now: at(2), eventId: 'e-contacted' }));
    step(planManualAssignment({ lead, pool: nurture, principal: maya, target: rep('rep-ben'), repId: 'rep-ben', reason: 'Ada speaks French with Ben', now: at(3), eventId: 'e-transfer' }));
    step(planLockChange({ lead, principal: maya, lock: true, reason: "Ada's husband is our CFO", now: at(4), eventId: 'e-lock' }));
    return { lead, events };
  }
  const typedWords = ['asked for Ava by name', 'on leave until May', 'calls after 5', 'speaks French', 'our CFO'];

  it('takes out what people typed about the person from the timeline and the lock, keeping every entry with its action, time and actor', () => {
    const { lead } = workedLead();
    expect(JSON.stringify(lead)).toContain('on leave until May');
    const erasure = erasePersonFromLead(lead, { at: '2026-03-05T00:00:00.000Z', eventId: 'e-erased', by: 'admin:ines' })!;
    const text = JSON.stringify(erasure.lead);
    for (const words of typedWords) expect(text).not.toContain(words);
    expect(erasure.lead.history.map(({ at, action, by }) => ({ at, action, by }))).toEqual([
      ...lead.history.map(({ at, action, by }) => ({ at, action, by })),
      { at: '2026-03-05T00:00:00.000Z', action: 'erased', by: 'admin:ines' },
    ]);
    // A detail Leadflow wrote itself, as the capture's, stays.
    expect(erasure.lead.history[0]).toEqual(lead.history[0]);
    expect(erasure.lead.lock).toEqual({ by: 'mgr-maya', at: '2026-03-03T09:04:00.000Z' });
    expect(erasePersonFromLead(erasure.lead, { at: '2026-03-06T00:00:00.000Z', eventId: 'e-again' })).toBeUndefined();
  });

  it('erases again a lead erased before erasure reached typed words, and then nothing more', () => {
    const { lead } = workedLead();
    const erasure = erasePersonFromLead(lead, { at: '2026-03-05T00:00:00.000Z', eventId: 'e-erased', by: 'admin:ines' })!;
    // As an erasure by an earlier version left it: the person's data gone, the timeline's and the lock's words kept.
    const erasedEarlier: Lead = { ...erasure.lead, history: [...lead.history, erasure.lead.history.at(-1)!], lock: lead.lock };
    const again = erasePersonFromLead(erasedEarlier, { at: '2026-03-06T00:00:00.000Z', eventId: 'e-again', by: 'admin:ines' });
    expect(again).toBeDefined();
    for (const words of typedWords) expect(JSON.stringify(again!.lead)).not.toContain(words);
    expect(again!.event).toMatchObject({ type: 'lead.erased', detail: { eventId: 'e-again' } });
    expect(erasePersonFromLead(again!.lead, { at: '2026-03-07T00:00:00.000Z', eventId: 'e-third' })).toBeUndefined();
    // Invalid since its first erasure: erasing it again does not keep it longer.
    expect(leadExpiresAt(again!.lead, defaultRetention)).toBe(leadExpiresAt(erasure.lead, defaultRetention));
  });

  it("names the fields of the lead's unpublished events that hold the person, and taking them out leaves every event valid", () => {
    const { events } = workedLead();
    const stripped = events.map(({ type, detail }) => {
      const kept: Record<string, unknown> = { ...detail };
      for (const field of personalFieldsOfEvent(type)) delete kept[field];
      return { type, detail: leadEventDetailSchemas[type].parse(kept) };
    });
    const of = (type: LeadEvent['type']) => JSON.stringify(stripped.filter((event) => event.type === type));
    expect(events.find((event) => event.type === 'lead.scored')?.detail).toMatchObject({ country: 'FR' });
    expect(stripped.find((event) => event.type === 'lead.scored')?.detail).not.toHaveProperty('country');
    expect(of('lead.activity_logged')).not.toContain('on leave until May');
    expect(of('lead.assigned')).not.toContain('asked for Ava by name');
    expect(of('lead.assigned')).not.toContain('speaks French');
    // The notes of a status change and a lock too, each removed from its own event type only (other types require a `reason`).
    expect(JSON.stringify(events)).toContain('calls after 5');
    for (const words of typedWords) expect(JSON.stringify(stripped)).not.toContain(words);
  });
});

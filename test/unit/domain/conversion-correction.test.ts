import { describe, expect, it } from 'vitest';
import {
  conversionCorrectionBodySchema,
  correctionAnswer,
  erasePersonFromLead,
  leadEventDetailSchemas,
  outboundWebhooksSchema,
  personalFieldsOfEvent,
  planConversionCorrection,
  type Lead,
  type Principal,
} from '@leadflow/domain';
import { config, now, ava, ben, maya } from '../../support/lifecycle-fixtures';
import { webFormIntake } from '../../support/intakes';

const fiona: Principal = { id: 'fin-fiona', roles: ['finance'] };
const wonAt = '2026-03-02T10:00:00.000Z';

/** A lead Ava converted for 4800 USD (deal CRM-42). */
function converted(overrides: Partial<Lead> = {}): Lead {
  return {
    ...webFormIntake(config, { leadId: 'lead-1' }).lead,
    poolId: 'nurture',
    status: 'converted',
    ownerId: 'rep-ava',
    conversion: { revenue: 4800, currency: 'USD', wonAt, dealId: 'CRM-42', by: 'rep-ava' },
    ...overrides,
  };
}

const correct = (body: unknown, lead: Lead = converted(), by: Principal = fiona) =>
  planConversionCorrection({ lead, principal: by, correction: conversionCorrectionBodySchema(now).parse(body), now, eventId: 'e-corrected' });

function transitionOf(plan: ReturnType<typeof planConversionCorrection>) {
  if (!('transition' in plan)) throw new Error(`not a transition: ${JSON.stringify(plan)}`);
  return plan.transition;
}

describe('the body of a conversion correction', () => {
  const issuePaths = (body: unknown) =>
    conversionCorrectionBodySchema(now)
      .safeParse(body)
      .error?.issues.map((issue) => issue.path.join('.'));

  it("reads revenue, currency, wonAt and dealId by the conversion's own rules, and requires a reason", () => {
    expect(conversionCorrectionBodySchema(now).parse({ revenue: 0, currency: 'USD', reason: '  refunded in full  ' })).toEqual({ revenue: 0, currency: 'USD', reason: 'refunded in full' });
    expect(conversionCorrectionBodySchema(now).parse({ revenue: 1, currency: 'EUR', wonAt: '2026-03-02T11:00:00+01:00', dealId: 'D-1', reason: 'typo' })).toMatchObject({ wonAt: wonAt });
    expect(issuePaths({ revenue: 12.345, currency: 'USD', reason: 'x' })).toEqual(['revenue']);
    expect(issuePaths({ revenue: 1e12, currency: 'USD', reason: 'x' })).toEqual(['revenue']);
    expect(issuePaths({ revenue: -1, currency: 'USD', reason: 'x' })).toEqual(['revenue']);
    expect(issuePaths({ revenue: 1, currency: 'usd', reason: 'x' })).toEqual(['currency']);
    expect(issuePaths({ revenue: 1, currency: 'USD', wonAt: '2026-03-02T12:00:01Z', reason: 'x' })).toEqual(['wonAt']);
    expect(issuePaths({ revenue: 1, currency: 'USD', dealId: ' ', reason: 'x' })).toEqual(['dealId']);
    expect(issuePaths({ revenue: 1, currency: 'USD' })).toEqual(['reason']);
    expect(issuePaths({ revenue: 1, currency: 'USD', reason: '   ' })).toEqual(['reason']);
    expect(issuePaths({ revenue: 1, currency: 'USD', reason: 'x'.repeat(501) })).toEqual(['reason']);
    expect(issuePaths({ revenue: 1, currency: 'USD', reason: 'x', by: 'fin-fiona' })).toEqual(['']);
  });
});

describe('planConversionCorrection (pure)', () => {
  it('takes the new sale, keeps who converted it, and says what it was, what it is and why on the timeline and the bus', () => {
    const transition = transitionOf(correct({ revenue: 4300, currency: 'USD', reason: 'partial refund: one seat returned' }));
    expect(transition.after.conversion).toEqual({ revenue: 4300, currency: 'USD', wonAt, dealId: 'CRM-42', by: 'rep-ava', correctedBy: 'fin-fiona', correctedAt: now.toISOString() });
    expect(transition.after).toMatchObject({ status: 'converted', ownerId: 'rep-ava', updatedAt: now.toISOString() });
    expect(transition.after.history.at(-1)).toEqual({
      at: now.toISOString(),
      action: 'conversion_corrected',
      by: 'fin-fiona',
      detail: `corrected from 4800 USD won on ${wonAt} to 4300 USD won on ${wonAt} (deal CRM-42): partial refund: one seat returned`,
    });
    // A converted lead no longer counts towards its owner's holding cap either way.
    expect(transition.openLeads).toEqual([]);
    expect(transition.event).toEqual({
      type: 'lead.conversion_corrected',
      time: now.toISOString(),
      detail: {
        eventId: 'e-corrected',
        leadId: 'lead-1',
        // Where the lead is credited and who holds it, as every lifecycle event says, so a webhook destination can filter on them.
        poolId: 'nurture',
        channel: 'website',
        capturedAt: converted().capturedAt,
        ownerId: 'rep-ava',
        by: 'fin-fiona',
        previous: { revenue: 4800, currency: 'USD', wonAt, dealId: 'CRM-42' },
        conversion: { revenue: 4300, currency: 'USD', wonAt, dealId: 'CRM-42' },
        reason: 'partial refund: one seat returned',
        correctedAt: now.toISOString(),
      },
    });
  });

  it('takes a full refund, a new day and a new deal; a test lead’s event says so', () => {
    const transition = transitionOf(correct({ revenue: 0, currency: 'EUR', wonAt: '2026-03-01T09:00:00Z', dealId: 'CRM-43', reason: 'refunded' }, converted({ isTest: true })));
    expect(transition.after.conversion).toMatchObject({ revenue: 0, currency: 'EUR', wonAt: '2026-03-01T09:00:00.000Z', dealId: 'CRM-43' });
    expect(transition.event.detail).toMatchObject({ isTest: true, previous: { revenue: 4800, currency: 'USD', wonAt, dealId: 'CRM-42' }, conversion: { revenue: 0, currency: 'EUR', dealId: 'CRM-43' } });
    const real = transitionOf(correct({ revenue: 0, currency: 'USD', reason: 'refunded' }));
    expect(Object.hasOwn(real.event.detail, 'isTest')).toBe(false);
  });

  it('writes nothing for the conversion the lead already holds, as a retried request is', () => {
    expect(correct({ revenue: 4800, currency: 'USD', reason: 'retry' })).toEqual({ unchanged: true });
    expect(correct({ revenue: 4800, currency: 'USD', wonAt: '2026-03-02T11:00:00+01:00', dealId: 'CRM-42', reason: 'another reason, same sale' })).toEqual({ unchanged: true });
    expect(correct({ revenue: 4800, currency: 'USD', reason: 'x' }, converted({ conversion: { revenue: 4800, currency: 'USD', wonAt, by: 'rep-ava' } }))).toEqual({ unchanged: true });
    expect('transition' in correct({ revenue: 4800, currency: 'EUR', reason: 'wrong currency' })).toBe(true);
    expect('transition' in correct({ revenue: 4800, currency: 'USD', dealId: 'CRM-44', reason: 'other deal' })).toBe(true);
  });

  it("is for finance, managers, admins and the lead's owner; other reps are refused", () => {
    const body = { revenue: 1, currency: 'USD', reason: 'typo' };
    for (const principal of [fiona, maya, { id: 'adm-ines', roles: ['admin'] } as Principal, ava]) expect('transition' in correct(body, converted(), principal), principal.id).toBe(true);
    expect(correct(body, converted(), ben)).toEqual({ refusal: { status: 403, rule: 'not_owner', message: 'only finance, a manager or the owner of lead lead-1 may correct its conversion' } });
  });

  it('refuses a lead that is not converted, naming its status, and an erased one as it now is (invalid)', () => {
    const body = { revenue: 1, currency: 'USD', reason: 'typo' };
    expect(correct(body, converted({ status: 'qualified', conversion: undefined }))).toEqual({
      refusal: { status: 409, rule: 'illegal_transition', message: 'lead lead-1 is qualified; a conversion correction is allowed only from converted' },
    });
    const erased = erasePersonFromLead(converted(), { at: now.toISOString(), eventId: 'e-erased' })!.lead;
    expect(correct(body, erased)).toMatchObject({ refusal: { status: 409, rule: 'illegal_transition', message: 'lead lead-1 is invalid; a conversion correction is allowed only from converted' } });
  });

  it('leaves the reason out of the timeline and the waiting event once the person is erased, and the event stays valid', () => {
    const transition = transitionOf(correct({ revenue: 0, currency: 'USD', reason: 'Ada cancelled: her husband lost his job' }));
    const erased = erasePersonFromLead(transition.after, { at: now.toISOString(), eventId: 'e-erased' })!.lead;
    expect(JSON.stringify(erased)).not.toContain('lost his job');
    expect(erased.history.find((entry) => entry.action === 'conversion_corrected')).toEqual({ at: now.toISOString(), action: 'conversion_corrected', by: 'fin-fiona' });
    expect(personalFieldsOfEvent('lead.conversion_corrected')).toEqual(['reason']);
    const { reason: _reason, ...kept } = transition.event.detail as Record<string, unknown>;
    expect(leadEventDetailSchemas['lead.conversion_corrected'].parse(kept)).not.toHaveProperty('reason');
  });

  it('answers finance with the conversion and where it is credited, never the person; the others with the lead', () => {
    const lead = transitionOf(correct({ revenue: 4300, currency: 'USD', reason: 'typo' })).after;
    expect(correctionAnswer(lead, fiona)).toEqual({ leadId: 'lead-1', status: 'converted', channel: lead.channel, capturedAt: lead.capturedAt, conversion: lead.conversion });
    for (const principal of [maya, ava]) expect(correctionAnswer(lead, principal)).toBe(lead);
  });

  it('can be subscribed to by an outbound webhook destination', () => {
    const webhooks = outboundWebhooksSchema.parse({ destinations: [{ id: 'crm', url: 'https://crm.example/hooks', events: ['lead.conversion_corrected'] }] });
    expect(webhooks.destinations[0].events).toEqual(['lead.conversion_corrected']);
  });
});

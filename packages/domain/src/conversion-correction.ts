import './zod-locale';
import * as z from 'zod/mini';
import { canViewLead, type Principal } from './access-policy';
import { humanTextSchema } from './human-text';
import { leadSchema, type Lead, type LeadConversion } from './lead';
import { leadEvent } from './lead-events';
import { leadFullRefusal } from './lead-size';
import { conversionBodySchema, revenueInCurrencyDecimals } from './lead-status-change';
import { changedLead, illegalTransition, lifecycleEventFacts, worksLead, type LifecyclePlan, type UnchangedPlan } from './lead-transition';
import { mayWorkPools } from './pool-claim';

/**
 * The body of `POST /leads/{leadId}/conversion/corrections`: the sale as it should be, read by the
 * conversion's own field rules, and why. `wonAt` and `dealId` left out keep the conversion's.
 */
export function conversionCorrectionBodySchema(now: Date) {
  const { revenue, currency, wonAt, dealId } = conversionBodySchema(now).shape;
  return z.strictObject({ revenue, currency, wonAt: z.optional(wonAt), dealId, reason: humanTextSchema(500) }).check(revenueInCurrencyDecimals);
}
export type ConversionCorrectionBody = z.infer<ReturnType<typeof conversionCorrectionBodySchema>>;

/** Finance corrects the revenue it reports on; so do the people who work leads (the owner, managers, admins), as they converted it. */
export function mayCorrectConversions(principal: Principal): boolean {
  return principal.roles.includes('finance') || mayWorkPools(principal);
}

/**
 * Corrects a converted lead's sale (a typo, a partial or full refund — revenue 0 —, a re-priced deal): the
 * conversion takes the new values and keeps who converted it, the timeline and `lead.conversion_corrected`
 * say what it was, what it is and why. A correction the conversion already holds is `unchanged`, so a
 * client's retry writes nothing twice. Corrections can repeat without end, so a new one on a lead past
 * `repeatableStepsLimitBytes` is refused (`409 lead_full`).
 */
export function planConversionCorrection(input: { lead: Lead; principal: Principal; correction: ConversionCorrectionBody; now: Date; eventId: string }): LifecyclePlan | UnchangedPlan {
  const { lead, principal, correction } = input;
  if (!principal.roles.includes('finance') && !worksLead(principal, lead)) {
    return { refusal: { status: 403, rule: 'not_owner', message: `only finance, a manager or the owner of lead ${lead.leadId} may correct its conversion` } };
  }
  const previous = lead.conversion;
  if (lead.status !== 'converted' || !previous) return { refusal: illegalTransition(lead, 'a conversion correction', ['converted']) };
  const dealId = correction.dealId ?? previous.dealId;
  const corrected = { revenue: correction.revenue, currency: correction.currency, wonAt: correction.wonAt ?? previous.wonAt, ...(dealId === undefined ? {} : { dealId }) };
  const same = corrected.revenue === previous.revenue && corrected.currency === previous.currency && corrected.wonAt === previous.wonAt && corrected.dealId === previous.dealId;
  if (same) return { unchanged: true };
  // After `unchanged`: a client's retry of a correction already made still gets the lead, not a refusal.
  const full = leadFullRefusal(lead, 'correcting a conversion');
  if (full) return { refusal: full };
  const at = input.now.toISOString();
  const deal = corrected.dealId ? ` (deal ${corrected.dealId})` : '';
  const after = changedLead(lead, {
    set: { conversion: { ...corrected, by: previous.by, correctedBy: principal.id, correctedAt: at } },
    entry: { at, action: 'conversion_corrected', by: principal.id, detail: `corrected from ${sale(previous)} to ${sale(corrected)}${deal}: ${correction.reason}` },
  });
  const event = leadEvent(
    'lead.conversion_corrected',
    {
      ...lifecycleEventFacts(lead, principal.id, input.eventId),
      previous: { revenue: previous.revenue, currency: previous.currency, wonAt: previous.wonAt, ...(previous.dealId === undefined ? {} : { dealId: previous.dealId }) },
      conversion: corrected,
      reason: correction.reason,
      correctedAt: at,
    },
    at,
  );
  return { transition: { before: lead, after, openLeads: [], event } };
}

function sale(conversion: Pick<LeadConversion, 'revenue' | 'currency' | 'wonAt'>): string {
  return `${conversion.revenue} ${conversion.currency} won on ${conversion.wonAt}`;
}

/** A corrected conversion as finance sees it: the sale and where it is credited, without the person (finance does not see leads in full). */
export const correctedConversionSchema = z.pick(leadSchema, { leadId: true, status: true, channel: true, capturedAt: true, conversion: true });
export type CorrectedConversion = z.infer<typeof correctedConversionSchema>;

/** The answer to a correction: the lead for those who may see it in full (`canViewLead`), its corrected conversion for the others. */
export function correctionAnswer(lead: Lead, principal: Principal): Lead | CorrectedConversion {
  if (canViewLead(principal, lead)) return lead;
  const { leadId, status, channel, capturedAt, conversion } = lead;
  return { leadId, status, channel, capturedAt, conversion };
}

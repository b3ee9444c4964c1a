import type { LeadScoredDetail } from '@leadflow/domain';

/**
 * A `lead.scored` detail for a warm, new, unowned web-form lead from the US: the demo's routing table
 * sends it down its default route to `assign-lead`.
 */
export function warmScoredLead(leadId: string, eventId = `${leadId}-captured.scored`): LeadScoredDetail {
  return {
    eventId,
    leadId,
    reason: 'captured',
    status: 'new',
    isTest: false,
    owned: false,
    poolId: 'americas-inbound',
    points: 50,
    grade: 'B',
    temperature: 'warm',
    sourceKind: 'web_form',
    formId: 'demo',
    channel: 'website',
    country: 'US',
    scoredAt: '2026-03-02T10:00:00.000Z',
  };
}

import { visitIdentifyingTouchKeys, type LeadAttribution, type TouchAttribution } from './attribution';
import type { Lead } from './lead';
import { leadEvent, type LeadEvent } from './lead-events';
import { personDedupKey } from './lead-lookup';

/** The status reason of a lead whose person asked for their data to be deleted. */
export const erasedAtPersonsRequest = "erased at the person's request";

/** A lead with the person's data taken out, the person keys to release, and the event that announces it. */
export interface LeadErasure {
  lead: Lead;
  /** Dedup keys (`email#…`, `phone#…`) that hold the person's contact and must be deleted with it. */
  personKeys: string[];
  event: LeadEvent;
}

/**
 * Erases the person from a lead (the right to erasure, e.g. LinkedIn's `leadAction: DELETED`): contact
 * and answers are cleared, touches keep their campaign credit but lose click ids, landing page and
 * referrer, the consent record keeps its text and version but loses the IP and user agent,
 * and the lead becomes `invalid` with the reason, so it is never routed or counted again. The lead itself
 * stays, holding no personal data, so the platform's delivery id still recognises a late redelivery.
 * `by` names who erased it (`admin:<sub>`; a platform's deletion by default).
 * `undefined` when the lead was erased already (a redelivered deletion changes nothing).
 */
export function erasePersonFromLead(lead: Lead, input: { at: string; eventId: string; reason?: string; by?: string }): LeadErasure | undefined {
  const reason = input.reason ?? erasedAtPersonsRequest;
  if (isErased(lead, reason)) return undefined;
  const personKeys = [lead.contact.email && personDedupKey('email', lead.contact.email), lead.contact.phone && personDedupKey('phone', lead.contact.phone)].filter((key): key is string => Boolean(key));
  const { ip: _ip, userAgent: _userAgent, ...consent } = lead.consent ?? ({} as NonNullable<Lead['consent']>);
  const erased: Lead = {
    ...lead,
    contact: {},
    answers: {},
    attribution: campaignCreditOnly(lead.attribution),
    ...(lead.consent ? { consent } : {}),
    status: 'invalid',
    statusReason: reason,
    updatedAt: input.at,
    history: [...lead.history, { at: input.at, action: 'erased', by: input.by ?? `${lead.source.kind}:deletion`, detail: reason }],
  };
  return { lead: erased, personKeys, event: leadEvent('lead.erased', { eventId: input.eventId, leadId: lead.leadId, sourceKind: lead.source.kind, reason, erasedAt: input.at }, input.at) };
}

/**
 * Fields of an event's detail that hold what the person answered or where they are (`lead.scored`
 * carries the routed answers and region); an erasure removes them from the lead's events not yet published.
 */
export const personalEventDetailFields = ['answers', 'region'] as const;

/** Whether a person was ever erased from the lead (its timeline says so, whatever happened since). */
export function wasErased(lead: Pick<Lead, 'history'>): boolean {
  return lead.history.some((entry) => entry.action === 'erased');
}

function isErased(lead: Lead, reason: string): boolean {
  const identifiesVisit = [lead.attribution.firstTouch, lead.attribution.lastTouch].some((touch) => visitIdentifyingTouchKeys.some((key) => touch?.[key] !== undefined));
  return lead.status === 'invalid' && lead.statusReason === reason && Object.keys(lead.contact).length === 0 && Object.keys(lead.answers).length === 0 && !lead.consent?.ip && !lead.consent?.userAgent && !identifiesVisit;
}

function campaignCreditOnly(attribution: LeadAttribution): LeadAttribution {
  const credit = (touch: TouchAttribution | undefined) => {
    if (!touch) return undefined;
    const kept = Object.fromEntries(Object.entries(touch).filter(([key]) => !(visitIdentifyingTouchKeys as readonly string[]).includes(key)));
    return Object.keys(kept).length ? kept : undefined;
  };
  const firstTouch = credit(attribution.firstTouch);
  const lastTouch = credit(attribution.lastTouch);
  return { ...(firstTouch ? { firstTouch } : {}), ...(lastTouch ? { lastTouch } : {}) };
}

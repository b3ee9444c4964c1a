import type { z } from 'zod/mini';
import type { Configuration, Rep } from './configuration';
import type { Lead, LeadHistoryEntry } from './lead';
import { leadEvent, testLeadMark, type LeadEvent } from './lead-events';
import type { LeadOffer } from './lead-offer-schemas';
import { maskName } from './contact-masking';
import { agendaKey } from './my-leads';
import { oneLine } from './notification-text';
import type { EmailMessage } from './notification';
import { rankCandidates, type StrategyInput, type StrategyRanking } from './assignment-strategies';
import type { Route } from './routing-table';
import type { RoutingCandidate, RoutingDecision } from './routing-decision';

/**
 * The send-ledger reasons of the messages offering a lead, and of those telling the others it was taken: one of each per
 * offer, named by when it was made, so a lead offered again (its offer expired into its pool, then a touch warmed it) is
 * news again, to the reps of its earlier offer too. Sends recorded before 2026-12-03 have the bare `offered` and `offer_taken`.
 */
export const offerNotificationReason = (offer: Pick<LeadOffer, 'offeredAt'>): string => `offered@${offer.offeredAt}`;
export const offerTakenNotificationReason = (offer: Pick<LeadOffer, 'offeredAt'>): string => `offer_taken@${offer.offeredAt}`;

/** The offer a send-ledger `reason` is about, by its `offeredAt` (`any` for a bare reason recorded before reasons named it); `undefined` for a reason about no offer. */
export function offerOfNotificationReason(reason: string, kind: 'offered' | 'offer_taken'): { offeredAt: string } | 'any' | undefined {
  if (reason === kind) return 'any';
  return reason.startsWith(`${kind}@`) ? { offeredAt: reason.slice(kind.length + 1) } : undefined;
}
/** The send-ledger reason of the email that gives the rep who accepted an offer the lead's details. */
export const offerAcceptedNotificationReason = 'offer_accepted';

/** Checks the routes' offers: strategy `offer` has one and no other strategy does, the reps it names exist, and its fallback can place a lead. */
export function checkOfferReferences(config: Pick<Configuration, 'routing' | 'reps'>, ctx: z.core.$RefinementCtx): void {
  const repIds = new Set(config.reps.map((rep) => rep.id));
  config.routing.routes.forEach((route, index) => {
    const path = ['routing', 'routes', index, 'offer'];
    if (route.strategy === 'offer' && !route.offer) ctx.addIssue({ code: 'custom', path, message: 'strategy "offer" needs an offer: "reps" or "candidates", "windowMinutes" and "fallback"' });
    if (route.strategy !== 'offer' && route.offer) ctx.addIssue({ code: 'custom', path, message: `only a route with strategy "offer" has an offer (this one has "${route.strategy}")` });
    // A nurture route names the sequence its leads enter; an offer has no sequence, so its fallback could not start one.
    if (route.offer?.fallback === 'nurture') ctx.addIssue({ code: 'custom', path: [...path, 'fallback'], message: 'an offer cannot fall back to "nurture" (it names no sequence to enter); use "pool"' });
    route.offer?.reps?.forEach((repId, repIndex, reps) => {
      if (!repIds.has(repId)) ctx.addIssue({ code: 'custom', path: [...path, 'reps', repIndex], message: `unknown rep "${repId}"` });
      // Each offered rep is texted: one named twice would be texted twice about the same lead.
      else if (reps.indexOf(repId) < repIndex) ctx.addIssue({ code: 'custom', path: [...path, 'reps', repIndex], message: `rep "${repId}" is listed twice` });
    });
  });
}

/** The strategy that ranks a route's reps: an offer's `candidates` strategy, else the route's own. */
export function rankingStrategy(route: Route): Route['strategy'] {
  return route.strategy === 'offer' ? (route.offer?.candidates?.strategy ?? 'offer') : route.strategy;
}

/**
 * The reps a route with strategy `offer` offers the lead to, best first: its named reps (who are in the
 * pool or not), or the best `count` of its candidates strategy over the pool. Reps who cannot take a
 * lead now (away, outside their hours, at their holding cap) are skipped with the reason.
 */
export function rankOffer(input: StrategyInput): StrategyRanking {
  const offer = input.route.offer;
  if (!offer) throw new Error(`Route ${input.route.id} has strategy offer but no offer`);
  const { reps, candidates } = offer;
  if (!candidates) return rankCandidates({ ...input, pool: { ...input.pool, members: reps ?? [] } });
  const { ranked, skipped } = rankCandidates({ ...input, route: { ...input.route, strategy: candidates.strategy } });
  return { ranked: ranked.slice(0, candidates.count), skipped };
}

/** Whether the lead waits on an offer that nobody has accepted yet and that has not fallen back. */
export function isOpenOffer(lead: Pick<Lead, 'offer' | 'ownerId' | 'status'>): lead is Lead & { offer: LeadOffer } {
  return lead.offer !== undefined && lead.ownerId === undefined && lead.status === 'new';
}

/** The offer recorded on a lead, its timeline entry and `lead.offered` (which the offer notifier consumes). */
export interface LeadOfferChange {
  leadId: string;
  offer: LeadOffer;
  historyEntry: LeadHistoryEntry;
  event: LeadEvent;
}

export function planOffer(input: { lead: Pick<Lead, 'leadId'>; route: Route; poolId: string; offered: readonly Rep[]; skipped: readonly RoutingCandidate[]; now: Date; eventId: string }): LeadOfferChange {
  const { route, now } = input;
  if (!route.offer) throw new Error(`Route ${route.id} has no offer`);
  const at = now.toISOString();
  const offer: LeadOffer = {
    routeId: route.id,
    poolId: input.poolId,
    repIds: input.offered.map((rep) => rep.id),
    offeredAt: at,
    expiresAt: new Date(now.getTime() + route.offer.windowMinutes * 60_000).toISOString(),
    fallback: route.offer.fallback,
  };
  const skippedText = input.skipped.map((candidate) => `${candidate.repId} skipped: ${candidate.reason}`).join('; ');
  const detail = `route ${route.id} offered the lead to ${offer.repIds.join(', ')} until ${offer.expiresAt}; the first to accept owns it, else ${offer.fallback === 'pool' ? 'it goes to the pool' : `${offer.fallback.replace('_', ' ')} assigns it`}${skippedText ? `; ${skippedText}` : ''}`;
  return {
    leadId: input.lead.leadId,
    offer,
    historyEntry: { at, action: 'offered', by: 'system', detail },
    event: leadEvent('lead.offered', { eventId: input.eventId, leadId: input.lead.leadId, poolId: offer.poolId, routeId: route.id, repIds: offer.repIds, offeredAt: at, expiresAt: offer.expiresAt }, at),
  };
}

/**
 * The route that decides an offer nobody accepted: the offer's fallback strategy over its pool. It is
 * built from the offer the lead recorded, so a configuration changed meanwhile does not change the outcome.
 */
export function offerFallbackRoute(offer: LeadOffer): Route {
  return { id: offer.routeId, name: `fallback of the offer on route ${offer.routeId}`, strategy: offer.fallback, poolId: offer.poolId };
}

/** What the first accept writes: the owner, the assignment by `offer`, the decision, two timeline entries and `lead.assigned`. */
export interface OfferAcceptance {
  leadId: string;
  /** The offer being accepted (its `offeredAt`), which must still be the lead's and open. */
  offeredAt: string;
  ownerId: string;
  assignment: NonNullable<Lead['assignment']>;
  agenda: string;
  routing: RoutingDecision;
  historyEntries: LeadHistoryEntry[];
  event: LeadEvent;
}

export function planOfferAcceptance(input: { lead: Lead & { offer: LeadOffer }; repId: string; now: Date; eventId: string }): OfferAcceptance {
  const { lead, repId } = input;
  const { offer } = lead;
  const at = input.now.toISOString();
  const candidates: RoutingCandidate[] = offer.repIds.map((id) => (id === repId ? { repId: id, verdict: 'chosen' } : { repId: id, verdict: 'passed_over', reason: 'did not accept first' }));
  const explanation = `route ${offer.routeId} offered the lead to ${offer.repIds.join(', ')}; ${repId} accepted first`;
  const score = lead.score && { points: lead.score.points, grade: lead.score.grade, temperature: lead.score.temperature, contributions: lead.score.contributions };
  const routing: RoutingDecision = { routeId: offer.routeId, strategy: 'offer', poolId: offer.poolId, outcome: 'assigned', ownerId: repId, candidates, explanation, score, decidedAt: at };
  return {
    leadId: lead.leadId,
    offeredAt: offer.offeredAt,
    ownerId: repId,
    assignment: { rule: 'offer', poolId: offer.poolId, assignedAt: at },
    agenda: agendaKey(lead),
    routing,
    historyEntries: [
      { at, action: 'accepted', by: repId, detail: 'accepted an offer from a one-tap notification link, first of the reps offered it' },
      { at, action: 'assigned', by: repId, detail: explanation, decision: routing },
    ],
    event: leadEvent(
      'lead.assigned',
      { eventId: input.eventId, leadId: lead.leadId, ...testLeadMark(lead), ownerId: repId, poolId: offer.poolId, rule: 'offer', assignedAt: at, routeId: offer.routeId, candidates, explanation, score },
      at,
    ),
  };
}

/** The message that tells an offered rep another rep took the lead, so they need not open the offer; the name stays masked, as in the offer. */
export function offerTakenEmail(rep: Rep, lead: Pick<Lead, 'leadId' | 'contact'>): EmailMessage {
  const who = maskName(oneLine(lead.contact.name ?? '')) || 'A lead';
  return {
    to: rep.email,
    subject: oneLine(`Lead taken: ${who}`),
    text: [`Hi ${rep.name},`, '', `${who} (${lead.leadId}), the lead offered to you, was already taken by another rep. There is nothing for you to do.`].join('\n'),
  };
}

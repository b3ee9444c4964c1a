import type { Rep } from './configuration';
import type { Lead, LeadHistoryEntry } from './lead';
import { leadEvent, testLeadMark, type LeadEvent } from './lead-events';
import type { RotatingSecret } from './integration-secrets';
import { wasErased } from './lead-erasure';
import { isOpenOffer } from './lead-offer';
import { linkIdPattern, linkSignatureValid, signedLinkUrl, signLinkPayload } from './signed-link';

/**
 * The actions a rep can take from a notification with one tap. The list is data: each entry gives the
 * action's one-letter code in the link and the words of its pages; the one-tap handler keeps one
 * executor per entry.
 */
export const oneTapActions = {
  accept: { code: 'a', title: 'Accept lead', question: 'Take this lead and call them now?', button: 'Accept lead', done: 'The lead is yours. Call them now.' },
  contacted: { code: 'c', title: 'Mark contacted', question: 'Mark this lead as contacted (you reached them)?', button: 'Mark contacted', done: 'The lead is marked contacted.' },
  release: { code: 'r', title: 'Release lead', question: 'Give this lead back to its pool for someone else to claim?', button: 'Release lead', done: 'The lead is back in its pool.' },
} as const satisfies Record<string, { code: string; title: string; question: string; button: string; done: string }>;
export type OneTapAction = keyof typeof oneTapActions;

export const oneTapActionNames = Object.keys(oneTapActions) as OneTapAction[];

/** What a signed link says: which rep may do what to which lead, until when (Unix seconds). */
export interface ActionLinkClaims {
  leadId: string;
  repId: string;
  action: OneTapAction;
  expiresAt: number;
}

/**
 * A compact token `<leadId>.<repId>.<code>.<expiry base36>.<signature>`, signed with the key's current value.
 * @example actionLinkToken({ leadId: 'l1', repId: 'rep-ava', action: 'accept', expiresAt: 1767225600 }, key)
 */
export function actionLinkToken(claims: ActionLinkClaims, key: RotatingSecret): string {
  if (!linkIdPattern.test(claims.leadId) || !linkIdPattern.test(claims.repId)) throw new Error('Lead and rep ids in a link must be letters, digits, "-" or "_"');
  const payload = [claims.leadId, claims.repId, oneTapActions[claims.action].code, claims.expiresAt.toString(36)].join('.');
  return `${payload}.${signLinkPayload(key.current, payload)}`;
}

/** Why a link is refused, in a word for tests and logs and in plain words for the page. */
export interface LinkRefusal {
  reason: 'forged' | 'expired' | 'used' | 'not_yours' | 'lead_changed' | 'taken' | 'at_capacity' | 'lead_full';
  message: string;
}

/**
 * Reads and checks a token: shape, signature (current or previous key, constant time), expiry. The
 * signature doubles as the link's id for the one-use record.
 */
export function verifyActionLinkToken(token: string, key: RotatingSecret, now: Date): { claims: ActionLinkClaims; linkId: string } | { refusal: LinkRefusal } {
  const forged: LinkRefusal = { reason: 'forged', message: 'This link is not valid: it was changed or was not made by Leadflow. Use the link in your latest notification.' };
  const parts = token.split('.');
  if (parts.length !== 5) return { refusal: forged };
  const [leadId, repId, code, expiry, signature] = parts as [string, string, string, string, string];
  const action = oneTapActionNames.find((name) => oneTapActions[name].code === code);
  const expiresAt = parseInt(expiry, 36);
  if (!action || !linkIdPattern.test(leadId) || !linkIdPattern.test(repId) || !Number.isSafeInteger(expiresAt)) return { refusal: forged };
  if (!linkSignatureValid(key, parts.slice(0, 4).join('.'), signature)) return { refusal: forged };
  if (now.getTime() >= expiresAt * 1000) {
    return { refusal: { reason: 'expired', message: `This link expired at ${new Date(expiresAt * 1000).toISOString().replace('T', ' ').slice(0, 16)} UTC. Open the lead in Leadflow instead.` } };
  }
  return { claims: { leadId, repId, action, expiresAt }, linkId: signature };
}

/** The link to a one-tap action's confirmation page. */
export function actionLinkUrl(baseUrl: string, token: string): string {
  return signedLinkUrl(baseUrl, 'a', token);
}

/** What a rep offered a lead sees once another rep has it. */
export const offerTakenRefusal: LinkRefusal = { reason: 'taken', message: 'This lead was already taken by another rep. There is nothing for you to do.' };

/**
 * Why the link's rep may not accept an open offer made to them: no longer configured, or marked inactive since (a
 * leaving rep, whom routing, SLA reassignment and managers already pass by). The offer stays open to the others.
 */
export function offerAcceptorRefusal(rep: Pick<Rep, 'active'> | undefined): LinkRefusal | undefined {
  const who = !rep ? 'no longer a rep here' : !rep.active ? 'marked inactive' : undefined;
  return who && { reason: 'not_yours', message: `You are ${who}, so this offer stays with the other reps. Nothing was changed.` };
}

/**
 * Whether the lead, as it is now, still lets the link's rep do the link's action, and why not: the
 * actions are for the lead's owner, except accepting an open offer made to the rep (first to accept
 * wins); accepting is once.
 */
export function actionLinkRefusal(claims: ActionLinkClaims, lead: Lead | undefined): LinkRefusal | undefined {
  if (!lead) return { reason: 'lead_changed', message: 'This lead no longer exists.' };
  // Erasure keeps the lead item, and its owner: a link sent before it must not add to the timeline of a person who asked to be forgotten.
  if (wasErased(lead)) return { reason: 'lead_changed', message: "This lead was erased at the person's request. There is nothing for you to do." };
  if (claims.action === 'accept' && lead.ownerId !== claims.repId && lead.offer?.repIds.includes(claims.repId)) {
    if (isOpenOffer(lead)) return undefined;
    return lead.ownerId ? offerTakenRefusal : { reason: 'lead_changed', message: 'This offer has ended: nobody accepted it in time and the lead went to its pool.' };
  }
  if (lead.ownerId !== claims.repId) {
    return { reason: 'not_yours', message: notYoursMessage(lead) };
  }
  if (claims.action === 'accept' && lead.history.some((entry) => entry.action === 'accepted' && entry.by === claims.repId)) return { reason: 'used', message: 'You already accepted this lead.' };
  return undefined;
}

/** Why the lead is not the link's rep's: another rep holds it, or nobody does (marked invalid, its owner gone; or back in its pool). */
function notYoursMessage(lead: Lead): string {
  if (lead.ownerId) return 'This lead is not yours: another rep holds it now.';
  return lead.status === 'invalid' ? 'This lead is not yours any more: it was marked invalid.' : 'This lead is not yours any more: it is waiting in its pool.';
}

/**
 * What accepting writes: the history entry and `lead.accepted`, on condition the rep still owns the lead and its
 * timeline is as long as when the link was checked (`seenHistoryLength`): an erasure meanwhile keeps the owner
 * but adds `erased`, and the accept must not add to the timeline of a person who asked to be forgotten.
 */
export interface LeadAcceptance {
  leadId: string;
  ownerId: string;
  seenHistoryLength: number;
  acceptedAt: string;
  historyEntry: LeadHistoryEntry;
  event: LeadEvent;
}

export function planAcceptance(input: { lead: Lead; repId: string; now: Date; eventId: string }): LeadAcceptance {
  const at = input.now.toISOString();
  return {
    leadId: input.lead.leadId,
    ownerId: input.repId,
    seenHistoryLength: input.lead.history.length,
    acceptedAt: at,
    historyEntry: { at, action: 'accepted', by: input.repId, detail: 'accepted from a one-tap notification link' },
    event: leadEvent('lead.accepted', { eventId: input.eventId, leadId: input.lead.leadId, ...testLeadMark(input.lead), ownerId: input.repId, poolId: input.lead.poolId, acceptedAt: at }, at),
  };
}

import { clickIdKeys, visitIdentifyingTouchKeys, type LeadAttribution, type TouchAttribution } from './attribution';
import type { Lead, LeadHistoryEntry } from './lead';
import { leadEvent, testLeadMark, type LeadEvent, type LeadEventDetail, type LeadEventType } from './lead-events';
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
 * and answers are cleared, touches keep their campaign credit but lose landing page, referrer and the
 * values of click ids (each stays, empty, for the channel it credits), the consent record keeps its text and version but loses the IP and user agent, the timeline
 * keeps every entry (action, time, actor) but loses the words people typed about the person (see
 * `historyDetailIsTyped`), a lock loses its reason, the lead leaves its nurture sequence (or the confirmation it waited for),
 * and the lead becomes `invalid` with the reason, so it is never routed again, keeping the status it had
 * (`statusBeforeErasure`) so that reports count it as they did. The lead itself
 * stays, holding no personal data, so the platform's delivery id still recognises a late redelivery.
 * `by` names who erased it (`admin:<sub>`; a platform's deletion by default).
 * `undefined` when the lead was erased already (a redelivered deletion changes nothing).
 */
export function erasePersonFromLead(lead: Lead, input: { at: string; eventId: string; reason?: string; by?: string }): LeadErasure | undefined {
  const reason = input.reason ?? erasedAtPersonsRequest;
  if (isErased(lead, reason)) return undefined;
  const personKeys = [lead.contact.email && personDedupKey('email', lead.contact.email), lead.contact.phone && personDedupKey('phone', lead.contact.phone)].filter((key): key is string => Boolean(key));
  const { ip: _ip, userAgent: _userAgent, ...consent } = lead.consent ?? ({} as NonNullable<Lead['consent']>);
  const { reason: _lockReason, ...lock } = lead.lock ?? ({} as NonNullable<Lead['lock']>);
  // Nobody is nurtured once erased: its sequence, or the confirmation it waited for, goes with the person.
  const { nurture: _nurture, ...kept } = lead;
  const erased: Lead = {
    ...kept,
    contact: {},
    answers: {},
    attribution: campaignCreditOnly(lead.attribution),
    ...(lead.consent ? { consent } : {}),
    ...(lead.lock ? { lock } : {}),
    status: 'invalid',
    statusReason: reason,
    // Erased again (what an earlier version left), it keeps what the first erasure found, or nothing when that kept none.
    ...(wasErased(lead) ? (lead.statusBeforeErasure ? { statusBeforeErasure: lead.statusBeforeErasure } : {}) : { statusBeforeErasure: lead.status }),
    updatedAt: input.at,
    history: [...lead.history.map(withoutTypedDetail), { at: input.at, action: 'erased', by: input.by ?? `${lead.source.kind}:deletion`, detail: reason }],
  };
  return { lead: erased, personKeys, event: leadEvent('lead.erased', { eventId: input.eventId, leadId: lead.leadId, ...testLeadMark(lead), sourceKind: lead.source.kind, reason, erasedAt: input.at }, input.at) };
}

/**
 * Whether a timeline entry's `detail` can hold words someone typed about the person: a follow-up's outcome
 * (`activity`), a status change's note, a manual assignment's or transfer's reason (`assigned`, whose routed
 * entries keep their `decision`), a lock's reason, a conversion correction's reason. The other details are
 * written by Leadflow from its configuration and ids. Every action is named, so a new one has to be judged here.
 */
export const historyDetailIsTyped = {
  captured: false,
  touched: false,
  assigned: true,
  offered: false,
  pooled: false,
  claimed: false,
  accepted: false,
  released: false,
  transferred: true,
  locked: true,
  unlocked: true,
  activity: true,
  contacted: true,
  qualified: true,
  invalidated: true,
  reactivated: true,
  converted: false,
  conversion_corrected: true,
  reminded: false,
  escalated: false,
  recycle_warned: false,
  recycled: false,
  erased: false,
  tagged: false,
  untagged: false,
  nurture_entered: false,
  nurture_emailed: false,
  nurture_rescheduled: false,
  nurture_left: false,
  nurture_confirmation_sent: false,
  nurture_confirmed: false,
} as const satisfies Record<LeadHistoryEntry['action'], boolean>;

type EventDetailOf = { [T in LeadEventType]: LeadEventDetail<T> };
type OptionalKeysOf<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];

/**
 * The fields of each event type's detail that hold what the person answered, where they are, or words
 * typed about them: `lead.scored` carries the routed answers, country and region, `lead.activity_logged`
 * the follow-up's outcome, `lead.assigned` the explanation (a manual assignment's reason), a status change
 * and a lock or unlock their note, a conversion correction its reason. An erasure removes them from the
 * lead's events not yet published; each is optional in its event (`satisfies` checks it), so the event
 * stays valid without it.
 */
export const personalEventDetailFields = {
  'lead.scored': ['answers', 'country', 'region'],
  'lead.activity_logged': ['outcome'],
  'lead.assigned': ['explanation'],
  'lead.status_changed': ['reason'],
  'lead.locked': ['reason'],
  'lead.unlocked': ['reason'],
  'lead.conversion_corrected': ['reason'],
} as const satisfies { [T in LeadEventType]?: readonly OptionalKeysOf<EventDetailOf[T]>[] };

/** The fields of an event of `detailType` that an erasure removes (none for other types). */
export function personalFieldsOfEvent(detailType: string): readonly string[] {
  return Object.hasOwn(personalEventDetailFields, detailType) ? personalEventDetailFields[detailType as keyof typeof personalEventDetailFields] : [];
}

/** Whether a person was ever erased from the lead (its timeline says so, whatever happened since). */
export function wasErased(lead: Pick<Lead, 'history'>): boolean {
  return lead.history.some((entry) => entry.action === 'erased');
}

/** Whether nothing is left to erase: a lead erased before erasure reached typed words (the timeline, a lock's reason) is erased again. */
function isErased(lead: Lead, reason: string): boolean {
  // An erased click id stays as an empty value, which identifies nobody.
  const identifiesVisit = [lead.attribution.firstTouch, lead.attribution.lastTouch].some((touch) => visitIdentifyingTouchKeys.some((key) => (touch?.[key] ?? '') !== ''));
  const keepsTypedWords = lead.lock?.reason !== undefined || lead.history.some((entry) => withoutTypedDetail(entry) !== entry);
  return (
    lead.status === 'invalid' &&
    lead.statusReason === reason &&
    Object.keys(lead.contact).length === 0 &&
    Object.keys(lead.answers).length === 0 &&
    !lead.consent?.ip &&
    !lead.consent?.userAgent &&
    lead.nurture === undefined &&
    !identifiesVisit &&
    !keepsTypedWords
  );
}

/** The entry as it was, without its `detail` when that can hold words typed about the person. */
function withoutTypedDetail(entry: LeadHistoryEntry): LeadHistoryEntry {
  if (!historyDetailIsTyped[entry.action] || entry.detail === undefined) return entry;
  const { detail: _detail, ...kept } = entry;
  return kept;
}

function campaignCreditOnly(attribution: LeadAttribution): LeadAttribution {
  const credit = (touch: TouchAttribution | undefined) => {
    if (!touch) return undefined;
    // Kept even when nothing is left: an empty touch still says there was one, so that neither is taken for the other.
    // A click id stays as an empty value: which ad was clicked is gone, that one was (the channel it credits) stays.
    return Object.fromEntries(
      Object.entries(touch).flatMap(([key, value]) => (!(visitIdentifyingTouchKeys as readonly string[]).includes(key) ? [[key, value]] : (clickIdKeys as readonly string[]).includes(key) ? [[key, '']] : [])),
    );
  };
  const firstTouch = credit(attribution.firstTouch);
  const lastTouch = credit(attribution.lastTouch);
  return { ...(firstTouch ? { firstTouch } : {}), ...(lastTouch ? { lastTouch } : {}) };
}

/**
 * The lead an outbound webhook body (`{"id", "type", "occurredAt", "data"}`) is about, and the body without
 * what it holds about the person (see `personalEventDetailFields`); `undefined` when it holds none of it.
 * A delivery keeps its body for its log and retries, so an erasure rewrites it.
 *
 * @example webhookBodyWithoutPerson('lead.scored', body) // { leadId: 'lead-1', body: body without data.answers, data.country, data.region }
 */
export function webhookBodyWithoutPerson(eventType: string, body: string): { leadId: string; body: string } | undefined {
  const parsed = JSON.parse(body) as { data?: Record<string, unknown> };
  const data = parsed.data;
  const fields = personalFieldsOfEvent(eventType).filter((field) => data?.[field] !== undefined);
  if (!data || typeof data.leadId !== 'string' || fields.length === 0) return undefined;
  for (const field of fields) delete data[field];
  return { leadId: data.leadId, body: JSON.stringify(parsed) };
}

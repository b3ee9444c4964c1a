import { capturedAttribution, type LeadAttribution, type TouchAttribution } from './attribution';
import { normaliseEmail, normaliseName, normalisePhone, withPhoneCountry } from './contact-normalisation';
import { publicText } from './human-text';
import { leadContactFieldNames, routingPoolOf, type ConsentRecord, type Lead, type LeadContact, type LeadHistoryEntry, type SourceKind, type SubmittedContact } from './lead';
import { consentGivenEntries, consentUserAgent, unrecordedConsents, type ConsentLedgerEntry, type ConsentsGiven } from './consent-ledger';
import { leadEvent, testLeadMark, type LeadEvent } from './lead-events';
import type { Configuration } from './configuration';
import { leadFacts, scoreLead, scoringFacts, type LeadScore } from './lead-scoring';
import { routedAnswerNames } from './routing-table';
import { applyRuleTags } from './lead-tags';
import { lifecycleEventFacts } from './lead-transition';
import { nurtureLeftEntry } from './lead-nurture';
import { personDedupKey } from './lead-lookup';
import { isPastRepeatableStepsLimit } from './lead-size';

/** A lead as a channel delivered it, before cleaning and de-duplication. */
export interface IntakeSubmission {
  sourceKind: SourceKind;
  /** The configured channel credited with the lead. */
  channel: string;
  formId?: string;
  poolId: string;
  /** Country for reading national phone numbers. */
  defaultCountry: string;
  /** Contact values as received; they are cleaned here. */
  contact: SubmittedContact;
  answers: Record<string, string>;
  attribution: LeadAttribution;
  consent?: ConsentRecord;
  platformLeadId?: string;
  /** Another id this very delivery is known by (a signed webhook's signature, when `platformLeadId` is the sender's key): taken as well, so either makes a resend a replay. */
  alsoDeliveredAs?: string;
  /**
   * The digest of what the delivery said, when its sender chooses `platformLeadId` (a generic webhook's `event_id`):
   * kept with the delivery's key, so the same id sent again with other content is told from a redelivery.
   */
  deliveryFingerprint?: string;
  sourceId?: string;
  isTest: boolean;
  /** Set when spam defences caught the submission; such leads are kept but never routed. */
  quarantineReason?: string;
}

/**
 * A key that identifies a person or a delivery. At most one lead holds each key, taken with a
 * conditional write: `person` keys (email, phone) turn repeats into touches of the same lead;
 * `delivery` keys (the platform's lead id) make a redelivered webhook a no-op.
 */
export interface DedupKey {
  key: string;
  kind: 'person' | 'delivery';
  /** A delivery key's `deliveryFingerprint`: the key held with another is a delivery of other content under the same id. */
  fingerprint?: string;
}

/**
 * The key of a phone shared with someone else, when that is all `incoming` has in common with the lead
 * holding it: its only held person key is the phone's, and it gives an email the holder does not have
 * (colleagues behind one switchboard, a family's landline, a placeholder number). Such a post is a lead of
 * its own, without the phone's key, which stays the holder's; a post with no email, or the holder's, is
 * the holder's touch. Undefined when the post is the holder's.
 */
export function phoneSharedWithAnother(incoming: Pick<Lead, 'contact'>, held: readonly DedupKey[], holder: Pick<Lead, 'contact'>): string | undefined {
  const personKeys = held.filter((key) => key.kind === 'person');
  if (personKeys.length !== 1 || !personKeys[0].key.startsWith('phone#')) return undefined;
  const { email } = incoming.contact;
  return email && holder.contact.email && holder.contact.email !== email ? personKeys[0].key : undefined;
}

/**
 * Repeats of one person a lead's timeline keeps; later ones are counted (`touches`) without an entry, so
 * someone posting a person over and over cannot grow the lead past DynamoDB's 400 KB item limit.
 */
export const touchEntriesKept = 100;

export interface LeadTouch {
  historyEntry: LeadHistoryEntry;
  /** What the touch adds to the timeline: its entry (while fewer than `touchEntriesKept` are there), and the leaving of nurture when it warms the lead. */
  timeline: LeadHistoryEntry[];
  lastTouch?: TouchAttribution;
  /** The lead's new score with this touch counted (a returning person can warm up); none for unscored leads. */
  score?: LeadScore;
  /** The lead's tags when the new score brings rule tags it did not have. */
  tags?: string[];
  /** When the touch warms a lead in a nurture sequence (see `reroutes`): the timeline entry of its leaving the sequence. */
  warmedOutOfNurture?: LeadHistoryEntry;
  /**
   * The touch warms (warm or hot now) a lead a nurture route left waiting unowned in a pool, in a sequence or
   * without one (its consent did not cover marketing email): the lead becomes `new` and leaves the pool's
   * listing, so the routing table routes it to a rep at once, as it would a fresh capture.
   */
  reroutes?: true;
  /** `lead.touched`, then `lead.scored` when the lead was re-scored, then `lead.tagged` when rule tags were added, then `lead.unlocked` when a rerouted lead loses a lock. */
  events: LeadEvent[];
  /** The consent this submission gave, as ledger entries of the existing lead (written with the touch), less what the ledger holds already (`unrecordedConsents`). */
  consents: ConsentLedgerEntry[];
  /** The marks the submission's consent leaves on the lead, per purpose it gives (`Lead['consentGiven']`, see `unrecordedConsents`); absent without consent. */
  consentGiven?: ConsentsGiven;
  /**
   * The lead's contact and answers when the touch tells what the lead lacked, and the person keys it takes
   * with the touch: an email or phone whose key no other lead holds (the person posted by email, then by
   * email and phone, so a later post by phone alone is theirs too), a title, an answer. A value the lead
   * has already is not replaced (anyone can post a person's email).
   */
  gained?: { contact: LeadContact; answers: Record<string, string>; dedupKeys: DedupKey[] };
}

/** What scoring, tagging and routing read from the configuration. */
export type ScoringRules = Pick<Configuration, 'scoring' | 'routing' | 'tags'>;

export interface PreparedIntake {
  lead: Lead;
  /** `lead.captured`, then `lead.scored` for a `new` lead; stored in the lead's own transaction. */
  events: LeadEvent[];
  dedupKeys: DedupKey[];
  /** `given` ledger entries for the consent the submission carries (none without consent); stored in the lead's own transaction. */
  consents: ConsentLedgerEntry[];
  /**
   * The touch to record instead, if a person key shows the lead already exists (read as it is now);
   * `heldKeys` are the keys of this intake that some lead holds, `claimedKeys` the keys the intake as written
   * claims (`dedupKeys`, less a shared phone's key left to its holder): the lead takes no other.
   */
  touch: (existing: Lead, heldKeys: readonly DedupKey[], claimedKeys?: readonly DedupKey[]) => LeadTouch;
}

/**
 * Cleans a submission and decides what the lead is: `new` when it can be contacted, `invalid` (with its
 * reason) when neither email nor phone is usable, `quarantined` when spam defences caught it. Only
 * routable, non-test leads claim person keys, so a spam post or a test lead cannot capture a real
 * person's identity.
 */
export function prepareIntake(sent: IntakeSubmission, ids: { leadId: string; eventId: string; touchEventId: string }, now: Date, rules: ScoringRules): PreparedIntake {
  const submission = withPublicTextCleaned(sent);
  const at = now.toISOString();
  const { contact, problems } = cleanContact(submission.contact, submission.defaultCountry);
  const status = intakeStatus(submission, contact);
  const statusReason =
    status === 'quarantined' ? submission.quarantineReason : status === 'invalid' ? ['no usable email or phone', ...problems.map((problem) => `${problem.field} ${problem.message}`)].join('; ') : undefined;
  const by = submission.formId ? `form:${submission.formId}` : `${submission.sourceKind}:${submission.sourceId ?? submission.channel}`;

  const consents = submission.consent ? consentGivenEntries(ids.leadId, submission.consent, by) : [];
  const lead: Lead = {
    leadId: ids.leadId,
    status,
    channel: submission.channel,
    source: { kind: submission.sourceKind, formId: submission.formId, platformLeadId: submission.platformLeadId, sourceId: submission.sourceId },
    poolId: submission.poolId,
    capturePoolId: submission.poolId,
    contact,
    // Unusable values are kept (as `invalid_email`, …) so a person can still read what was sent.
    answers: { ...submission.answers, ...Object.fromEntries(problems.map((problem) => [`invalid_${problem.field}`, problem.raw])) },
    attribution: capturedAttribution(submission.attribution),
    consent: submission.consent,
    isTest: submission.isTest,
    statusReason,
    touches: 1,
    capturedAt: at,
    updatedAt: at,
    history: [{ at, action: 'captured', by, ...(statusReason ? { detail: statusReason } : {}) }],
    ...(consents.length ? { consentGiven: unrecordedConsents(consents, undefined).marks } : {}),
  };
  // Only leads that can be worked are scored; invalid and quarantined ones are kept as they came.
  if (status === 'new') lead.score = scoreLead(scoringFacts(lead), rules.scoring, now);
  const tagged = lead.score && applyRuleTags(lead, lead.score, rules.tags, `${ids.eventId}.tagged`);
  if (tagged) lead.tags = tagged.tags;
  const dedupKeys = dedupKeysOf(submission, contact, status);
  const captured = leadEvent(
    'lead.captured',
    { eventId: ids.eventId, leadId: lead.leadId, status, isTest: lead.isTest, sourceKind: submission.sourceKind, formId: submission.formId, poolId: lead.poolId, channel: lead.channel, capturedAt: at },
    at,
  );
  const events = lead.score ? [captured, leadScoredEvent(lead, lead.score, { eventId: `${ids.eventId}.scored`, reason: 'captured' }, rules), ...(tagged ? [tagged.event] : [])] : [captured];
  const touch = (existing: Lead, heldKeys: readonly DedupKey[], claimedKeys: readonly DedupKey[] = dedupKeys): LeadTouch => {
    const current = withPhoneCountry(existing);
    const gained = learnedFromTouch(current, { contact, answers: submission.answers }, claimedKeys, heldKeys, isPastRepeatableStepsLimit(current));
    // Scored and tagged with this post among the person's (its form on the timeline): asking for a demo on a return visit is intent too.
    const counted: Lead = { ...current, ...(gained ? { contact: gained.contact, answers: gained.answers } : {}), touches: existing.touches + 1, history: [...existing.history, { at, action: 'touched', by }] };
    const score = existing.score ? scoreLead(scoringFacts(counted), rules.scoring, now) : undefined;
    // Parked by a nurture route: in its sequence, or (never owned since) left without one when consent did not allow it.
    const parked = !existing.ownerId && existing.status === 'in_pool' && (existing.nurture !== undefined || (existing.routing?.strategy === 'nurture' && !existing.previousOwnerId));
    const reroutes = parked && score !== undefined && score.temperature !== 'cold';
    const warmed = reroutes ? existing.nurture : undefined;
    const touched: Lead = reroutes ? { ...counted, status: 'new' } : counted;
    const retagged = score && applyRuleTags(touched, score, rules.tags, `${ids.touchEventId}.tagged`);
    const added = gained ? `; ${gained.details.join(', ')} added` : '';
    // A lock an earlier version let a manager put on the waiting lead goes as it leaves the pool for routing: it would exempt its next owner from recycling.
    const liftedLock = reroutes && existing.lock ? `; the lock ${existing.lock.by} put on it is lifted` : '';
    const detail = `submitted again via ${submission.sourceKind} (channel ${submission.channel})${added}${score && existing.score ? `; score ${existing.score.points} → ${score.points} (${score.temperature})` : ''}${liftedLock}`;
    const historyEntry: LeadHistoryEntry = { at, action: 'touched', by, detail };
    const warmedOutOfNurture = warmed && score ? nurtureLeftEntry(warmed, 'warmed', at, 'system') : undefined;
    const keepsEntry = existing.history.filter((entry) => entry.action === 'touched').length < touchEntriesKept;
    const consent = unrecordedConsents(submission.consent ? consentGivenEntries(existing.leadId, submission.consent, by) : [], existing.consentGiven);
    return {
      historyEntry,
      timeline: [...(keepsEntry ? [historyEntry] : []), ...(warmedOutOfNurture ? [warmedOutOfNurture] : [])],
      lastTouch: submission.attribution.lastTouch,
      score,
      ...(retagged ? { tags: retagged.tags } : {}),
      ...(warmedOutOfNurture ? { warmedOutOfNurture } : {}),
      ...(reroutes ? { reroutes } : {}),
      events: [
        leadEvent(
          'lead.touched',
          {
            eventId: ids.touchEventId,
            leadId: existing.leadId,
            ...testLeadMark(existing),
            channel: submission.channel,
            sourceKind: submission.sourceKind,
            touchedAt: at,
            ...(existing.nurture?.awaitingConfirmation && !reroutes ? { awaitingConfirmation: true as const } : {}),
          },
          at,
        ),
        ...(warmed
          ? [leadEvent('lead.nurtured', { ...lifecycleEventFacts(existing, 'system', `${ids.touchEventId}.nurture-left`), sequenceId: warmed.sequenceId, change: 'left', left: 'warmed', nurturedAt: at }, at)]
          : []),
        ...(score ? [leadScoredEvent(touched, score, { eventId: `${ids.touchEventId}.scored`, reason: 'touched' }, rules)] : []),
        ...(retagged ? [retagged.event] : []),
        ...(liftedLock ? [leadEvent('lead.unlocked', { ...lifecycleEventFacts(existing, 'system', `${ids.touchEventId}.unlocked`), reason: 'warmed by a touch and routed again', changedAt: at }, at)] : []),
      ],
      consents: consent.entries,
      ...(Object.keys(consent.marks).length ? { consentGiven: consent.marks } : {}),
      ...(gained ? { gained: { contact: gained.contact, answers: gained.answers, dedupKeys: gained.dedupKeys } } : {}),
    };
  };
  return { lead, events, dedupKeys, consents, touch };
}

/**
 * The keys `prepareIntake` gives the lead of a submission, without preparing the lead: they depend on neither
 * its ids nor the time, so an importer can group the rows of one person before storing any.
 */
export function intakeDedupKeys(sent: IntakeSubmission): DedupKey[] {
  const submission = withPublicTextCleaned(sent);
  const { contact } = cleanContact(submission.contact, submission.defaultCountry);
  return dedupKeysOf(submission, contact, intakeStatus(submission, contact));
}

function intakeStatus(submission: IntakeSubmission, contact: LeadContact): 'quarantined' | 'new' | 'invalid' {
  return submission.quarantineReason ? 'quarantined' : contact.email || contact.phone ? 'new' : 'invalid';
}

/** The delivery's own keys, and the person's (email, phone) only for a routable, non-test lead. */
function dedupKeysOf(submission: IntakeSubmission, contact: LeadContact, status: Lead['status']): DedupKey[] {
  const keys: DedupKey[] = [];
  // One key per id: an Idempotency-Key sent equal to the signed delivery id names one delivery, not two (one transaction cannot write an item twice).
  for (const deliveryId of new Set([submission.platformLeadId, submission.alsoDeliveredAs])) {
    const fingerprint = deliveryId === submission.platformLeadId ? submission.deliveryFingerprint : undefined;
    if (deliveryId) keys.push({ key: `delivery#${submission.sourceKind}#${submission.sourceId ?? ''}#${deliveryId}`, kind: 'delivery', ...(fingerprint ? { fingerprint } : {}) });
  }
  if (status === 'new' && !submission.isTest) {
    if (contact.email) keys.push({ key: personDedupKey('email', contact.email), kind: 'person' });
    if (contact.phone) keys.push({ key: personDedupKey('phone', contact.phone), kind: 'person' });
  }
  return keys;
}

/**
 * The submission with what the sender wrote (contact, answers and their names, attribution, the consent's
 * text, version and user agent) rid of the characters `publicText` drops, for every channel alike (the user agent
 * also cut, see `consentUserAgent`): a person's lead is never refused for them, and nothing stored, shown to a
 * rep or sent in a notification carries them.
 * A touch value left empty is left out.
 */
function withPublicTextCleaned(submission: IntakeSubmission): IntakeSubmission {
  const cleaned = (record: Readonly<Record<string, string | undefined>>): Record<string, string> => {
    const clean: Record<string, string> = {};
    for (const [name, value] of Object.entries(record)) {
      const key = publicText(name);
      // A name of nothing but such characters names nothing; of two names that differ only by them, the first keeps its value, as `readAnswers` keeps the first.
      if (value !== undefined && key !== '' && !Object.hasOwn(clean, key)) clean[key] = publicText(value);
    }
    return clean;
  };
  const touch = (values: TouchAttribution | undefined): TouchAttribution | undefined => {
    const clean = values && Object.fromEntries(Object.entries(cleaned(values)).filter(([, value]) => value !== ''));
    return clean && Object.keys(clean).length ? clean : undefined;
  };
  const firstTouch = touch(submission.attribution.firstTouch);
  const lastTouch = touch(submission.attribution.lastTouch);
  const { consent } = submission;
  return {
    ...submission,
    contact: cleaned(submission.contact),
    answers: cleaned(submission.answers),
    attribution: { ...(firstTouch ? { firstTouch } : {}), ...(lastTouch ? { lastTouch } : {}) },
    // A webhook's sender writes its consent's text and version; the ledger keeps them as the record of what the person was shown.
    ...(consent ? { consent: { ...consent, text: publicText(consent.text), version: publicText(consent.version), ...(consent.userAgent === undefined ? {} : { userAgent: consentUserAgent(consent.userAgent) }) } } : {}),
  };
}

/**
 * At most this much of answers (as JSON, in UTF-8 bytes, as DynamoDB counts them) on a lead: touches add answers it
 * lacks only below it, so repeats cannot grow the lead without end. Bytes, not characters: 64 K Chinese characters are some 192 KB.
 */
const touchAnswersMaxBytes = 64 * 1024;

/** Contact fields a touch still adds to a lead past `repeatableStepsLimitBytes`: short (an address, an E.164 number), each at most once, and what makes the person's next post by it theirs. */
const contactFieldsGainedWhenFull: readonly string[] = ['email', 'phone'];

const utf8Bytes = (text: string) => new TextEncoder().encode(text).byteLength;

/**
 * What a touch's cleaned contact and answers tell that `existing` lacks: the merged contact and answers, the
 * person keys to take (only keys this intake claims, as a test or spam post claims none, and that no other
 * lead holds), and the names added; `undefined` when it tells nothing new. On a lead past
 * `repeatableStepsLimitBytes` (`full`) it adds no answers and of the contact only an email or phone with its key.
 */
function learnedFromTouch(
  existing: Pick<Lead, 'contact' | 'answers'>,
  incoming: { contact: LeadContact; answers: Record<string, string> },
  dedupKeys: readonly DedupKey[],
  heldKeys: readonly DedupKey[],
  full: boolean,
): { contact: LeadContact; answers: Record<string, string>; dedupKeys: DedupKey[]; details: string[] } | undefined {
  const contact: LeadContact = { ...existing.contact };
  const answers = { ...existing.answers };
  const gainedKeys: DedupKey[] = [];
  const details: string[] = [];
  for (const field of leadContactFieldNames) {
    const value = incoming.contact[field];
    if (existing.contact[field] || !value || (full && !contactFieldsGainedWhenFull.includes(field))) continue;
    if (field === 'email' || field === 'phone') {
      const key = personDedupKey(field, value);
      if (!dedupKeys.some((candidate) => candidate.key === key) || heldKeys.some((held) => held.key === key)) continue;
      gainedKeys.push({ key, kind: 'person' });
      if (field === 'phone' && incoming.contact.phoneCountry) contact.phoneCountry = incoming.contact.phoneCountry;
    }
    contact[field] = value;
    details.push(field);
  }
  let answersBytes = utf8Bytes(JSON.stringify(answers));
  for (const [name, value] of full ? [] : Object.entries(incoming.answers)) {
    // Own keys only: an answer named `constructor` or `toString` must not read as one the lead has.
    if ((Object.hasOwn(existing.answers, name) && existing.answers[name]) || !value.trim()) continue;
    answersBytes += utf8Bytes(JSON.stringify({ [name]: value }));
    if (answersBytes > touchAnswersMaxBytes) break;
    answers[name] = value;
    details.push(`answers.${name}`);
  }
  return details.length ? { contact, answers, dedupKeys: gainedKeys, details } : undefined;
}

/** `lead.scored`: the score and the facts the compiled routing rules match on. */
export function leadScoredEvent(lead: Lead, score: LeadScore, event: { eventId: string; reason: 'captured' | 'touched' }, rules: Pick<ScoringRules, 'routing'>): LeadEvent {
  const facts = leadFacts(lead);
  // Own answers only: a route on `answers.constructor` must not read Object's constructor from a lead without that answer.
  const answers = Object.fromEntries(routedAnswerNames(rules.routing).flatMap((name) => (Object.hasOwn(lead.answers, name) && lead.answers[name] ? [[name, lead.answers[name]]] : [])));
  return leadEvent(
    'lead.scored',
    {
      eventId: event.eventId,
      leadId: lead.leadId,
      reason: event.reason,
      status: lead.status,
      isTest: lead.isTest,
      owned: lead.ownerId !== undefined,
      poolId: routingPoolOf(lead),
      points: score.points,
      grade: score.grade,
      temperature: score.temperature,
      contributions: score.contributions,
      sourceKind: lead.source.kind,
      channel: lead.channel,
      formId: lead.source.formId,
      country: facts.country as string | undefined,
      region: lead.contact.region,
      ...(Object.keys(answers).length ? { answers } : {}),
      scoredAt: score.scoredAt,
    },
    score.scoredAt,
  );
}

interface ContactProblem {
  field: string;
  raw: string;
  message: string;
}

/** Normalises contact fields; unusable emails and phones are dropped from the contact and reported. */
export function cleanContact(raw: SubmittedContact, defaultCountry: string): { contact: LeadContact; problems: ContactProblem[] } {
  const contact: LeadContact = {};
  const problems: ContactProblem[] = [];
  const problem = (field: string, value: string, message: string) => problems.push({ field, raw: value, message });
  for (const [field, value] of Object.entries(raw) as Array<[keyof SubmittedContact, string | undefined]>) {
    const text = value?.trim();
    if (!text) continue;
    if (field === 'email') {
      const email = normaliseEmail(text);
      if (email) contact.email = email;
      else problem('email', text, 'is not a valid email address');
    } else if (field === 'phone') {
      const phone = normalisePhone(text, defaultCountry);
      if (!phone) problem('phone', text, 'is not a valid phone number');
      else {
        contact.phone = phone.number;
        if (phone.country) contact.phoneCountry = phone.country;
      }
    } else {
      contact[field] = field === 'name' ? normaliseName(text) : text;
    }
  }
  return { contact, problems };
}

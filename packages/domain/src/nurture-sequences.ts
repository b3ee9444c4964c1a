import './zod-locale';
import { timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { marketingEmailConsent, type ConsentLedgerEntry, type MarketingEmailConsent } from './consent-ledger';
import { leadContactFieldNames, type Lead, type LeadHistoryEntry } from './lead';
import { leadEvent } from './lead-events';
import { gradeSchema, temperatureSchema, type LeadScore } from './lead-scoring';
import { changedLead, lifecycleEventFacts, type LeadTransition } from './lead-transition';
import type { RotatingSecret } from './integration-secrets';
import { linkSignatureValid, signedLinkUrl } from './signed-link';
import { oneLine } from './notification-text';
import { readableContact } from './contact-normalisation';
import { escapeHtml } from './text-encoding';
import { nurtureLeftEntry, type LeadNurture } from './lead-nurture';

const idSchema = z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be lower-case letters, digits, "-" or "_", starting with a letter or digit'));
const dayMs = 24 * 3600_000;

/** What a nurture template may insert: the lead's contact fields, each with an optional fallback (`{{name|there}}`). */
export const nurtureTemplateFields = leadContactFieldNames;
const placeholderPattern = /\{\{\s*([A-Za-z]+)\s*(?:\|([^{}]*))?\}\}/g;

/** A template of a nurture email: text with `{{field}}` or `{{field|fallback}}` placeholders, refused when malformed or unknown. */
const templateSchema = z.string().check(
  z.minLength(1),
  z.superRefine((template, ctx) => {
    for (const [, name] of template.matchAll(placeholderPattern)) {
      if (!(nurtureTemplateFields as readonly string[]).includes(name)) ctx.addIssue({ code: 'custom', message: `unknown placeholder "{{${name}}}"; use one of ${nurtureTemplateFields.join(', ')}` });
    }
    const rest = template.replace(placeholderPattern, '');
    if (rest.includes('{{') || rest.includes('}}')) ctx.addIssue({ code: 'custom', message: 'malformed placeholder: write "{{field}}" or "{{field|fallback}}"' });
  }),
);

/** When a step is sent: every condition given must hold as the lead is then; a step whose condition fails is skipped. */
const stepConditionSchema = z
  .strictObject({ grades: z.optional(z.array(gradeSchema).check(z.minLength(1))), temperatures: z.optional(z.array(temperatureSchema).check(z.minLength(1))), tags: z.optional(z.array(idSchema).check(z.minLength(1))) })
  .check(z.refine((when) => when.grades || when.temperatures || when.tags, { message: 'a condition needs "grades", "temperatures" or "tags"' }));

export const nurtureStepSchema = z.strictObject({
  id: idSchema,
  /** Days after the lead entered the sequence (0 = at the first run after entering). */
  delayDays: z.number().check(z.int(), z.minimum(0), z.maximum(365)),
  subject: templateSchema,
  text: templateSchema,
  html: templateSchema,
  when: z.optional(stepConditionSchema),
});
export type NurtureStep = z.infer<typeof nurtureStepSchema>;

export const nurtureSequenceSchema = z.strictObject({ id: idSchema, name: z.string().check(z.trim(), z.minLength(1)), steps: z.array(nurtureStepSchema).check(z.minLength(1)) }).check(
  z.superRefine((sequence, ctx) => {
    const seen = new Set<string>();
    sequence.steps.forEach((step, index) => {
      if (seen.has(step.id)) ctx.addIssue({ code: 'custom', path: ['steps', index, 'id'], message: `duplicate id "${step.id}"` });
      seen.add(step.id);
      const previous = sequence.steps[index - 1];
      if (previous && step.delayDays < previous.delayDays) ctx.addIssue({ code: 'custom', path: ['steps', index, 'delayDays'], message: `must not be less than the step before's (${previous.delayDays})` });
    });
  }),
);
export type NurtureSequence = z.infer<typeof nurtureSequenceSchema>;

export const nurtureConfigurationSchema = z.strictObject({
  sequences: z._default(z.array(nurtureSequenceSchema), []),
  /**
   * Double opt-in: marketing consent starts no sequence until the person confirms it from the email we send them
   * (see `nurture-confirmation.ts`). A form may say otherwise for its own consent (`forms[].consent.doubleOptIn`).
   * Off unless set, so that an existing deployment keeps nurturing as it did.
   */
  doubleOptIn: z._default(z.boolean(), false),
});
export type NurtureConfiguration = z.infer<typeof nurtureConfigurationSchema>;

/** Checks the nurture section against the rest: unique sequence ids, step conditions naming configured tags. */
export function checkNurtureReferences(config: { nurture: NurtureConfiguration; tags: { vocabulary: ReadonlyArray<{ id: string }> } }, ctx: z.core.$RefinementCtx): void {
  const tags = new Set(config.tags.vocabulary.map((tag) => tag.id));
  const seen = new Set<string>();
  config.nurture.sequences.forEach((sequence, index) => {
    if (seen.has(sequence.id)) ctx.addIssue({ code: 'custom', path: ['nurture', 'sequences', index, 'id'], message: `duplicate id "${sequence.id}"` });
    seen.add(sequence.id);
    sequence.steps.forEach((step, stepIndex) =>
      step.when?.tags?.forEach((tag, tagIndex) => {
        if (!tags.has(tag)) ctx.addIssue({ code: 'custom', path: ['nurture', 'sequences', index, 'steps', stepIndex, 'when', 'tags', tagIndex], message: `unknown tag "${tag}"` });
      }),
    );
  });
}

/**
 * Whether a lead may receive nurture email, and why not: the consent it gave covers `marketing_email`, and its
 * consent ledger allows it (`marketingEmailConsent`: not withdrawn by an unsubscribe, and confirmed where double
 * opt-in asks for it). A lead stored before the ledger has no entries: its consent then needs confirming when
 * the nurture section's `doubleOptIn` says so (`needsConfirmation` of no source).
 */
export function nurtureConsent(lead: Pick<Lead, 'consent'>, ledger: readonly ConsentLedgerEntry[], needsConfirmation: (source: string) => boolean): MarketingEmailConsent {
  if (!lead.consent?.purposes?.includes('marketing_email')) return 'not_given';
  const entries = ledger.filter((entry) => entry.purpose === 'marketing_email');
  if (entries.length === 0) return needsConfirmation('') ? 'awaiting_confirmation' : 'given';
  return marketingEmailConsent(entries, needsConfirmation);
}

/**
 * The position of a lead's next step in its sequence as the sequence is now: after the last of its steps done that
 * the sequence still has, the first it has not done; `steps.length` when none is left. So a step added before the
 * lead's place is not sent to it, a step it had is never sent again, and removing one it had skips none it had not.
 */
function nextStepIndex(sequence: NurtureSequence, doneStepIds: readonly string[]): number {
  const done = new Set(doneStepIds);
  const place = sequence.steps.findLastIndex((step) => done.has(step.id));
  const next = sequence.steps.findIndex((step, index) => index > place && !done.has(step.id));
  return next === -1 ? sequence.steps.length : next;
}

/** The ids of the steps a lead has done; for a lead stored with a count (`stepsDone`), its sequence's first so many. */
function doneNurtureStepIds(nurture: { doneStepIds: readonly string[]; stepsDone?: number }, sequence: NurtureSequence): readonly string[] {
  return nurture.doneStepIds.length > 0 || !nurture.stepsDone ? nurture.doneStepIds : sequence.steps.slice(0, nurture.stepsDone).map((step) => step.id);
}

/** The step a lead in `sequence` does next, if any is left. */
export function nextNurtureStep(nurture: { doneStepIds: readonly string[]; stepsDone?: number }, sequence: NurtureSequence): NurtureStep | undefined {
  return sequence.steps[nextStepIndex(sequence, doneNurtureStepIds(nurture, sequence))];
}

/** A lead's place in a sequence with `doneStepIds` behind it, and when its next step is due (none after the last). */
function nurtureState(sequence: NurtureSequence, enteredAt: string, doneStepIds: readonly string[]): LeadNurture {
  const next = nextNurtureStep({ doneStepIds }, sequence);
  return { sequenceId: sequence.id, enteredAt, doneStepIds: [...doneStepIds], ...(next ? { nextStepAt: new Date(Date.parse(enteredAt) + next.delayDays * dayMs).toISOString() } : {}) };
}

/** A lead's place at the start of `sequence` as of `now`, its first step due on its day. */
export function nurtureStart(sequence: NurtureSequence, now: Date): LeadNurture {
  return nurtureState(sequence, now.toISOString(), []);
}

/** The lead entering a sequence: its state and the timeline entry. */
export function nurtureEntry(sequence: NurtureSequence, routeId: string, now: Date): { state: LeadNurture; historyEntry: LeadHistoryEntry } {
  const at = now.toISOString();
  return { state: nurtureStart(sequence, now), historyEntry: { at, action: 'nurture_entered', by: 'system', detail: `entered nurture sequence ${sequence.id} by route ${routeId}` } };
}

/** The step of the lead's sequence due by `now`, if any (steps are done in order, each on its day). */
export function dueNurtureStep(nurture: LeadNurture, sequence: NurtureSequence, now: Date): NurtureStep | undefined {
  const step = nextNurtureStep(nurture, sequence);
  return step && Date.parse(nurture.enteredAt) + step.delayDays * dayMs <= now.getTime() ? step : undefined;
}

/** Whether a step's condition holds for the lead as it is now. */
export function nurtureStepApplies(step: NurtureStep, lead: Pick<Lead, 'score' | 'tags'>): boolean {
  const { when } = step;
  if (!when) return true;
  const score: Partial<LeadScore> = lead.score ?? {};
  return (
    (!when.grades || (score.grade !== undefined && when.grades.includes(score.grade))) &&
    (!when.temperatures || (score.temperature !== undefined && when.temperatures.includes(score.temperature))) &&
    (!when.tags || when.tags.every((tag) => lead.tags?.includes(tag)))
  );
}

/**
 * A rendered nurture email: the template's text with each lead value on one line (`oneLine`: no line
 * break that could start a line of ours, no control characters or bidi overrides), escaped in the HTML
 * part, and the unsubscribe link in both parts.
 */
export function renderNurtureEmail(step: NurtureStep, lead: Pick<Lead, 'contact'>, unsubscribeUrl: string): { subject: string; text: string; html: string } {
  const contact = readableContact(lead.contact);
  const fill = (template: string, encode: (value: string) => string) =>
    template.replace(placeholderPattern, (_, name: string, fallback?: string) => encode(oneLine(contact[name as keyof Lead['contact']] ?? '') || oneLine(fallback ?? '')));
  const asWritten = (value: string) => value;
  return {
    subject: oneLine(fill(step.subject, asWritten), Number.POSITIVE_INFINITY),
    text: `${fill(step.text, asWritten)}\n\n--\nYou receive this because you agreed to emails from us. Unsubscribe: ${unsubscribeUrl}\n`,
    html: `${fill(step.html, escapeHtml)}\n<hr><p style="font-size:12px;color:#666">You receive this because you agreed to emails from us. <a href="${escapeHtml(unsubscribeUrl)}">Unsubscribe</a></p>\n`,
  };
}

/**
 * The lead after a step: sent (`emailed`) or skipped by its condition, on the timeline and in
 * `lead.nurtured`; after the last step the lead leaves the sequence.
 */
export function planNurtureStep(input: { lead: Lead; sequence: NurtureSequence; step: NurtureStep; outcome: 'emailed' | 'skipped'; now: Date; eventId: string }): LeadTransition {
  const { lead, sequence, step } = input;
  const nurture = lead.nurture;
  if (!nurture || nextNurtureStep(nurture, sequence)?.id !== step.id) throw new Error(`Lead ${lead.leadId} is not at step ${step.id} of a sequence`);
  const at = input.now.toISOString();
  const doneStepIds = [...doneNurtureStepIds(nurture, sequence), step.id];
  const last = nextNurtureStep({ doneStepIds }, sequence) === undefined;
  const entry: LeadHistoryEntry = {
    at,
    action: 'nurture_emailed',
    by: 'system',
    detail: `${sequence.id} step ${step.id} ${input.outcome === 'emailed' ? 'emailed' : 'skipped (its condition does not hold)'}${last ? '; sequence finished' : ''}`,
  };
  const after = last ? changedLead(lead, { remove: ['nurture'], entry }) : changedLead(lead, { set: { nurture: nurtureState(sequence, nurture.enteredAt, doneStepIds) }, entry });
  const event = leadEvent(
    'lead.nurtured',
    { ...lifecycleEventFacts(lead, 'system', input.eventId), sequenceId: sequence.id, change: input.outcome, stepId: step.id, ...(last ? { left: 'finished' as const } : {}), nurturedAt: at },
    at,
  );
  return { before: lead, after, openLeads: [], event };
}

/**
 * A step recorded as emailed (`claim`, from `planNurtureStep`) given back because its email did not go out
 * for a passing reason (the provider was throttled or failing): the lead is at that step again, still due,
 * so the next run sends it (`nurture_rescheduled`, `lead.nurtured` with `change: rescheduled`). Written
 * over the lead exactly as the claim left it, so a lead changed since keeps what changed it.
 */
export function planNurtureStepRetry(input: { claim: LeadTransition; sequence: NurtureSequence; now: Date; eventId: string }): LeadTransition {
  const { claim, sequence } = input;
  const nurture = claim.before.nurture;
  const step = nurture && nextNurtureStep(nurture, sequence);
  if (!nurture || !step) throw new Error(`Lead ${claim.before.leadId} was at no step of sequence ${sequence.id}`);
  const lead = claim.after;
  const at = input.now.toISOString();
  const entry: LeadHistoryEntry = { at, action: 'nurture_rescheduled', by: 'system', detail: `${sequence.id} step ${step.id} not sent (the email provider did not take it for now); due again` };
  const event = leadEvent('lead.nurtured', { ...lifecycleEventFacts(lead, 'system', input.eventId), sequenceId: sequence.id, change: 'rescheduled', stepId: step.id, nurturedAt: at }, at);
  return { before: lead, after: changedLead(lead, { set: { nurture }, entry }), openLeads: [], event };
}

/**
 * The lead re-filed when the due-time index holds it as due but its sequence, changed since, has no step
 * due: past the sequence's last step (steps removed) it leaves the sequence (`finished`); else its next
 * step, moved later, is due on its new day. Otherwise the lead would stay due in the index, read by every run.
 */
export function planNurtureRefile(input: { lead: Lead; sequence: NurtureSequence; now: Date; eventId: string }): LeadTransition {
  const { lead, sequence, now, eventId } = input;
  const nurture = lead.nurture;
  if (!nurture || dueNurtureStep(nurture, sequence, now)) throw new Error(`Lead ${lead.leadId} has a nurture step due, or no sequence`);
  const step = nextNurtureStep(nurture, sequence);
  if (!step) return planNurtureExit({ lead, reason: 'finished', by: 'system', now, eventId });
  const at = now.toISOString();
  const state = nurtureState(sequence, nurture.enteredAt, doneNurtureStepIds(nurture, sequence));
  const entry: LeadHistoryEntry = { at, action: 'nurture_rescheduled', by: 'system', detail: `${sequence.id} step ${step.id} now due at ${state.nextStepAt} (the sequence changed)` };
  const event = leadEvent('lead.nurtured', { ...lifecycleEventFacts(lead, 'system', eventId), sequenceId: sequence.id, change: 'rescheduled', stepId: step.id, nurturedAt: at }, at);
  return { before: lead, after: changedLead(lead, { set: { nurture: state }, entry }), openLeads: [], event };
}

/** Why a lead leaves its sequence: before the end, or (`finished`) past the steps its sequence now has. */
export type NurtureExit = 'unsubscribed' | 'unconfirmed' | 'warmed' | 'sequence_removed' | 'finished';

/** The lead leaving its sequence early (an unsubscribe, a sequence no longer configured, steps removed): on the timeline and in `lead.nurtured`. */
export function planNurtureExit(input: { lead: Lead; reason: NurtureExit; by: string; now: Date; eventId: string }): LeadTransition {
  const { lead } = input;
  if (!lead.nurture) throw new Error(`Lead ${lead.leadId} is in no nurture sequence`);
  const at = input.now.toISOString();
  const entry = nurtureLeftEntry(lead.nurture, input.reason, at, input.by);
  const event = leadEvent('lead.nurtured', { ...lifecycleEventFacts(lead, input.by, input.eventId), sequenceId: lead.nurture.sequenceId, change: 'left', left: input.reason, nurturedAt: at }, at);
  return { before: lead, after: changedLead(lead, { remove: ['nurture'], entry }), openLeads: [], event };
}

/** Whether a rep's newly assigned lead just came out of nurturing because a touch warmed it (their notification says so). */
export function warmedOutOfNurture(lead: Pick<Lead, 'history'>): boolean {
  const entries = lead.history;
  let index = entries.length - 1;
  while (index >= 0 && entries[index].action !== 'assigned') index -= 1;
  const before = entries[index - 1];
  return index > 0 && before?.action === 'nurture_left' && before.detail?.endsWith(': warmed') === true;
}

/**
 * A lead's unsubscribe token, `<leadId>.<secret>`: the lead's own unsubscribe secret (random, stored with the
 * lead and the same in every email), so that rotating the action-link key never breaks an unsubscribe link.
 */
export function unsubscribeToken(leadId: string, secret: string): string {
  return `${leadId}.${secret}`;
}

/** What an unsubscribe token says: the lead, and the proof that it came from an email to that lead. */
export interface UnsubscribeToken {
  leadId: string;
  proof: string;
}

/** The lead and proof an unsubscribe token carries, or `undefined` when it is malformed. */
export function parseUnsubscribeToken(token: string): UnsubscribeToken | undefined {
  const match = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{22})$/.exec(token);
  return match ? { leadId: match[1], proof: match[2] } : undefined;
}

/**
 * Whether a token proves its lead: it carries the lead's unsubscribe secret (compared in constant time), or,
 * for links sent before leads had one, the lead id signed with the action-link key's current or previous value.
 */
export function unsubscribeTokenValid(token: UnsubscribeToken, leadSecret: string | undefined, key: RotatingSecret): boolean {
  const carriesSecret = leadSecret !== undefined && leadSecret.length === token.proof.length && timingSafeEqual(Buffer.from(leadSecret), Buffer.from(token.proof));
  return carriesSecret || linkSignatureValid(key, unsubscribePayload(token.leadId), token.proof);
}

/** Two parts, where a one-tap link's payload has four, so neither signature can stand for the other. */
function unsubscribePayload(leadId: string): string {
  return `unsubscribe.${leadId}`;
}

export function unsubscribeUrl(baseUrl: string, token: string): string {
  return signedLinkUrl(baseUrl, 'u', token);
}

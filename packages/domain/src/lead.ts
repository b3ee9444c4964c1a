import './zod-locale';
import * as z from 'zod/mini';
import { consentPurposeSchema, consentsGivenSchema } from './consent-ledger';
import { leadAttributionSchema } from './attribution';
import { leadScoreSchema } from './lead-scoring';
import { routingDecisionSchema } from './routing-decision';
import { leadOfferSchema } from './lead-offer-schemas';
import { leadNurtureSchema } from './lead-nurture';

/** Lead fields a form answer can fill (the rest of a form's answers are kept under `answers`). */
export const leadContactFieldNames = ['name', 'email', 'phone', 'company', 'title', 'country', 'region', 'message'] as const;
export type LeadContactFieldName = (typeof leadContactFieldNames)[number];

/**
 * `quarantined`: caught by spam defences (honeypot, too-fast fill); kept for review but never routed,
 * notified or counted. `invalid`: no usable contact, or judged invalid later; kept with its reason.
 */
export const leadStatusSchema = z.enum(['new', 'invalid', 'quarantined', 'in_pool', 'assigned', 'contacted', 'qualified', 'converted']);
export type LeadStatus = z.infer<typeof leadStatusSchema>;

export const leadContactSchema = z.strictObject({
  name: z.optional(z.string()),
  email: z.optional(z.string()),
  phone: z.optional(z.string()),
  company: z.optional(z.string()),
  title: z.optional(z.string()),
  country: z.optional(z.string()),
  region: z.optional(z.string()),
  message: z.optional(z.string()),
  /**
   * The country of `phone` (ISO 3166-1 alpha-2), read from the number when it was cleaned, so routing and
   * scoring place a lead without a country field without carrying a phone-number parser. Absent on leads
   * captured before it was kept; `withPhoneCountry` reads it for them.
   */
  phoneCountry: z.optional(z.string()),
});
export type LeadContact = z.infer<typeof leadContactSchema>;
/** The contact a submission gives (a form, an ad platform, a CSV row): the fields a person fills; `phoneCountry` is derived when the contact is cleaned. */
export type SubmittedContact = Partial<Record<LeadContactFieldName, string>>;

/** One recorded transition of a lead: who did what, when and why (the lead's timeline). */
export const leadHistoryEntrySchema = z.strictObject({
  at: z.iso.datetime(),
  action: z.enum([
    'captured',
    'touched',
    'assigned',
    'offered',
    'pooled',
    'claimed',
    'accepted',
    'released',
    'transferred',
    'locked',
    'unlocked',
    'activity',
    'contacted',
    'qualified',
    'invalidated',
    'reactivated',
    'converted',
    'conversion_corrected',
    'reminded',
    'escalated',
    'recycle_warned',
    'recycled',
    'erased',
    'tagged',
    'untagged',
    'nurture_entered',
    'nurture_emailed',
    'nurture_rescheduled',
    'nurture_left',
    'nurture_confirmation_sent',
    'nurture_confirmed',
  ]),
  by: z.string(),
  detail: z.optional(z.string()),
  /** For `assigned` and `pooled`: the whole routing decision, for the audit. */
  decision: z.optional(routingDecisionSchema),
});
export type LeadHistoryEntry = z.infer<typeof leadHistoryEntrySchema>;

export const leadAssignmentSchema = z.strictObject({
  /** Which routing rule decided the owner, so the decision can be explained and audited. */
  rule: z.enum(['round_robin', 'weighted', 'territory', 'least_busy', 'offer', 'claim', 'manual', 'recycle']),
  poolId: z.string(),
  assignedAt: z.iso.datetime(),
});

export const sourceKindSchema = z.enum(['web_form', 'meta', 'google', 'tiktok', 'linkedin', 'webhook', 'import']);
export type SourceKind = z.infer<typeof sourceKindSchema>;

/** Where the lead came in: the channel (for ROI), the form, and the platform's own ids, kept as exact strings. */
export const leadSourceSchema = z.strictObject({
  kind: sourceKindSchema,
  formId: z.optional(z.string()),
  /** The lead's id on the ad platform (Meta leadgen_id, Google lead_id, …) or the import row key. */
  platformLeadId: z.optional(z.string()),
  /** The generic webhook source, or the import file. */
  sourceId: z.optional(z.string()),
});

/** A logged follow-up (跟进): what was done, how it went, and when the next step is due. */
export const activityKindSchema = z.enum(['call', 'email', 'meeting', 'message', 'note']);
export type ActivityKind = z.infer<typeof activityKindSchema>;

/** The sale a lead became: its revenue counts for channel ROI. */
export const leadConversionSchema = z.strictObject({
  revenue: z.number().check(z.nonnegative()),
  /** ISO 4217 code. */
  currency: z.string().check(z.regex(/^[A-Z]{3}$/)),
  wonAt: z.iso.datetime(),
  dealId: z.optional(z.string()),
  /** Who converted the lead: a correction leaves the credit where it was. */
  by: z.string(),
  /** Who last corrected the sale (a typo, a refund, a re-priced deal), and when; absent until someone does. */
  correctedBy: z.optional(z.string()),
  correctedAt: z.optional(z.iso.datetime()),
});
export type LeadConversion = z.infer<typeof leadConversionSchema>;

/** A manager's lock: a locked lead is never recycled. */
export const leadLockSchema = z.strictObject({ by: z.string(), at: z.iso.datetime(), reason: z.optional(z.string()) });

/**
 * What the follow-up rules have already done about the lead's current obligations, so a reminder,
 * breach or warning happens once however often the job runs. `slaKey` names the obligation
 * (`first_contact@<assignedAt>`, or `next_step@<nextStepAt>/<owner>@<assignedAt>`) and `recycleKey` the
 * recycle time and assignment the warning was for (`<recycleAt>/<owner>@<assignedAt>`); keys of the older
 * form (without the assignment) still count. When the lead moves on (contacted, a new next step, a fresh
 * follow-up, a new owner), the keys no longer match and the state starts over.
 */
export const leadFollowUpStateSchema = z.strictObject({
  slaKey: z.optional(z.string()),
  remindedAt: z.optional(z.iso.datetime()),
  breaches: z.optional(z.number().check(z.int(), z.minimum(0))),
  recycleKey: z.optional(z.string()),
  recycleWarnedAt: z.optional(z.iso.datetime()),
});
export type LeadFollowUpState = z.infer<typeof leadFollowUpStateSchema>;

/** Consent as given: which text version, for which purposes (absent: `contact` only), when, and from where. */
export const consentRecordSchema = z.strictObject({
  version: z.string(),
  text: z.string(),
  purposes: z.optional(z.array(consentPurposeSchema)),
  givenAt: z.iso.datetime(),
  ip: z.optional(z.string()),
  userAgent: z.optional(z.string()),
});
export type ConsentRecord = z.infer<typeof consentRecordSchema>;

export const leadSchema = z.strictObject({
  leadId: z.string(),
  status: leadStatusSchema,
  /** The configured channel the lead is credited to. */
  channel: z.string(),
  source: leadSourceSchema,
  /** The pool the lead is in now: its source's at capture, then the pool of each route that places it. */
  poolId: z.string(),
  /** The pool its source put it in at capture: a route without a pool of its own routes the lead there, wherever it waited since (nurture). Absent on leads stored before it was kept: `poolId` then. */
  capturePoolId: z.optional(z.string()),
  contact: leadContactSchema,
  answers: z.record(z.string(), z.string()),
  attribution: leadAttributionSchema,
  consent: z.optional(consentRecordSchema),
  /** The consent its ledger last recorded given, per purpose not withdrawn since (see `unrecordedConsents`); absent on leads captured before it was kept, and without consent. */
  consentGiven: z.optional(consentsGivenSchema),
  /** Platform test leads are kept but left out of routing and ROI. */
  isTest: z.boolean(),
  /** Why the lead is `invalid` or `quarantined`. */
  statusReason: z.optional(z.string()),
  /** The status an erasure found (it makes the lead `invalid`), so that the lead's ROI facts stay what they were (absent on leads erased before it was kept). */
  statusBeforeErasure: z.optional(leadStatusSchema),
  /** Submissions by the same person: 1 for the first, more for each repeat (re-engagement). */
  touches: z.number().check(z.int(), z.positive()),
  ownerId: z.optional(z.string()),
  assignment: z.optional(leadAssignmentSchema),
  /** Who last held the lead and when they released it, for the pool's previous-owner cooldown. */
  previousOwnerId: z.optional(z.string()),
  releasedAt: z.optional(z.iso.datetime()),
  /** Lifecycle facts the rep's day, SLA reminders, recycling and speed-to-lead reports read: the lead's first contact by anyone, and its latest. */
  firstContactAt: z.optional(z.iso.datetime()),
  lastContactAt: z.optional(z.iso.datetime()),
  lastActivityAt: z.optional(z.iso.datetime()),
  /** The next step promised by the latest follow-up, if any. */
  nextStepAt: z.optional(z.iso.datetime()),
  /** Marketing- or sales-qualified, once `qualified`. */
  qualification: z.optional(z.enum(['mql', 'sql'])),
  conversion: z.optional(leadConversionSchema),
  lock: z.optional(leadLockSchema),
  /** Written only by the follow-up rules (SLA reminders, escalation, recycling). */
  followUp: z.optional(leadFollowUpStateSchema),
  /** The latest score with every rule's contribution (new leads only; re-scored on every touch). */
  score: z.optional(leadScoreSchema),
  /** The offer of a route with strategy `offer`: to whom, until when; kept once it is accepted or has expired. */
  offer: z.optional(leadOfferSchema),
  /** The routing decision that gave the lead its owner or left it in a pool. */
  routing: z.optional(routingDecisionSchema),
  /** Tags of the configured vocabulary, set by hand or by the tag rules, in the order they were added. */
  tags: z.optional(z.array(z.string())),
  /** The nurture sequence the lead is in while it waits in its pool (see `nurture-sequences.ts`). */
  nurture: z.optional(leadNurtureSchema),
  capturedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  history: z.array(leadHistoryEntrySchema),
});
export type Lead = z.infer<typeof leadSchema>;

/** The status reports count a lead by: an erased lead's is the one it had when it was erased (erasure makes it `invalid`). */
export function countedStatus(lead: Pick<Lead, 'status' | 'statusBeforeErasure'>): Lead['status'] {
  return lead.statusBeforeErasure ?? lead.status;
}

/** The lead's own pool for routing: the one it was captured into, not a nurture pool it waited in before it warmed up. */
export function routingPoolOf(lead: Pick<Lead, 'poolId' | 'capturePoolId'>): string {
  return lead.capturePoolId ?? lead.poolId;
}

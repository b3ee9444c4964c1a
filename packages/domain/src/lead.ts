import { z } from 'zod';
import { leadAttributionSchema } from './attribution';
import { leadScoreSchema } from './lead-scoring';
import { routingDecisionSchema } from './routing-decision';

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
  name: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  company: z.string().optional(),
  title: z.string().optional(),
  country: z.string().optional(),
  region: z.string().optional(),
  message: z.string().optional(),
});
export type LeadContact = z.infer<typeof leadContactSchema>;

/** One recorded transition of a lead: who did what, when and why (the lead's timeline). */
export const leadHistoryEntrySchema = z.strictObject({
  at: z.iso.datetime(),
  action: z.enum(['captured', 'touched', 'assigned', 'pooled', 'claimed', 'released', 'erased']),
  by: z.string(),
  detail: z.string().optional(),
  /** For `assigned` and `pooled`: the whole routing decision, for the audit. */
  decision: routingDecisionSchema.optional(),
});
export type LeadHistoryEntry = z.infer<typeof leadHistoryEntrySchema>;

export const leadAssignmentSchema = z.strictObject({
  /** Which routing rule decided the owner, so the decision can be explained and audited. */
  rule: z.enum(['round_robin', 'weighted', 'territory', 'least_busy', 'claim']),
  poolId: z.string(),
  assignedAt: z.iso.datetime(),
});

export const sourceKindSchema = z.enum(['web_form', 'meta', 'google', 'tiktok', 'linkedin', 'webhook', 'import']);
export type SourceKind = z.infer<typeof sourceKindSchema>;

/** Where the lead came in: the channel (for ROI), the form, and the platform's own ids, kept as exact strings. */
export const leadSourceSchema = z.strictObject({
  kind: sourceKindSchema,
  formId: z.string().optional(),
  /** The lead's id on the ad platform (Meta leadgen_id, Google lead_id, …) or the import row key. */
  platformLeadId: z.string().optional(),
  /** The generic webhook source, or the import file. */
  sourceId: z.string().optional(),
});

/** Consent as given: which text version, when, and from where. */
export const consentRecordSchema = z.strictObject({
  version: z.string(),
  text: z.string(),
  givenAt: z.iso.datetime(),
  ip: z.string().optional(),
  userAgent: z.string().optional(),
});
export type ConsentRecord = z.infer<typeof consentRecordSchema>;

export const leadSchema = z.strictObject({
  leadId: z.string(),
  status: leadStatusSchema,
  /** The configured channel the lead is credited to. */
  channel: z.string(),
  source: leadSourceSchema,
  poolId: z.string(),
  contact: leadContactSchema,
  answers: z.record(z.string(), z.string()),
  attribution: leadAttributionSchema,
  consent: consentRecordSchema.optional(),
  /** Platform test leads are kept but left out of routing and ROI. */
  isTest: z.boolean(),
  /** Why the lead is `invalid` or `quarantined`. */
  statusReason: z.string().optional(),
  /** Submissions by the same person: 1 for the first, more for each repeat (re-engagement). */
  touches: z.number().int().positive(),
  ownerId: z.string().optional(),
  assignment: leadAssignmentSchema.optional(),
  /** Who last held the lead and when they released it, for the pool's previous-owner cooldown. */
  previousOwnerId: z.string().optional(),
  releasedAt: z.iso.datetime().optional(),
  /** The latest score with every rule's contribution (new leads only; re-scored on every touch). */
  score: leadScoreSchema.optional(),
  /** The routing decision that gave the lead its owner or left it in a pool. */
  routing: routingDecisionSchema.optional(),
  capturedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  history: z.array(leadHistoryEntrySchema),
});
export type Lead = z.infer<typeof leadSchema>;

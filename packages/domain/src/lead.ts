import { z } from 'zod';

/** Lead fields a form answer can fill (the rest of a form's answers are kept under `answers`). */
export const leadContactFieldNames = ['name', 'email', 'phone', 'company', 'title', 'country', 'region', 'message'] as const;
export type LeadContactFieldName = (typeof leadContactFieldNames)[number];

export const leadStatusSchema = z.enum(['new', 'invalid', 'in_pool', 'assigned', 'contacted', 'qualified', 'converted']);
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
  action: z.enum(['captured', 'assigned']),
  by: z.string(),
  detail: z.string().optional(),
});
export type LeadHistoryEntry = z.infer<typeof leadHistoryEntrySchema>;

export const leadAssignmentSchema = z.strictObject({
  /** Which routing rule decided the owner, so the decision can be explained and audited. */
  rule: z.enum(['round_robin']),
  poolId: z.string(),
  assignedAt: z.iso.datetime(),
});

export const leadSchema = z.strictObject({
  leadId: z.string(),
  status: leadStatusSchema,
  formId: z.string(),
  channel: z.string(),
  poolId: z.string(),
  contact: leadContactSchema,
  answers: z.record(z.string(), z.string()),
  ownerId: z.string().optional(),
  assignment: leadAssignmentSchema.optional(),
  capturedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  history: z.array(leadHistoryEntrySchema),
});
export type Lead = z.infer<typeof leadSchema>;

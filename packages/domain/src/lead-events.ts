import './zod-locale';
import * as z from 'zod/mini';
import { activityKindSchema, leadConversionSchema, leadStatusSchema, sourceKindSchema, type Lead } from './lead';
import { gradeSchema, scoreContributionSchema, temperatureSchema } from './lead-scoring';
import { assignmentStrategySchema } from './assignment-strategy';
import { routingCandidateSchema } from './routing-decision';

/** The `source` of every event Leadflow puts on its bus. */
export const leadEventSource = 'leadflow.leads';

/** Every detail carries its event's own id, stable across redeliveries, so consumers can de-duplicate. */
const eventIdSchema = z.string().check(z.minLength(1));

/**
 * Every event of a platform test lead says so, and real leads' events leave it out, so a rule keeps test
 * leads out (the outbound webhooks' `isTest: [false, {exists: false}]`) without reading the lead.
 * `lead.captured` and `lead.scored` carry `isTest` either way.
 */
const testLeadFact = { isTest: z.optional(z.literal(true)) };

/** The `isTest` mark of an event about `lead`: `{isTest: true}` for a platform test lead, nothing for a real one. */
export function testLeadMark(lead: Pick<Lead, 'isTest'>): { isTest?: true } {
  return lead.isTest ? { isTest: true } : {};
}

export const leadCapturedDetailSchema = z.strictObject({
  eventId: eventIdSchema,
  leadId: z.string(),
  /** Rules route only `new` leads that are not tests; invalid and quarantined leads are announced too. */
  status: z.enum(['new', 'invalid', 'quarantined']),
  isTest: z.boolean(),
  sourceKind: sourceKindSchema,
  formId: z.optional(z.string()),
  poolId: z.string(),
  channel: z.string(),
  capturedAt: z.iso.datetime(),
});

export const leadTouchedDetailSchema = z.strictObject({
  eventId: eventIdSchema,
  leadId: z.string(),
  ...testLeadFact,
  channel: z.string(),
  sourceKind: sourceKindSchema,
  touchedAt: z.iso.datetime(),
  /** The lead stays where a nurture route holds it for its double opt-in confirmation: the post may be answered with another confirmation email. */
  awaitingConfirmation: z.optional(z.literal(true)),
});

/**
 * A lead was scored (when captured) or re-scored (on a touch): the score, and the facts the routing
 * table's compiled rules match on. Only `new`, unowned, real leads match a route.
 */
export const leadScoredDetailSchema = z.strictObject({
  eventId: eventIdSchema,
  leadId: z.string(),
  reason: z.enum(['captured', 'touched']),
  status: leadStatusSchema,
  isTest: z.boolean(),
  owned: z.boolean(),
  /** The lead's own pool for routing (`routingPoolOf`): where a route without a pool of its own places it. */
  poolId: z.string(),
  points: z.number().check(z.int(), z.minimum(0), z.maximum(100)),
  grade: gradeSchema,
  temperature: temperatureSchema,
  /**
   * Why the lead scored what it did, so `assign-lead` records the score in its decision without reading
   * the lead. Absent from events written before it was added; `assign-lead` then reads the lead.
   */
  contributions: z.optional(z.array(scoreContributionSchema)),
  sourceKind: sourceKindSchema,
  channel: z.string(),
  formId: z.optional(z.string()),
  country: z.optional(z.string()),
  region: z.optional(z.string()),
  /**
   * The form answers some route matches on; absent when there are none (an empty map would not survive
   * the local DynamoDB stream client, and routes treat a missing answer like an absent one anyway).
   */
  answers: z.optional(z.record(z.string(), z.string())),
  scoredAt: z.iso.datetime(),
});
export type LeadScoredDetail = z.infer<typeof leadScoredDetailSchema>;

/** What a route's rule hands the assigning function: which route matched, and the `lead.scored` detail. */
export const routedLeadSchema = z.strictObject({
  routeId: z.string(),
  detail: leadScoredDetailSchema,
});

export const leadAssignedDetailSchema = z.strictObject({
  eventId: eventIdSchema,
  leadId: z.string(),
  ...testLeadFact,
  ownerId: z.string(),
  poolId: z.string(),
  rule: z.enum(['round_robin', 'weighted', 'territory', 'least_busy', 'offer', 'manual', 'recycle']),
  assignedAt: z.iso.datetime(),
  /** For a manual assignment, transfer or recycle to a rep: who did it, and who held the lead before. */
  by: z.optional(z.string()),
  previousOwnerId: z.optional(z.string()),
  routeId: z.optional(z.string()),
  candidates: z.optional(z.array(routingCandidateSchema)),
  explanation: z.optional(z.string()),
  score: z.optional(z.strictObject({ points: z.number().check(z.int()), grade: gradeSchema, temperature: temperatureSchema, contributions: z.array(scoreContributionSchema) })),
});

/** A routed lead was left in a pool: by the route's `pool` strategy, or because nobody on the route was available. */
export const leadPooledDetailSchema = z.strictObject({
  eventId: eventIdSchema,
  leadId: z.string(),
  ...testLeadFact,
  poolId: z.string(),
  routeId: z.string(),
  strategy: assignmentStrategySchema,
  reason: z.enum(['pool_strategy', 'nobody_available']),
  candidates: z.array(routingCandidateSchema),
  pooledAt: z.iso.datetime(),
});

/** A route with strategy `offer` offered a lead to several reps at once; the first to accept before `expiresAt` owns it. */
export const leadOfferedDetailSchema = z.strictObject({
  eventId: eventIdSchema,
  leadId: z.string(),
  ...testLeadFact,
  poolId: z.string(),
  routeId: z.string(),
  repIds: z.array(z.string()).check(z.minLength(1)),
  offeredAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});

/** A pool member claimed an unowned lead from its pool (领取). */
export const leadClaimedDetailSchema = z.strictObject({
  eventId: eventIdSchema,
  leadId: z.string(),
  ...testLeadFact,
  ownerId: z.string(),
  poolId: z.string(),
  claimedAt: z.iso.datetime(),
});

/** The owner gave a lead back to its pool (释放), with one of the pool's release reasons. */
export const leadReleasedDetailSchema = z.strictObject({
  eventId: eventIdSchema,
  leadId: z.string(),
  ...testLeadFact,
  previousOwnerId: z.string(),
  poolId: z.string(),
  reason: z.string(),
  releasedAt: z.iso.datetime(),
});

/** Fields every lifecycle event carries so reports can credit it without reading the lead. */
const lifecycleFacts = {
  eventId: eventIdSchema,
  leadId: z.string(),
  poolId: z.string(),
  channel: z.string(),
  capturedAt: z.iso.datetime(),
  ownerId: z.optional(z.string()),
  /** The rep, manager or `system` that made the change. */
  by: z.string(),
  ...testLeadFact,
};

/** A follow-up (跟进) was logged on a lead. */
export const leadActivityLoggedDetailSchema = z.strictObject({
  ...lifecycleFacts,
  activityId: z.string(),
  kind: activityKindSchema,
  outcome: z.optional(z.string()),
  nextStepAt: z.optional(z.iso.datetime()),
  /** True when this activity is the lead's first contact (speed to lead). */
  firstContact: z.boolean(),
  loggedAt: z.iso.datetime(),
});

/** A lifecycle transition: contacted, qualified, invalid (with reason) or reactivated back to the pool. */
export const leadStatusChangedDetailSchema = z.strictObject({
  ...lifecycleFacts,
  from: leadStatusSchema,
  to: leadStatusSchema,
  reason: z.optional(z.string()),
  qualification: z.optional(z.enum(['mql', 'sql'])),
  changedAt: z.iso.datetime(),
});

/** A lead became a customer; its revenue counts for channel ROI. */
export const leadConvertedDetailSchema = z.strictObject({
  ...lifecycleFacts,
  revenue: z.number().check(z.nonnegative()),
  currency: z.string().check(z.regex(/^[A-Z]{3}$/)),
  wonAt: z.iso.datetime(),
  dealId: z.optional(z.string()),
  convertedAt: z.iso.datetime(),
});

/** A sale's facts as the lead's `conversion` holds them. */
const saleFacts = { revenue: leadConversionSchema.shape.revenue, currency: leadConversionSchema.shape.currency, wonAt: leadConversionSchema.shape.wonAt };

/**
 * Finance, a manager or the owner corrected a converted lead's sale (a typo, a refund — revenue 0 for a
 * full one —, a re-priced deal); channel ROI restates its capture day. `reason` is typed by a person, so an
 * erasure takes it out of events not yet published (`personalEventDetailFields`); it is optional for that alone.
 */
export const leadConversionCorrectedDetailSchema = z.strictObject({
  ...lifecycleFacts,
  previous: z.strictObject({ ...saleFacts, dealId: leadConversionSchema.shape.dealId }),
  conversion: z.strictObject({ ...saleFacts, dealId: leadConversionSchema.shape.dealId }),
  reason: z.optional(z.string()),
  correctedAt: z.iso.datetime(),
});

/** A manager locked or unlocked a lead; locked leads are never recycled. */
export const leadLockChangedDetailSchema = z.strictObject({
  ...lifecycleFacts,
  reason: z.optional(z.string()),
  changedAt: z.iso.datetime(),
});

/** The owner missed an SLA: the first contact due by grade, or a promised next step. `breach` counts them (2 = second breach). */
export const leadSlaBreachedDetailSchema = z.strictObject({
  ...lifecycleFacts,
  sla: z.enum(['first_contact', 'next_step']),
  dueAt: z.iso.datetime(),
  breach: z.number().check(z.int(), z.positive()),
  breachedAt: z.iso.datetime(),
});

/** The owner is reminded that an SLA falls due soon: the first contact by grade, or a promised next step. */
export const leadRemindedDetailSchema = z.strictObject({
  ...lifecycleFacts,
  sla: z.enum(['first_contact', 'next_step']),
  dueAt: z.iso.datetime(),
  remindedAt: z.iso.datetime(),
});

/** The owner is warned that the pool's recycle rule will take the lead back at `recycleAt` unless they make progress. */
export const leadRecycleWarnedDetailSchema = z.strictObject({
  ...lifecycleFacts,
  /** The pool's rule in words, e.g. "no first contact within 72 hours". */
  rule: z.string(),
  recycleAt: z.iso.datetime(),
  warnedAt: z.iso.datetime(),
});

/**
 * A lead was taken from its owner (回收): by the pool's recycle rule, or as the action of a second SLA
 * breach. It went back to the pool (with the previous-owner cooldown) or to `ownerId`, a named rep.
 */
export const leadRecycledDetailSchema = z.strictObject({
  ...lifecycleFacts,
  previousOwnerId: z.string(),
  trigger: z.enum(['recycle_rule', 'second_sla_breach']),
  rule: z.string(),
  to: z.enum(['pool', 'rep']),
  recycledAt: z.iso.datetime(),
});

/**
 * A platform lead could not be read back (the platform was down, refused the token, answered nonsense).
 * The delivery is kept as a pending intake record and retried with backoff; nothing is dropped.
 */
export const leadFetchFailedDetailSchema = z.strictObject({
  eventId: eventIdSchema,
  sourceKind: sourceKindSchema,
  platformLeadId: z.string(),
  attempts: z.number().check(z.int(), z.positive()),
  nextAttemptAt: z.iso.datetime(),
  error: z.string(),
  failedAt: z.iso.datetime(),
});

/** A person's data was erased from a lead at their request (e.g. LinkedIn `leadAction: DELETED`). */
export const leadErasedDetailSchema = z.strictObject({
  eventId: eventIdSchema,
  leadId: z.string(),
  ...testLeadFact,
  sourceKind: sourceKindSchema,
  reason: z.string(),
  erasedAt: z.iso.datetime(),
});

/** The owner accepted a lead from a notification's one-tap link (acknowledged it and will call). */
export const leadAcceptedDetailSchema = z.strictObject({
  eventId: eventIdSchema,
  leadId: z.string(),
  ...testLeadFact,
  ownerId: z.string(),
  poolId: z.string(),
  acceptedAt: z.iso.datetime(),
});

/** Tags were added to or removed from a lead, by hand or (`by: system`) by the tag rules; `tags` is the lead's set after. */
export const leadTaggedDetailSchema = z.strictObject({
  ...lifecycleFacts,
  added: z.array(z.string()),
  removed: z.array(z.string()),
  tags: z.array(z.string()),
  taggedAt: z.iso.datetime(),
});

/**
 * A lead's nurture sequence moved (entering it is on the timeline and in `lead.pooled` of a `nurture`
 * route): a step was `emailed` or `skipped` (its condition did not hold), or the lead `left` — `left` says
 * why (`finished` after the last step, `unsubscribed`, `unconfirmed` (its consent waits for a confirmation
 * the sequence was started without), `warmed`, …). With double opt-in, a `confirmation_sent` email asks the
 * person to confirm, and `confirmed` starts the sequence.
 */
export const leadNurturedDetailSchema = z.strictObject({
  ...lifecycleFacts,
  sequenceId: z.string(),
  change: z.enum(['emailed', 'skipped', 'rescheduled', 'left', 'confirmation_sent', 'confirmed']),
  stepId: z.optional(z.string()),
  left: z.optional(z.enum(['finished', 'unsubscribed', 'unconfirmed', 'warmed', 'sequence_removed'])),
  nurturedAt: z.iso.datetime(),
});

/** Every lead event by its detail-type: the contract between publishers and the rules that route them. */
export const leadEventDetailSchemas = {
  'lead.captured': leadCapturedDetailSchema,
  'lead.touched': leadTouchedDetailSchema,
  'lead.scored': leadScoredDetailSchema,
  'lead.assigned': leadAssignedDetailSchema,
  'lead.pooled': leadPooledDetailSchema,
  'lead.offered': leadOfferedDetailSchema,
  'lead.claimed': leadClaimedDetailSchema,
  'lead.released': leadReleasedDetailSchema,
  'lead.activity_logged': leadActivityLoggedDetailSchema,
  'lead.status_changed': leadStatusChangedDetailSchema,
  'lead.converted': leadConvertedDetailSchema,
  'lead.conversion_corrected': leadConversionCorrectedDetailSchema,
  'lead.locked': leadLockChangedDetailSchema,
  'lead.unlocked': leadLockChangedDetailSchema,
  'lead.sla_breached': leadSlaBreachedDetailSchema,
  'lead.reminded': leadRemindedDetailSchema,
  'lead.recycle_warned': leadRecycleWarnedDetailSchema,
  'lead.recycled': leadRecycledDetailSchema,
  'lead.fetch_failed': leadFetchFailedDetailSchema,
  'lead.erased': leadErasedDetailSchema,
  'lead.accepted': leadAcceptedDetailSchema,
  'lead.tagged': leadTaggedDetailSchema,
  'lead.nurtured': leadNurturedDetailSchema,
} as const;

export type LeadEventType = keyof typeof leadEventDetailSchemas;

/** Every lead event type, for a zod enum of them. */
export const leadEventTypes = Object.keys(leadEventDetailSchemas) as [LeadEventType, ...LeadEventType[]];
export type LeadEventDetail<T extends LeadEventType> = z.infer<(typeof leadEventDetailSchemas)[T]>;

/** A domain event ready to publish. */
export type LeadEvent = {
  [T in LeadEventType]: { type: T; detail: LeadEventDetail<T>; time: string };
}[LeadEventType];

/** Builds an event, validating its detail against the contract (we validate on publish and on receipt). */
export function leadEvent<T extends LeadEventType>(type: T, detail: LeadEventDetail<T>, time: string): LeadEvent {
  const parsed = leadEventDetailSchemas[type].parse(detail);
  return { type, detail: parsed, time } as LeadEvent;
}

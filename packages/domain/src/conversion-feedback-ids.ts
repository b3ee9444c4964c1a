/** The ad platforms conversions are reported to. */
export const feedbackPlatforms = ['meta', 'google'] as const;
export type FeedbackPlatform = (typeof feedbackPlatforms)[number];

/** A lead's CRM stages, in order. `lead`, the first, goes to Meta only (see `plannedConversionFeedback`). */
export const feedbackStages = ['lead', 'qualified', 'converted'] as const;
export type FeedbackStage = (typeof feedbackStages)[number];

/**
 * The id of a lead's conversion at one stage (`<leadId>:<stage>`), the same for every platform: both
 * de-duplicate on it. Kept apart from the queue's schemas, so the lead store finds a lead's conversions
 * without carrying them.
 */
export function feedbackIdOf(leadId: string, stage: FeedbackStage): string {
  return `${leadId}:${stage}`;
}

/** Every conversion id a lead can have, one per stage: what an erasure or an export looks up. */
export function feedbackIdsOfLead(leadId: string): string[] {
  return feedbackStages.map((stage) => feedbackIdOf(leadId, stage));
}

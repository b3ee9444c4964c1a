import * as z from 'zod';
import { assignmentStrategySchema } from './assignment-strategy';

/** What an offer falls back to when nobody accepts in time: another strategy of the route, or its pool. */
export const offerFallbackSchema = assignmentStrategySchema.exclude(['offer']);
export type OfferFallback = z.infer<typeof offerFallbackSchema>;

/**
 * A route's offer (strategy `offer`): the lead goes to several reps at once, the first to accept owns it.
 * The reps are named (`reps`, offered in that order) or are the best `count` of another strategy
 * (`candidates`). Reps who are away, outside their hours or at their holding cap are not offered it.
 * @example { "candidates": { "strategy": "least_busy", "count": 3 }, "windowMinutes": 5, "fallback": "territory" }
 */
export const routeOfferSchema = z
  .strictObject({
    reps: z.array(z.string().min(1)).min(1).optional(),
    candidates: z.strictObject({ strategy: assignmentStrategySchema.exclude(['offer', 'pool']), count: z.number().int().min(1).max(10) }).optional(),
    /** How long the reps have to accept; then the schedule `expire-lead-offers` applies the fallback. */
    windowMinutes: z.number().int().min(1).max(1440).default(5),
    fallback: offerFallbackSchema.default('pool'),
  })
  .superRefine((offer, ctx) => {
    if ((offer.reps === undefined) === (offer.candidates === undefined)) ctx.addIssue({ code: 'custom', path: ['reps'], message: 'give either "reps" or "candidates" (exactly one of them)' });
  });
export type RouteOffer = z.infer<typeof routeOfferSchema>;

/** An offer as the lead records it: what the route offered, to whom, until when, and what follows if nobody accepts. */
export const leadOfferSchema = z.strictObject({
  routeId: z.string(),
  /** The pool the lead belongs to once accepted, or that the fallback uses. */
  poolId: z.string(),
  repIds: z.array(z.string()).min(1),
  offeredAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  fallback: offerFallbackSchema,
});
export type LeadOffer = z.infer<typeof leadOfferSchema>;

import './zod-locale';
import * as z from 'zod/mini';
import { assignmentStrategySchema, type AssignmentStrategy } from './assignment-strategy';

/** The strategies but `excluded`, as an enum schema of their own (zod/mini has no `.exclude`), with `params` (a message for refused values). */
function strategiesExcept<const E extends AssignmentStrategy>(excluded: readonly E[], params?: Parameters<typeof z.enum>[1]) {
  return z.enum(
    assignmentStrategySchema.options.filter((strategy): strategy is Exclude<AssignmentStrategy, E> => !(excluded as readonly AssignmentStrategy[]).includes(strategy)),
    params,
  );
}

/** What an offer falls back to when nobody accepts in time: another strategy of the route, or its pool. */
export const offerFallbackSchema = strategiesExcept(['offer']);

/**
 * The strategies that can pick an offer's candidates: those that rank reps. `pool` and `nurture` rank
 * nobody (they leave the lead in the pool), so every offer would find nobody and fall back at once.
 */
const offerCandidatesStrategySchema = strategiesExcept(['offer', 'pool', 'nurture'], {
  error: (issue) =>
    issue.input === 'pool' || issue.input === 'nurture'
      ? `an offer cannot take its candidates from "${issue.input}", which leaves leads in the pool: nobody would be offered one (use "least_busy", "round_robin", "weighted" or "territory")`
      : undefined,
});

/** How many reps one offer may go to, named or picked. */
const maxOfferedReps = 10;

/**
 * A route's offer (strategy `offer`): the lead goes to several reps at once, the first to accept owns it.
 * The reps are named (`reps`, offered in that order) or are the best `count` of another strategy
 * (`candidates`). Reps who are away, outside their hours or at their holding cap are not offered it.
 * @example { "candidates": { "strategy": "least_busy", "count": 3 }, "windowMinutes": 5, "fallback": "territory" }
 */
export const routeOfferSchema = z
  .strictObject({
    // Each offered rep is texted: the same bound for named reps as for `candidates.count` caps the SMS one lead can cause.
    reps: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1), z.maxLength(maxOfferedReps, `name at most ${maxOfferedReps} reps: each offered rep is texted`))),
    candidates: z.optional(z.strictObject({ strategy: offerCandidatesStrategySchema, count: z.number().check(z.int(), z.minimum(1), z.maximum(maxOfferedReps)) })),
    /** How long the reps have to accept; then the schedule `expire-lead-offers` applies the fallback. */
    windowMinutes: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(1440)), 5),
    fallback: z._default(offerFallbackSchema, 'pool'),
  })
  .check(
    z.superRefine((offer, ctx) => {
      if ((offer.reps === undefined) === (offer.candidates === undefined)) ctx.addIssue({ code: 'custom', path: ['reps'], message: 'give either "reps" or "candidates" (exactly one of them)' });
    }),
  );

/** An offer as the lead records it: what the route offered, to whom, until when, and what follows if nobody accepts. */
export const leadOfferSchema = z.strictObject({
  routeId: z.string(),
  /** The pool the lead belongs to once accepted, or that the fallback uses. */
  poolId: z.string(),
  repIds: z.array(z.string()).check(z.minLength(1)),
  offeredAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  fallback: offerFallbackSchema,
});
export type LeadOffer = z.infer<typeof leadOfferSchema>;

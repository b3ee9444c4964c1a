import './zod-locale';
import * as z from 'zod/mini';

/**
 * How a route gives a lead its owner, or (`pool`) leaves it in the pool for members to claim, or
 * (`nurture`) leaves it there and, with marketing-email consent, starts the route's nurture sequence;
 * `offer` offers it to several reps at once and the first to accept owns it (see `lead-offer.ts`).
 */
export const assignmentStrategySchema = z.enum(['round_robin', 'weighted', 'territory', 'least_busy', 'pool', 'nurture', 'offer']);
export type AssignmentStrategy = z.infer<typeof assignmentStrategySchema>;

/** Whether a strategy leaves leads in the pool rather than giving them an owner. */
export function leavesInPool(strategy: AssignmentStrategy): strategy is 'pool' | 'nurture' {
  return strategy === 'pool' || strategy === 'nurture';
}

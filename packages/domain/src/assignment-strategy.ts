import { z } from 'zod';

/**
 * How a route gives a lead its owner, or (`pool`) leaves it in the pool for members to claim; `offer`
 * offers it to several reps at once and the first to accept owns it (see `lead-offer.ts`).
 */
export const assignmentStrategySchema = z.enum(['round_robin', 'weighted', 'territory', 'least_busy', 'pool', 'offer']);
export type AssignmentStrategy = z.infer<typeof assignmentStrategySchema>;

import * as z from 'zod';

/** How a route gives a lead its owner, or (`pool`) leaves it in the pool for members to claim. */
export const assignmentStrategySchema = z.enum(['round_robin', 'weighted', 'territory', 'least_busy', 'pool']);
export type AssignmentStrategy = z.infer<typeof assignmentStrategySchema>;

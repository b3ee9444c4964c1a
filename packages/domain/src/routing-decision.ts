import * as z from 'zod';
import { leadScoreSchema } from './lead-scoring';
import { assignmentStrategySchema } from './assignment-strategy';

/** One rep the strategy looked at, and what it made of them. */
export const routingCandidateSchema = z.strictObject({
  repId: z.string(),
  verdict: z.enum(['chosen', 'skipped', 'passed_over']),
  /** Why a rep was skipped ("out of office until …", "at capacity 30/30", "wrong territory") or passed over. */
  reason: z.string().optional(),
});
export type RoutingCandidate = z.infer<typeof routingCandidateSchema>;

/** Why a lead went where it went: the route that matched, its strategy, every candidate, and the score then. */
export const routingDecisionSchema = z.strictObject({
  routeId: z.string(),
  strategy: assignmentStrategySchema,
  poolId: z.string(),
  outcome: z.enum(['assigned', 'pooled']),
  ownerId: z.string().optional(),
  /** The strategy's turn (round robin, weighted, territory), from its atomic counter. */
  turn: z.number().int().positive().optional(),
  candidates: z.array(routingCandidateSchema),
  /** In words: "pool strategy", "nobody on the route is available", "round robin turn 7 chose rep-ava". */
  explanation: z.string(),
  score: leadScoreSchema.omit({ scoredAt: true }).optional(),
  decidedAt: z.iso.datetime(),
});
export type RoutingDecision = z.infer<typeof routingDecisionSchema>;

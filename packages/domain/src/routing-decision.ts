import './zod-locale';
import * as z from 'zod/mini';
import { leadScoreSchema } from './lead-scoring';
import { assignmentStrategySchema } from './assignment-strategy';

/** One rep the strategy looked at, and what it made of them. */
export const routingCandidateSchema = z.strictObject({
  repId: z.string(),
  verdict: z.enum(['chosen', 'skipped', 'passed_over']),
  /** Why a rep was skipped ("out of office until …", "at capacity 30/30", "wrong territory") or passed over. */
  reason: z.optional(z.string()),
});
export type RoutingCandidate = z.infer<typeof routingCandidateSchema>;

/** Why a lead went where it went: the route that matched, its strategy, every candidate, and the score then. */
export const routingDecisionSchema = z.strictObject({
  routeId: z.string(),
  strategy: assignmentStrategySchema,
  poolId: z.string(),
  outcome: z.enum(['assigned', 'pooled']),
  ownerId: z.optional(z.string()),
  /** The strategy's turn (round robin, weighted, territory), from its atomic counter. */
  turn: z.optional(z.number().check(z.int(), z.positive())),
  candidates: z.array(routingCandidateSchema),
  /** In words: "pool strategy", "nobody on the route is available", "round robin turn 7 chose rep-ava". */
  explanation: z.string(),
  score: z.optional(z.omit(leadScoreSchema, { scoredAt: true })),
  decidedAt: z.iso.datetime(),
});
export type RoutingDecision = z.infer<typeof routingDecisionSchema>;

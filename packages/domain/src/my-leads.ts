import './zod-locale';
import * as z from 'zod/mini';
import { instantSchema } from './instant';
import { maxLeadIdLength, pageCursorParameter } from './page-cursor';
import { pageLimitParameter } from './query-parameters';
import { leadStatusSchema, type Lead } from './lead';
import { gradeSchema, type Grade } from './lead-scoring';
import { openLeadStatuses } from './lead-transition';
import { tagFilterSchema } from './lead-tags';

/** Sorts after every ISO 8601 instant: leads with no next step come after those with one. */
const noNextStep = '~';
const temperatureRank = { hot: 0, warm: 1, cold: 2 } as const;

/**
 * Where an owned lead stands in its owner's day, as one sortable string: the next step's time first
 * (so overdue steps come first, then those due soonest, then leads with none), then hot before warm
 * before cold, then grade A before D (unscored leads last). `GET /me/leads` reads leads in this order.
 *
 * @example agendaKey({ nextStepAt: undefined, score: { temperature: 'hot', grade: 'A', … } }) // "~#0A"
 */
export function agendaKey(lead: Pick<Lead, 'nextStepAt' | 'score'>): string {
  const rank = lead.score ? `${temperatureRank[lead.score.temperature]}${lead.score.grade}` : '3E';
  return `${lead.nextStepAt ?? noNextStep}#${rank}`;
}

/** Where a page of the caller's leads ended: the last lead's agenda key and id. */
export const myLeadsCursorSchema = z.strictObject({ agenda: z.string().check(z.minLength(1), z.maxLength(64)), leadId: z.string().check(z.minLength(1), z.maxLength(maxLeadIdLength)) });
export type MyLeadsCursor = z.infer<typeof myLeadsCursorSchema>;

/** What `GET /me/leads` asks the store for: statuses, grade and tag to keep, next steps due before `dueBefore`. */
export interface MyLeadsFilter {
  statuses: readonly Lead['status'][];
  grade?: Grade;
  tag?: string;
  dueBefore?: string;
}

/**
 * The query of `GET /me/leads`: `status` (one status; the open ones when absent), `grade`, `tag`, `due` (next
 * step before this instant), `overdue=true` (next step before now), `limit` (1–100, default 50), `cursor`.
 */
export const myLeadsQuerySchema = z.strictObject({
  status: z.optional(leadStatusSchema),
  grade: z.optional(gradeSchema),
  tag: z.optional(tagFilterSchema),
  due: z.optional(instantSchema),
  overdue: z.optional(z.enum(['true', 'false'])),
  limit: pageLimitParameter,
  cursor: z.optional(pageCursorParameter(myLeadsCursorSchema)),
});
export type MyLeadsQuery = z.infer<typeof myLeadsQuerySchema>;

/** The store's filter for a query at `now`: `due` and `overdue` together keep the earlier bound. */
export function myLeadsFilter(query: MyLeadsQuery, now: Date): MyLeadsFilter {
  const bounds = [query.due, query.overdue === 'true' ? now.toISOString() : undefined].filter((bound): bound is string => bound !== undefined).sort();
  return { statuses: query.status ? [query.status] : openLeadStatuses, ...(query.grade ? { grade: query.grade } : {}), ...(query.tag ? { tag: query.tag } : {}), ...(bounds[0] ? { dueBefore: bounds[0] } : {}) };
}

/** A lead as its owner's list shows it: what to do and when, with the contact to do it with. */
export function myLeadView(lead: Lead, now: Date) {
  return {
    leadId: lead.leadId,
    status: lead.status,
    poolId: lead.poolId,
    channel: lead.channel,
    capturedAt: lead.capturedAt,
    contact: lead.contact,
    score: lead.score && { points: lead.score.points, grade: lead.score.grade, temperature: lead.score.temperature },
    nextStepAt: lead.nextStepAt,
    overdue: lead.nextStepAt !== undefined && Date.parse(lead.nextStepAt) < now.getTime(),
    lastActivityAt: lead.lastActivityAt,
    firstContactAt: lead.firstContactAt,
    qualification: lead.qualification,
    locked: lead.lock !== undefined,
    tags: lead.tags ?? [],
  };
}

import './zod-locale';
import * as z from 'zod/mini';
import { maxLeadIdLength, pageCursorParameter } from './page-cursor';
import { amountParameter, pageLimitParameter } from './query-parameters';
import type { Principal } from './access-policy';
import type { Channel, Pool } from './configuration';
import type { Lead } from './lead';
import { maskedContact } from './contact-masking';
import { isPoolMember } from './pool-claim';
import { tagFilterSchema } from './lead-tags';
import { gradeSchema, temperatureSchema, type Grade, type Temperature } from './lead-scoring';

/** Managers and admins see every pool; a rep sees the pools they are a member or admin of. */
export function canViewPool(principal: Principal, pool: Pick<Pool, 'members' | 'admins'>): boolean {
  if (principal.roles.includes('admin') || principal.roles.includes('manager')) return true;
  return principal.roles.includes('rep') && isPoolMember(pool, principal.id);
}

/** Where a page of a pool's waiting leads ended: the last lead's capture time and id (the listing's sort order). */
export const poolCursorSchema = z.strictObject({ capturedAt: z.iso.datetime(), leadId: z.string().check(z.minLength(1), z.maxLength(maxLeadIdLength)) });
export type PoolCursor = z.infer<typeof poolCursorSchema>;

/** A hundred years: older than any lead, and small enough that `now` minus the age is still a valid date. */
const hundredYearsInHours = 100 * 365 * 24;
const ageHoursParameter = z
  .pipe(amountParameter, z.number().check(z.maximum(hundredYearsInHours, `must be at most ${hundredYearsInHours} (a hundred years)`)))
  .check(z.describe(`Hours since capture: a number from 0 to ${hundredYearsInHours} (a hundred years), decimals allowed.`));

/**
 * The query of `GET /pools/{poolId}/leads`: `limit` (1–100, default 50), the `cursor` of the previous
 * page, and filters: `grade`, `temperature`, `channel`, `tag`, and age since capture in hours (`minAgeHours`,
 * `maxAgeHours`, either or both, at most a hundred years).
 */
export const poolListingQuerySchema = z
  .strictObject({
    limit: pageLimitParameter,
    grade: z.optional(gradeSchema),
    temperature: z.optional(temperatureSchema),
    channel: z.optional(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a channel id'))),
    tag: z.optional(tagFilterSchema),
    minAgeHours: z.optional(ageHoursParameter),
    maxAgeHours: z.optional(ageHoursParameter),
    cursor: z.optional(pageCursorParameter(poolCursorSchema)),
  })
  .check(
    z.refine((query) => query.minAgeHours === undefined || query.maxAgeHours === undefined || query.minAgeHours <= query.maxAgeHours, {
      path: ['maxAgeHours'],
      message: 'must not be less than minAgeHours',
    }),
  );
export type PoolListingQuery = z.infer<typeof poolListingQuerySchema>;

/** The issue of a `channel` filter naming no configured channel (every lead's channel is one), for a 400 that names the field. */
export function unknownChannelIssues(channel: string | undefined, channels: ReadonlyArray<Pick<Channel, 'id'>>): Array<{ path: string; message: string }> {
  if (channel === undefined || channels.some((candidate) => candidate.id === channel)) return [];
  return [{ path: 'channel', message: `unknown channel "${channel}"; the configured channels are: ${channels.map((candidate) => candidate.id).join(', ')}` }];
}

/** What a pool listing keeps: scored grade and temperature, channel, tag, and a capture-time window (inclusive). */
export interface PoolListingFilter {
  grade?: Grade;
  temperature?: Temperature;
  channel?: string;
  tag?: string;
  /** Only the leads in a nurture sequence (what the nurture sender reads). */
  nurturing?: true;
  capturedFrom?: string;
  capturedTo?: string;
}

/** The store's filter for a listing query at `now`: ages in hours become a capture-time window. */
export function poolListingFilter(query: PoolListingQuery, now: Date): PoolListingFilter {
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3600_000).toISOString();
  return {
    ...(query.grade ? { grade: query.grade } : {}),
    ...(query.temperature ? { temperature: query.temperature } : {}),
    ...(query.channel ? { channel: query.channel } : {}),
    ...(query.tag ? { tag: query.tag } : {}),
    ...(query.maxAgeHours !== undefined ? { capturedFrom: hoursAgo(query.maxAgeHours) } : {}),
    ...(query.minAgeHours !== undefined ? { capturedTo: hoursAgo(query.minAgeHours) } : {}),
  };
}

/**
 * A waiting lead as a pool listing shows it. Until someone claims it, name, email and phone are masked
 * (managers and admins see them) and the free-text message and answers are left out, so the pool
 * cannot be harvested; company, title and place stay, they are what a rep decides on.
 */
export function poolLeadView(lead: Lead, seesContact: boolean) {
  const contact = seesContact ? lead.contact : maskedContact(lead.contact);
  return {
    leadId: lead.leadId,
    status: lead.status,
    poolId: lead.poolId,
    channel: lead.channel,
    capturedAt: lead.capturedAt,
    score: lead.score && { points: lead.score.points, grade: lead.score.grade, temperature: lead.score.temperature },
    contact,
    previousOwnerId: lead.previousOwnerId,
    releasedAt: lead.releasedAt,
    tags: lead.tags ?? [],
  };
}

/**
 * A lead as a lifecycle step answers a caller who may act on it but not read it (a pool's own admin handing
 * out, invalidating or reactivating a lead they do not own): the pool listing's masked view, with its owner,
 * so what the step did shows without giving the pool's contacts away one step at a time.
 */
export function maskedLeadView(lead: Lead) {
  return { ...poolLeadView(lead, false), ownerId: lead.ownerId };
}

import type { RateScheduleExpression } from './schedule-expression';

/** The latest instant a JavaScript Date can hold (ECMAScript time value limit). */
const MAX_DATE_MS = 8.64e15;

/**
 * The first instant strictly after `after` at which `rate` fires, counting whole intervals from `anchor`
 * (the first fire, like EventBridge Scheduler's StartDate). The interval is an absolute duration: EventBridge
 * Scheduler runs `rate(1 day)` 24 hours after the previous run even across a DST change, so time zones play no part.
 */
export function nextRateFireTime(rate: RateScheduleExpression, after: number, anchor: number): number | null {
  if (after < anchor) return anchor;
  const next = anchor + (Math.floor((after - anchor) / rate.intervalMs) + 1) * rate.intervalMs;
  // A huge rate can step past the last representable Date; report "never" rather than an Invalid Date.
  return next <= MAX_DATE_MS ? next : null;
}

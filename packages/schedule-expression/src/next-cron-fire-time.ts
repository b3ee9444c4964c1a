import { nextCronWallClockMatch } from './next-cron-wall-clock-match';
import type { CronScheduleExpression } from './schedule-expression';
import { toWallClock, wallClockToInstants } from './time-zone';
import { MINUTE_MS } from './wall-clock';

/**
 * The first instant strictly after `after` at which `cron` fires when evaluated in `timeZone`, or `null` if it
 * never fires again (its Year field has run out).
 *
 * Daylight saving follows EventBridge Scheduler (AWS re:Post, "How can I adjust my Amazon EventBridge schedule for
 * daylight saving?"): a wall-clock time that does not exist because clocks sprang forward is skipped, not moved, and
 * a wall-clock time that happens twice because clocks fell back fires once, at its first (summer-time) occurrence.
 */
export function nextCronFireTime(cron: CronScheduleExpression, after: number, timeZone: string): number | null {
  // Start from the minute `after` falls in on the local clock. Taking the first occurrence of repeated times keeps
  // wall-clock order and instant order the same, so the first candidate later than `after` is the answer; during
  // the second pass of a repeated hour, candidates in that hour map to the first pass and are skipped here.
  let cursor = Math.floor(toWallClock(after, timeZone) / MINUTE_MS) * MINUTE_MS;
  for (;;) {
    const match = nextCronWallClockMatch(cron, cursor);
    if (match === null) return null;
    const [first] = wallClockToInstants(match, timeZone);
    if (first !== undefined && first > after) return first;
    cursor = match + MINUTE_MS;
  }
}

/** Instants and the wall clock of a time zone, on the zone arithmetic the schedules use (`@leadflow/schedule-expression`). */
import { toWallClock, wallClockToInstants } from '@leadflow/schedule-expression';

const minuteMs = 60_000;
const dayMs = 24 * 60 * minuteMs;

/** How far the clock of `timeZone` is ahead of UTC at `at` (ms since 1970). */
const offsetAt = (at: number, timeZone: string) => toWallClock(at, timeZone) - at;

/** Minutes since midnight on the clock of `timeZone` at `at`. */
export function wallClockMinutes(at: Date, timeZone: string): number {
  const wall = toWallClock(at.getTime(), timeZone);
  return Math.floor((((wall % dayMs) + dayMs) % dayMs) / minuteMs);
}

/**
 * The first instant after `after` at which the clock of `timeZone` reads `minutes` past midnight on
 * `day` (`YYYY-MM-DD`). When the clocks go back and read it twice, the first of the readings still to
 * come; when they go forward over it (02:30 on a night that jumps from 02:00 to 03:00), the instant of
 * the jump, the first after the skipped time.
 *
 * @example instantOnWallClock('2026-10-25', 7 * 60, 'Europe/Berlin', now) // 2026-10-25T06:00:00Z (07:00 CET)
 */
export function instantOnWallClock(day: string, minutes: number, timeZone: string, after: Date): Date {
  const wall = Date.parse(`${day}T00:00:00Z`) + minutes * minuteMs;
  const readings = wallClockToInstants(wall, timeZone).filter((at) => at > after.getTime());
  if (readings.length > 0) return new Date(readings[0]);
  // Skipped: read with the offsets of the day before and after, the time lies on either side of the jump.
  const [earlier, later] = [wall - offsetAt(wall + dayMs, timeZone), wall - offsetAt(wall - dayMs, timeZone)].sort((a, b) => a - b);
  return clockChange(new Date(earlier), new Date(later), timeZone) ?? new Date(later);
}

/**
 * The instant in (`from`, `to`] at which the clocks of `timeZone` go forward or back, when they change
 * there (once: the span is at most a day or so); `to` is a whole minute.
 */
export function clockChange(from: Date, to: Date, timeZone: string): Date | undefined {
  let before = Math.floor(from.getTime() / minuteMs) * minuteMs;
  let after = to.getTime();
  const initial = offsetAt(before, timeZone);
  if (after <= before || offsetAt(after, timeZone) === initial) return undefined;
  while (after - before > minuteMs) {
    const middle = before + Math.floor((after - before) / 2 / minuteMs) * minuteMs;
    if (offsetAt(middle, timeZone) === initial) before = middle;
    else after = middle;
  }
  return new Date(after);
}

import { matchingDaysInMonth } from './cron-day-matching';
import type { CronScheduleExpression } from './schedule-expression';
import { wallClockFields, wallClockMs, type WallClockMs } from './wall-clock';

/**
 * The first wall-clock minute at or after `start` that the cron expression selects, ignoring time zones entirely,
 * or `null` when there is none before the end of the Year field (at most 2199).
 *
 * Works field by field from the year down, jumping straight to the next allowed value instead of stepping minute
 * by minute, so even `cron(0 0 29 2 ? *)` or an expression that never fires answers after a few hundred steps.
 */
export function nextCronWallClockMatch(cron: CronScheduleExpression, start: WallClockMs): WallClockMs | null {
  let { year, month, day, hour, minute } = wallClockFields(start);
  if (wallClockMs(year, month, day, hour, minute) < start) minute += 1; // start had seconds: round up

  for (;;) {
    if (minute > 59) [hour, minute] = [hour + 1, 0];
    if (hour > 23) [day, hour, minute] = [day + 1, 0, 0];
    if (month > 12) [year, month, day, hour, minute] = [year + 1, 1, 1, 0, 0];

    const nextYear = firstAtLeast(cron.years, year);
    if (nextYear === undefined) return null;
    if (nextYear !== year) [year, month, day, hour, minute] = [nextYear, 1, 1, 0, 0];

    const nextMonth = firstAtLeast(cron.months, month);
    if (nextMonth === undefined) {
      [year, month, day, hour, minute] = [year + 1, 1, 1, 0, 0];
      continue;
    }
    if (nextMonth !== month) [month, day, hour, minute] = [nextMonth, 1, 0, 0];

    const nextDay = firstAtLeast(matchingDaysInMonth(cron.day, year, month), day);
    if (nextDay === undefined) {
      [month, day, hour, minute] = [month + 1, 1, 0, 0];
      continue;
    }
    if (nextDay !== day) [day, hour, minute] = [nextDay, 0, 0];

    const nextHour = firstAtLeast(cron.hours, hour);
    if (nextHour === undefined) {
      [day, hour, minute] = [day + 1, 0, 0];
      continue;
    }
    if (nextHour !== hour) [hour, minute] = [nextHour, 0];

    const nextMinute = firstAtLeast(cron.minutes, minute);
    if (nextMinute === undefined) {
      [hour, minute] = [hour + 1, 0];
      continue;
    }
    return wallClockMs(year, month, day, hour, nextMinute);
  }
}

function firstAtLeast(sorted: readonly number[], value: number): number | undefined {
  return sorted.find((candidate) => candidate >= value);
}

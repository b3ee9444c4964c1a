/** Instants and the wall clock of a time zone, read with `Intl` (no time zone data of our own). */

const minuteMs = 60_000;
const dayMs = 24 * 60 * minuteMs;
const formats = new Map<string, Intl.DateTimeFormat>();

/** What the clock of `timeZone` reads at the instant `at` (whole minutes), as milliseconds since 1970-01-01T00:00 on that clock. */
function wallClockAt(at: number, timeZone: string): number {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
    formats.set(timeZone, format);
  }
  const part = Object.fromEntries(format.formatToParts(at).map(({ type, value }) => [type, Number(value)]));
  return Date.UTC(part.year, part.month - 1, part.day, part.hour, part.minute);
}

/** Minutes since midnight on the clock of `timeZone` at `at`. */
export function wallClockMinutes(at: Date, timeZone: string): number {
  const wall = wallClockAt(at.getTime(), timeZone);
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
  // The offsets in force around that day: no zone is more than a day away from UTC.
  const offsets = [...new Set([-dayMs, 0, dayMs].map((shift) => wallClockAt(wall + shift, timeZone) - (wall + shift)))];
  const readings = offsets.map((offset) => wall - offset).filter((at) => at > after.getTime() && wallClockAt(at, timeZone) === wall);
  if (readings.length > 0) return new Date(Math.min(...readings));
  // Skipped: the clock reads less before the jump and more after it.
  return clockChange(new Date(wall - Math.max(...offsets)), new Date(wall - Math.min(...offsets)), timeZone) ?? new Date(wall - Math.min(...offsets));
}

/**
 * The instant in (`from`, `to`] at which the clocks of `timeZone` go forward or back, when they change
 * there (once: the span is at most a day or so); `to` is a whole minute.
 */
export function clockChange(from: Date, to: Date, timeZone: string): Date | undefined {
  const offset = (at: number) => wallClockAt(at, timeZone) - at;
  let before = Math.floor(from.getTime() / minuteMs) * minuteMs;
  let after = to.getTime();
  const initial = offset(before);
  if (after <= before || offset(after) === initial) return undefined;
  while (after - before > minuteMs) {
    const middle = before + Math.floor((after - before) / 2 / minuteMs) * minuteMs;
    if (offset(middle) === initial) before = middle;
    else after = middle;
  }
  return new Date(after);
}

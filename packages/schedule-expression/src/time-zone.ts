import type { WallClockMs } from './wall-clock';

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Checks that `timeZone` is an IANA zone name the runtime knows (e.g. `Europe/Berlin`, `America/New_York`, `UTC`).
 *
 * @throws RangeError for unknown zones, so a typo fails when the schedule is evaluated rather than firing at UTC.
 */
export function assertValidTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

/** The wall-clock reading in `timeZone` at `instant` (milliseconds since the epoch), to the second. */
export function toWallClock(instant: number, timeZone: string): WallClockMs {
  return instant + offsetAt(instant, timeZone);
}

/**
 * Every instant at which the clock in `timeZone` reads `wallClock`, ascending:
 * one normally, none in a spring-forward gap (02:30 on the day Berlin jumps from 02:00 to 03:00), and two in a
 * fall-back overlap (02:30 happens first in summer time, then again an hour later in winter time).
 */
export function wallClockToInstants(wallClock: WallClockMs, timeZone: string): number[] {
  if (timeZone === 'UTC') return [wallClock];
  // Whatever instant reads `wallClock` lies within ±14 h of it, so the offset in force there is the one a day
  // before or the one a day after. This assumes at most one offset change in that window, which holds for
  // current zone rules.
  const before = offsetAt(wallClock - DAY_MS, timeZone);
  const after = offsetAt(wallClock + DAY_MS, timeZone);
  const instants: number[] = [];
  for (const offset of before === after ? [before] : [before, after]) {
    const instant = wallClock - offset;
    if (offsetAt(instant, timeZone) === offset && !instants.includes(instant)) instants.push(instant);
  }
  return instants.sort((a, b) => a - b);
}

/** How far the clock in `timeZone` is ahead of UTC at `instant`, in milliseconds (negative west of Greenwich). */
function offsetAt(instant: number, timeZone: string): number {
  if (timeZone === 'UTC') return 0;
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const wallClock = Date.UTC(fields['year'] ?? 0, (fields['month'] ?? 1) - 1, fields['day'] ?? 1, fields['hour'] ?? 0, fields['minute'] ?? 0, fields['second'] ?? 0);
  // The formatter drops milliseconds, so compare against the instant truncated to its second.
  return wallClock - Math.floor(instant / 1000) * 1000;
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`Unknown IANA time zone ${JSON.stringify(timeZone)}`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

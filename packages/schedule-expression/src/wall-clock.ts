/**
 * A wall-clock reading (what a clock on the wall in some time zone shows), encoded as milliseconds since
 * 1970-01-01T00:00 *as if that clock were UTC*. It is not an instant: the same wall-clock time happens at different
 * instants in different zones, and at two instants (or none) around a DST change.
 */
export type WallClockMs = number;

/** The calendar fields of a {@link WallClockMs}. */
export interface WallClockFields {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
}

export const MINUTE_MS = 60_000;

export function wallClockFields(wallClock: WallClockMs): WallClockFields {
  const date = new Date(wallClock);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
  };
}

export function wallClockMs(year: number, month: number, day: number, hour: number, minute: number): WallClockMs {
  return Date.UTC(year, month - 1, day, hour, minute);
}

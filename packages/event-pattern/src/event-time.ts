/**
 * The `time` of an event as EventBridge writes it into the envelope: ISO 8601 in UTC with second precision and a
 * `Z` suffix, e.g. `2022-01-01T00:00:00Z`.
 *
 * `time` is the `Time` of a PutEvents entry: a `Date`, epoch seconds (what the awsJson1.1 wire carries, e.g.
 * `1640995200`), or an ISO 8601 string. When it is missing or unreadable, `now` is used, as EventBridge stamps
 * the time of the call.
 */
export function normalizeEventTime(time: Date | number | string | null | undefined, now: Date = new Date()): string {
  let date: Date | undefined;
  if (time instanceof Date) date = time;
  else if (typeof time === 'number') date = new Date(time * 1000);
  else if (typeof time === 'string' && time.trim() !== '') date = new Date(time);
  if (date === undefined || Number.isNaN(date.getTime())) date = now;
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

import { assertValidTimeZone } from './time-zone';

/** How to evaluate a schedule expression. */
export interface ScheduleEvaluationOptions {
  /**
   * IANA time zone in which cron fields are read, as in EventBridge Scheduler's `ScheduleExpressionTimezone`.
   * Defaults to `UTC`, which is also the only zone EventBridge rules (as opposed to Scheduler) support.
   * Rate expressions ignore it: their intervals are absolute durations.
   */
  readonly timeZone?: string;
  /**
   * Rate expressions only: an instant the schedule fires at, like Scheduler's `StartDate`. Fires happen at
   * `anchor + k × interval` for whole `k ≥ 0`, never before the anchor. Cron expressions ignore it.
   *
   * Defaults to the Unix epoch (1970-01-01T00:00:00Z), which aligns `rate(5 minutes)` to :00, :05, :10 … UTC,
   * `rate(2 hours)` to even UTC hours and `rate(1 day)` to UTC midnight. EventBridge itself counts from when the
   * rule or schedule was created (or its StartDate) at minute precision, so the default is a deterministic stand-in:
   * exact for `rate(1 minute)`, and for longer rates pass the deployment time (or StartDate) as the anchor to match.
   */
  readonly anchor?: Date;
}

/** Validated, defaulted {@link ScheduleEvaluationOptions} as plain numbers. */
export interface ResolvedScheduleEvaluationOptions {
  readonly timeZone: string;
  readonly anchor: number;
}

/**
 * Applies defaults and validates options. A bare string is shorthand for `{ timeZone }`, matching the
 * `nextFireTime(expression, after, 'Europe/Berlin')` call style.
 */
export function resolveScheduleEvaluationOptions(options: ScheduleEvaluationOptions | string): ResolvedScheduleEvaluationOptions {
  const { timeZone = 'UTC', anchor } = typeof options === 'string' ? { timeZone: options } : options;
  assertValidTimeZone(timeZone);
  return { timeZone, anchor: anchor === undefined ? 0 : instantOf(anchor, 'anchor') };
}

/** Milliseconds since the epoch of a valid `Date`. @throws TypeError for anything else. */
export function instantOf(date: Date, name: string): number {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new TypeError(`${name} must be a valid Date`);
  }
  return date.getTime();
}

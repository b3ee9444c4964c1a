import { nextCronFireTime } from './next-cron-fire-time';
import { nextRateFireTime } from './next-rate-fire-time';
import { parseScheduleExpression } from './parse-schedule-expression';
import type { ScheduleExpression } from './schedule-expression';
import { instantOf, resolveScheduleEvaluationOptions, type ScheduleEvaluationOptions } from './schedule-evaluation-options';
import { TooManyFireTimesError } from './too-many-fire-times-error';

/** Options for {@link fireTimesBetween}. */
export interface FireTimesBetweenOptions extends ScheduleEvaluationOptions {
  /** The most fire times to return before giving up with {@link TooManyFireTimesError}. Default 10 000. */
  readonly maxResults?: number;
}

/** Default for {@link FireTimesBetweenOptions.maxResults}. */
export const DEFAULT_MAX_FIRE_TIMES = 10_000;

/**
 * Every fire time in the half-open window `(from, to]`, ascending, evaluated exactly as {@link nextFireTime} does.
 * The window excludes `from` so consecutive windows (`(t0, t1]`, `(t1, t2]`, …) never fire the same time twice.
 *
 * @throws {@link TooManyFireTimesError} when more than `maxResults` fire times fall in the window, rather than
 * building an unbounded array for, say, `rate(1 minute)` over a decade.
 * @throws {@link InvalidScheduleExpressionError}, RangeError or TypeError as {@link nextFireTime} does, and
 * RangeError for a `maxResults` that is not a positive whole number.
 */
export function fireTimesBetween(expression: ScheduleExpression | string, from: Date, to: Date, options: FireTimesBetweenOptions = {}): Date[] {
  const schedule = typeof expression === 'string' ? parseScheduleExpression(expression) : expression;
  const fromMs = instantOf(from, 'from');
  const toMs = instantOf(to, 'to');
  const { timeZone, anchor } = resolveScheduleEvaluationOptions(options);
  const maxResults = options.maxResults ?? DEFAULT_MAX_FIRE_TIMES;
  if (!Number.isSafeInteger(maxResults) || maxResults < 1) {
    throw new RangeError(`maxResults must be a positive whole number, got ${maxResults}`);
  }

  const fireTimes: Date[] = [];
  let cursor = fromMs;
  for (;;) {
    const next = schedule.type === 'rate' ? nextRateFireTime(schedule, cursor, anchor) : nextCronFireTime(schedule, cursor, timeZone);
    if (next === null || next > toMs) return fireTimes;
    if (fireTimes.length === maxResults) throw new TooManyFireTimesError(maxResults);
    fireTimes.push(new Date(next));
    cursor = next;
  }
}

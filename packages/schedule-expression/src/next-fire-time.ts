import { nextCronFireTime } from './next-cron-fire-time';
import { nextRateFireTime } from './next-rate-fire-time';
import { parseScheduleExpression } from './parse-schedule-expression';
import type { ScheduleExpression } from './schedule-expression';
import { instantOf, resolveScheduleEvaluationOptions, type ScheduleEvaluationOptions } from './schedule-evaluation-options';

/**
 * The first fire time strictly after `after`, or `null` when the schedule never fires again (a cron Year field
 * that has run out, or a date such as 30 February that never occurs).
 *
 * Cron expressions fire on whole minutes of the wall clock in `options.timeZone` (default UTC). Around daylight
 * saving changes, as in EventBridge Scheduler: a time skipped when clocks spring forward does not fire that day,
 * and a time repeated when clocks fall back fires once, at its first occurrence.
 *
 * Rate expressions fire every interval counted from `options.anchor` (default: the Unix epoch, so `rate(5 minutes)`
 * fires at :00, :05 … UTC); see {@link ScheduleEvaluationOptions.anchor}.
 *
 * @param expression - a parsed expression or its text, e.g. `cron(0 2 * * ? *)`.
 * @param after - fire times at or before this instant are not returned.
 * @param options - evaluation options, or just an IANA time zone name.
 * @throws {@link InvalidScheduleExpressionError} if `expression` is text that does not parse.
 * @throws RangeError for an unknown time zone; TypeError for an invalid `after` or `anchor`.
 *
 * @example
 * nextFireTime('cron(0 9 ? * MON-FRI *)', new Date('2024-03-08T15:00:00Z'), 'America/New_York');
 * // 2024-03-11T13:00:00.000Z — Monday 09:00, already on daylight time
 */
export function nextFireTime(expression: ScheduleExpression | string, after: Date, options: ScheduleEvaluationOptions | string = {}): Date | null {
  const schedule = typeof expression === 'string' ? parseScheduleExpression(expression) : expression;
  const afterMs = instantOf(after, 'after');
  const { timeZone, anchor } = resolveScheduleEvaluationOptions(options);
  const next = schedule.type === 'rate' ? nextRateFireTime(schedule, afterMs, anchor) : nextCronFireTime(schedule, afterMs, timeZone);
  return next === null ? null : new Date(next);
}

import { InvalidScheduleExpressionError } from './invalid-schedule-expression-error';
import { parseCronExpression } from './parse-cron-expression';
import { parseRateExpression } from './parse-rate-expression';
import type { ScheduleExpression } from './schedule-expression';

/**
 * Parses an EventBridge schedule expression, `rate(value unit)` or `cron(Minutes Hours Day-of-month Month
 * Day-of-week Year)`, validating it with the same rules EventBridge applies when CDK deploys it.
 *
 * One-time `at(...)` expressions are EventBridge Scheduler only and are not supported.
 *
 * @throws {@link InvalidScheduleExpressionError} naming what is wrong.
 */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  if (typeof expression !== 'string') {
    throw new InvalidScheduleExpressionError(String(expression), 'expected a string');
  }
  const match = /^(rate|cron|at)\((.*)\)$/s.exec(expression);
  if (match === null) {
    throw new InvalidScheduleExpressionError(expression, 'expected rate(value unit) or cron(fields)');
  }
  const [, kind, body = ''] = match;
  if (kind === 'rate') return parseRateExpression(expression, body);
  if (kind === 'cron') return parseCronExpression(expression, body);
  throw new InvalidScheduleExpressionError(expression, 'one-time at() schedules are not supported, only rate and cron');
}

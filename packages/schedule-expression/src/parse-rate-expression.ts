import { InvalidScheduleExpressionError } from './invalid-schedule-expression-error';
import type { RateScheduleExpression, RateUnit } from './schedule-expression';

const UNIT_MS: Readonly<Record<RateUnit, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const PLURALS: Readonly<Record<string, RateUnit>> = { minutes: 'minute', hours: 'hour', days: 'day' };

/**
 * Parses the inside of `rate(...)`: a positive whole number and a unit. EventBridge insists on `minute`/`hour`/
 * `day` for a value of 1 and the plural otherwise (`rate(1 hours)` and `rate(5 hour)` are rejected), so we do too.
 */
export function parseRateExpression(expression: string, body: string): RateScheduleExpression {
  const parts = body
    .trim()
    .split(/\s+/)
    .filter((part) => part !== '');
  if (parts.length !== 2) {
    throw new InvalidScheduleExpressionError(expression, 'rate needs a value and a unit, such as rate(5 minutes)');
  }
  const [valueText = '', unitText = ''] = parts;
  if (!/^\d+$/.test(valueText) || Number(valueText) < 1 || !Number.isSafeInteger(Number(valueText))) {
    throw new InvalidScheduleExpressionError(expression, `rate value "${valueText}" must be a positive whole number`);
  }
  const value = Number(valueText);

  const singular = unitText in UNIT_MS ? (unitText as RateUnit) : undefined;
  const plural = PLURALS[unitText];
  const unit = singular ?? plural;
  if (unit === undefined) {
    throw new InvalidScheduleExpressionError(expression, `rate unit "${unitText}" must be one of minute, minutes, hour, hours, day, days`);
  }
  if (value === 1 && plural !== undefined) {
    throw new InvalidScheduleExpressionError(expression, `a rate of 1 needs the singular unit "${unit}"`);
  }
  if (value !== 1 && singular !== undefined) {
    throw new InvalidScheduleExpressionError(expression, `a rate of ${value} needs the plural unit "${unit}s"`);
  }
  const intervalMs = value * UNIT_MS[unit];
  // Beyond this the interval cannot be represented exactly, and it already exceeds the range of a Date.
  if (!Number.isSafeInteger(intervalMs)) {
    throw new InvalidScheduleExpressionError(expression, `rate(${value} ${unitText}) is too long an interval`);
  }
  return { type: 'rate', expression, value, unit, intervalMs };
}

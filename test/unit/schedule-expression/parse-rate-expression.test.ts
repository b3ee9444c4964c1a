import { describe, expect, it } from 'vitest';
import { InvalidScheduleExpressionError, parseScheduleExpression } from '@leadflow/schedule-expression';

// Rate syntax and the singular/plural rule come from the EventBridge "Rate expressions" reference
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html): "If the value is equal to 1,
// then the unit must be singular. If the value is greater than 1, the unit must be plural. For example, rate(1 hours)
// and rate(5 hour) aren't valid, but rate(1 hour) and rate(5 hours) are valid." Its examples are rate(1 minute),
// rate(5 minutes), rate(1 hour) and rate(1 day).

describe('parseScheduleExpression: rate', () => {
  it.each([
    ['rate(1 minute)', 1, 'minute', 60_000],
    ['rate(5 minutes)', 5, 'minute', 300_000],
    ['rate(1 hour)', 1, 'hour', 3_600_000],
    ['rate(2 hours)', 2, 'hour', 7_200_000],
    ['rate(1 day)', 1, 'day', 86_400_000],
    ['rate(3 days)', 3, 'day', 259_200_000],
    ['rate(12 hours)', 12, 'hour', 43_200_000],
  ])('parses %s', (expression, value, unit, intervalMs) => {
    expect(parseScheduleExpression(expression)).toEqual({ type: 'rate', expression, value, unit, intervalMs });
  });

  it('tolerates extra spaces inside the parentheses', () => {
    expect(parseScheduleExpression('rate( 10  minutes )')).toMatchObject({ value: 10, unit: 'minute' });
  });

  it.each([
    ['rate(1 hours)', 'a rate of 1 needs the singular unit "hour"'],
    ['rate(1 minutes)', 'a rate of 1 needs the singular unit "minute"'],
    ['rate(1 days)', 'a rate of 1 needs the singular unit "day"'],
    ['rate(5 hour)', 'a rate of 5 needs the plural unit "hours"'],
    ['rate(2 minute)', 'a rate of 2 needs the plural unit "minutes"'],
    ['rate(2 day)', 'a rate of 2 needs the plural unit "days"'],
    ['rate(0 minutes)', 'rate value "0" must be a positive whole number'],
    ['rate(-5 minutes)', 'rate value "-5" must be a positive whole number'],
    ['rate(1.5 hours)', 'rate value "1.5" must be a positive whole number'],
    ['rate(five minutes)', 'rate value "five" must be a positive whole number'],
    ['rate(99999999999999999999 minutes)', 'must be a positive whole number'],
    ['rate(5 seconds)', 'rate unit "seconds" must be one of minute, minutes, hour, hours, day, days'],
    ['rate(2 weeks)', 'rate unit "weeks" must be one of'],
    ['rate(5 Minutes)', 'rate unit "Minutes" must be one of'],
    ['rate(5)', 'rate needs a value and a unit'],
    ['rate()', 'rate needs a value and a unit'],
    ['rate(5 minutes now)', 'rate needs a value and a unit'],
    ['rate 5 minutes', 'expected rate(value unit) or cron(fields)'],
    ['Rate(5 minutes)', 'expected rate(value unit) or cron(fields)'],
    [' rate(5 minutes)', 'expected rate(value unit) or cron(fields)'],
    ['rate(5 minutes', 'expected rate(value unit) or cron(fields)'],
    ['', 'expected rate(value unit) or cron(fields)'],
    ['at(2024-06-01T09:00:00)', 'one-time at() schedules are not supported'],
  ])('rejects %j', (expression, message) => {
    expect(() => parseScheduleExpression(expression)).toThrow(InvalidScheduleExpressionError);
    expect(() => parseScheduleExpression(expression)).toThrow(message);
  });

  it('reports the expression on the error', () => {
    const error = captureError(() => parseScheduleExpression('rate(5 hour)'));
    expect(error).toBeInstanceOf(InvalidScheduleExpressionError);
    expect(error).toMatchObject({ name: 'InvalidScheduleExpressionError', expression: 'rate(5 hour)' });
    expect((error as Error).message).toBe('Invalid schedule expression "rate(5 hour)": a rate of 5 needs the plural unit "hours"');
  });

  it('rejects a non-string input with a typed error', () => {
    expect(() => parseScheduleExpression(42 as unknown as string)).toThrow(InvalidScheduleExpressionError);
  });
});

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

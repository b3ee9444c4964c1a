import { describe, expect, it } from 'vitest';
import { InvalidScheduleExpressionError, fireTimesBetween, nextFireTime, parseScheduleExpression } from '@leadflow/schedule-expression';

// Expected values were worked out by hand from a calendar; the weekday of each date that matters is noted beside it.
// Example expressions are from the EventBridge cron reference
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html).

const next = (expression: string, after: string): string | null => nextFireTime(expression, new Date(after))?.toISOString() ?? null;

const between = (expression: string, from: string, to: string): string[] => fireTimesBetween(expression, new Date(from), new Date(to)).map((date) => date.toISOString());

describe('nextFireTime: cron examples from the EventBridge docs (UTC)', () => {
  it('cron(0 10 * * ? *) runs at 10:00 every day', () => {
    expect(next('cron(0 10 * * ? *)', '2024-05-01T09:59:59.999Z')).toBe('2024-05-01T10:00:00.000Z');
    expect(next('cron(0 10 * * ? *)', '2024-05-01T10:00:00.000Z')).toBe('2024-05-02T10:00:00.000Z');
  });

  it('cron(15 12 * * ? *) runs at 12:15 every day', () => {
    expect(next('cron(15 12 * * ? *)', '2024-05-01T00:00:00Z')).toBe('2024-05-01T12:15:00.000Z');
  });

  it('cron(0 18 ? * MON-FRI *) skips the weekend', () => {
    // 2024-06-07 is a Friday, 2024-06-10 a Monday.
    expect(next('cron(0 18 ? * MON-FRI *)', '2024-06-07T18:00:00Z')).toBe('2024-06-10T18:00:00.000Z');
  });

  it('cron(0 8 1 * ? *) runs on the 1st of each month, across a year end', () => {
    expect(next('cron(0 8 1 * ? *)', '2024-01-31T23:00:00Z')).toBe('2024-02-01T08:00:00.000Z');
    expect(next('cron(0 8 1 * ? *)', '2024-12-01T08:00:00Z')).toBe('2025-01-01T08:00:00.000Z');
  });

  it('cron(0/15 * * * ? *) runs every 15 minutes', () => {
    expect(between('cron(0/15 * * * ? *)', '2024-05-01T00:00:00Z', '2024-05-01T01:00:00Z')).toEqual(['2024-05-01T00:15:00.000Z', '2024-05-01T00:30:00.000Z', '2024-05-01T00:45:00.000Z', '2024-05-01T01:00:00.000Z']);
  });

  it('cron(0/10 * ? * MON-FRI *) resumes on Monday at midnight', () => {
    expect(next('cron(0/10 * ? * MON-FRI *)', '2024-06-07T23:55:00Z')).toBe('2024-06-10T00:00:00.000Z');
  });

  it('cron(0/5 8-17 ? * MON-FRI *) runs 08:00-17:55 on weekdays', () => {
    expect(next('cron(0/5 8-17 ? * MON-FRI *)', '2024-06-10T17:55:00Z')).toBe('2024-06-11T08:00:00.000Z');
    const monday = between('cron(0/5 8-17 ? * MON-FRI *)', '2024-06-10T00:00:00Z', '2024-06-11T00:00:00Z');
    expect(monday).toHaveLength(120);
    expect(monday.at(0)).toBe('2024-06-10T08:00:00.000Z');
    expect(monday.at(-1)).toBe('2024-06-10T17:55:00.000Z');
  });

  it('cron(0/30 20-2 ? * MON-FRI *) wraps hours past midnight but still only on weekdays', () => {
    // Friday 2024-06-07 evening fires; Saturday early morning does not (Saturday is not MON-FRI); Monday's does.
    expect(between('cron(0/30 20-2 ? * MON-FRI *)', '2024-06-07T19:00:00Z', '2024-06-10T03:00:00Z')).toEqual([
      '2024-06-07T20:00:00.000Z',
      '2024-06-07T20:30:00.000Z',
      '2024-06-07T21:00:00.000Z',
      '2024-06-07T21:30:00.000Z',
      '2024-06-07T22:00:00.000Z',
      '2024-06-07T22:30:00.000Z',
      '2024-06-07T23:00:00.000Z',
      '2024-06-07T23:30:00.000Z',
      '2024-06-10T00:00:00.000Z',
      '2024-06-10T00:30:00.000Z',
      '2024-06-10T01:00:00.000Z',
      '2024-06-10T01:30:00.000Z',
      '2024-06-10T02:00:00.000Z',
      '2024-06-10T02:30:00.000Z',
    ]);
  });

  it('cron(5,35 14 * * ? *) runs at 14:05 and 14:35', () => {
    expect(next('cron(5,35 14 * * ? *)', '2024-05-01T14:05:00Z')).toBe('2024-05-01T14:35:00.000Z');
    expect(next('cron(5,35 14 * * ? *)', '2024-05-01T14:35:00Z')).toBe('2024-05-02T14:05:00.000Z');
  });

  it('cron(15 10 ? * 6L 2019-2022) runs on last Fridays of 2019-2022, then never again', () => {
    // 2019-01-25 is the last Friday of January 2019 (the 31st is a Thursday); 2022-12-30 is a Friday.
    expect(next('cron(15 10 ? * 6L 2019-2022)', '2018-06-01T00:00:00Z')).toBe('2019-01-25T10:15:00.000Z');
    expect(next('cron(15 10 ? * 6L 2019-2022)', '2022-12-01T00:00:00Z')).toBe('2022-12-30T10:15:00.000Z');
    expect(next('cron(15 10 ? * 6L 2019-2022)', '2022-12-30T10:15:00Z')).toBeNull();
  });
});

describe('nextFireTime: instants and bounds', () => {
  it('returns the first fire strictly after `after`, on whole minutes', () => {
    expect(next('cron(* * * * ? *)', '2024-05-01T10:00:00.000Z')).toBe('2024-05-01T10:01:00.000Z');
    expect(next('cron(* * * * ? *)', '2024-05-01T10:00:30.500Z')).toBe('2024-05-01T10:01:00.000Z');
    expect(next('cron(* * * * ? *)', '2024-05-01T09:59:59.999Z')).toBe('2024-05-01T10:00:00.000Z');
  });

  it('rolls over hour, day, month and year boundaries', () => {
    expect(next('cron(0 0 * * ? *)', '2024-12-31T23:59:00Z')).toBe('2025-01-01T00:00:00.000Z');
    expect(next('cron(0 0 1 JAN,JUL ? *)', '2024-02-01T00:00:00Z')).toBe('2024-07-01T00:00:00.000Z');
    expect(next('cron(30 23 31 DEC ? *)', '2024-12-31T23:30:00Z')).toBe('2025-12-31T23:30:00.000Z');
  });

  it('starts at 1970 for instants before the Year field begins', () => {
    expect(next('cron(0 0 1 1 ? *)', '1960-06-01T00:00:00Z')).toBe('1970-01-01T00:00:00.000Z');
  });

  it('respects the Year field and returns null after its last year', () => {
    expect(next('cron(0 0 1 1 ? 2030)', '2024-05-01T00:00:00Z')).toBe('2030-01-01T00:00:00.000Z');
    expect(next('cron(0 0 1 1 ? 2030)', '2030-01-01T00:00:00Z')).toBeNull();
    expect(next('cron(0 0 1 1 ? 2024/3)', '2024-01-01T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
    expect(next('cron(59 23 31 12 ? *)', '2199-12-31T23:58:00Z')).toBe('2199-12-31T23:59:00.000Z');
    expect(next('cron(59 23 31 12 ? *)', '2199-12-31T23:59:00Z')).toBeNull();
    expect(next('cron(* * * * ? *)', '2250-01-01T00:00:00Z')).toBeNull();
  });

  it('returns null for a date that never occurs, after searching every year', () => {
    expect(next('cron(0 0 30 2 ? *)', '1970-01-01T00:00:00Z')).toBeNull();
    expect(next('cron(0 0 31 APR,JUN,SEP,NOV ? *)', '1970-01-01T00:00:00Z')).toBeNull();
  });

  it('accepts a parsed expression as well as text', () => {
    const parsed = parseScheduleExpression('cron(0 10 * * ? *)');
    expect(nextFireTime(parsed, new Date('2024-05-01T00:00:00Z'))).toEqual(new Date('2024-05-01T10:00:00Z'));
  });

  it('rejects invalid text and invalid dates', () => {
    expect(() => nextFireTime('cron(0 10 * * * *)', new Date())).toThrow(InvalidScheduleExpressionError);
    expect(() => nextFireTime('cron(0 10 * * ? *)', new Date('not a date'))).toThrow(TypeError);
    expect(() => nextFireTime('cron(0 10 * * ? *)', '2024-05-01' as unknown as Date)).toThrow('after must be a valid Date');
  });
});

describe('nextFireTime: L in Day-of-month and leap years', () => {
  it('L is 29 February in a leap year and 28 February otherwise', () => {
    expect(next('cron(0 0 L 2 ? *)', '2024-01-01T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(next('cron(0 0 L 2 ? *)', '2024-03-01T00:00:00Z')).toBe('2025-02-28T00:00:00.000Z');
    expect(next('cron(0 0 L 2 ? *)', '2023-01-01T00:00:00Z')).toBe('2023-02-28T00:00:00.000Z');
  });

  it('follows the century rules: 2000 is a leap year, 2100 is not', () => {
    expect(next('cron(0 0 L 2 ? *)', '2000-01-01T00:00:00Z')).toBe('2000-02-29T00:00:00.000Z');
    expect(next('cron(0 0 L 2 ? *)', '2100-01-01T00:00:00Z')).toBe('2100-02-28T00:00:00.000Z');
  });

  it('L is the last day of every month', () => {
    expect(between('cron(0 0 L * ? *)', '2024-01-01T00:00:00Z', '2024-12-31T23:59:00Z')).toEqual([
      '2024-01-31T00:00:00.000Z',
      '2024-02-29T00:00:00.000Z',
      '2024-03-31T00:00:00.000Z',
      '2024-04-30T00:00:00.000Z',
      '2024-05-31T00:00:00.000Z',
      '2024-06-30T00:00:00.000Z',
      '2024-07-31T00:00:00.000Z',
      '2024-08-31T00:00:00.000Z',
      '2024-09-30T00:00:00.000Z',
      '2024-10-31T00:00:00.000Z',
      '2024-11-30T00:00:00.000Z',
      '2024-12-31T00:00:00.000Z',
    ]);
  });

  it('a plain 29, 30 or 31 skips months that lack the day', () => {
    expect(next('cron(0 0 29 2 ? *)', '2024-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('cron(0 0 31 * ? *)', '2024-04-01T00:00:00Z')).toBe('2024-05-31T00:00:00.000Z');
  });
});

describe('nextFireTime: W in Day-of-month', () => {
  it('keeps a day that is already a weekday', () => {
    // 2024-07-03 is a Wednesday.
    expect(next('cron(0 9 3W * ? *)', '2024-07-01T00:00:00Z')).toBe('2024-07-03T09:00:00.000Z');
  });

  it('moves a Saturday back to Friday and a Sunday on to Monday', () => {
    // 2024-06-15 is a Saturday; 2024-09-15 a Sunday.
    expect(next('cron(0 9 15W * ? *)', '2024-06-01T00:00:00Z')).toBe('2024-06-14T09:00:00.000Z');
    expect(next('cron(0 9 15W * ? *)', '2024-09-01T00:00:00Z')).toBe('2024-09-16T09:00:00.000Z');
  });

  it('never moves into the previous month: 1W on Saturday the 1st is Monday the 3rd', () => {
    // 2024-06-01 is a Saturday; Friday 31 May belongs to another month.
    expect(next('cron(0 9 1W * ? *)', '2024-05-31T12:00:00Z')).toBe('2024-06-03T09:00:00.000Z');
    // 2024-09-01 is a Sunday.
    expect(next('cron(0 9 1W * ? *)', '2024-08-31T12:00:00Z')).toBe('2024-09-02T09:00:00.000Z');
  });

  it('never moves into the next month: a Sunday on the last day goes back to Friday', () => {
    // 2024-06-30 (Sunday) is the last day of June; Monday 1 July belongs to another month.
    expect(next('cron(0 9 30W * ? *)', '2024-06-01T00:00:00Z')).toBe('2024-06-28T09:00:00.000Z');
    // 2024-03-31 is a Sunday.
    expect(next('cron(0 9 31W * ? *)', '2024-03-01T00:00:00Z')).toBe('2024-03-29T09:00:00.000Z');
  });

  it('does not fire nW in months shorter than n days', () => {
    // June has 30 days, so 31W next fires on Wednesday 31 July 2024, then on Friday 30 August (the 31st is a Saturday).
    expect(next('cron(0 9 31W * ? *)', '2024-06-01T00:00:00Z')).toBe('2024-07-31T09:00:00.000Z');
    expect(next('cron(0 9 31W * ? *)', '2024-08-01T00:00:00Z')).toBe('2024-08-30T09:00:00.000Z');
    expect(next('cron(0 9 30W 2 ? *)', '2024-01-01T00:00:00Z')).toBeNull();
  });

  it('LW is the last weekday of the month', () => {
    expect(between('cron(0 17 LW * ? *)', '2024-02-01T00:00:00Z', '2024-11-30T23:59:00Z')).toEqual([
      '2024-02-29T17:00:00.000Z', // Thursday
      '2024-03-29T17:00:00.000Z', // the 31st is a Sunday
      '2024-04-30T17:00:00.000Z',
      '2024-05-31T17:00:00.000Z',
      '2024-06-28T17:00:00.000Z', // the 30th is a Sunday
      '2024-07-31T17:00:00.000Z',
      '2024-08-30T17:00:00.000Z', // the 31st is a Saturday
      '2024-09-30T17:00:00.000Z',
      '2024-10-31T17:00:00.000Z',
      '2024-11-29T17:00:00.000Z', // the 30th is a Saturday
    ]);
  });
});

describe('nextFireTime: L and # in Day-of-week', () => {
  it('3#2 is the second Tuesday of the month', () => {
    // Tuesdays in June 2024: 4, 11, 18, 25.
    expect(next('cron(0 9 ? * 3#2 *)', '2024-06-01T00:00:00Z')).toBe('2024-06-11T09:00:00.000Z');
    expect(next('cron(0 9 ? * TUE#2 *)', '2024-06-11T09:00:00Z')).toBe('2024-07-09T09:00:00.000Z');
  });

  it('#5 skips months without a fifth such day', () => {
    // Tuesdays: January 2024 has five (the 30th), February and March have four, April has five (the 30th).
    expect(next('cron(0 12 ? * 3#5 *)', '2024-01-01T00:00:00Z')).toBe('2024-01-30T12:00:00.000Z');
    expect(next('cron(0 12 ? * 3#5 *)', '2024-01-31T00:00:00Z')).toBe('2024-04-30T12:00:00.000Z');
    // September 2024 starts on a Sunday, so its fifth Sunday is the 29th.
    expect(next('cron(0 12 ? * 1#5 *)', '2024-09-01T00:00:00Z')).toBe('2024-09-29T12:00:00.000Z');
  });

  it('#1 is the first such day, even on the 1st', () => {
    // 2024-01-01 is a Monday.
    expect(next('cron(0 0 ? * MON#1 *)', '2023-12-31T00:00:00Z')).toBe('2024-01-01T00:00:00.000Z');
  });

  it('nL is the last such day of the month', () => {
    expect(next('cron(0 9 ? * 6L *)', '2024-06-01T00:00:00Z')).toBe('2024-06-28T09:00:00.000Z');
    expect(next('cron(0 9 ? * 1L *)', '2024-03-01T00:00:00Z')).toBe('2024-03-31T09:00:00.000Z');
  });

  it('L alone is Saturday', () => {
    // 2024-06-10 is a Monday; the next Saturday is the 15th.
    expect(next('cron(0 9 ? * L *)', '2024-06-10T00:00:00Z')).toBe('2024-06-15T09:00:00.000Z');
  });

  it('1 is Sunday and 7 is Saturday', () => {
    expect(between('cron(0 0 ? * 1,7 *)', '2024-06-10T00:00:00Z', '2024-06-24T00:00:00Z')).toEqual(['2024-06-15T00:00:00.000Z', '2024-06-16T00:00:00.000Z', '2024-06-22T00:00:00.000Z', '2024-06-23T00:00:00.000Z']);
  });
});

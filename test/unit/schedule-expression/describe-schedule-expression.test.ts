import { describe, expect, it } from 'vitest';
import { describeScheduleExpression, parseScheduleExpression } from '@leadflow/schedule-expression';

describe('describeScheduleExpression', () => {
  it.each([
    ['rate(1 minute)', 'every minute'],
    ['rate(5 minutes)', 'every 5 minutes'],
    ['rate(1 hour)', 'every hour'],
    ['rate(2 hours)', 'every 2 hours'],
    ['rate(1 day)', 'every day'],
    ['rate(3 days)', 'every 3 days'],
  ])('describes %s as %j', (expression, description) => {
    expect(describeScheduleExpression(expression)).toBe(description);
  });

  it.each([
    ['cron(0 2 * * ? *)', 'at 02:00 UTC every day'],
    ['cron(15 12 ? * * *)', 'at 12:15 UTC every day'],
    ['cron(0/15 * * * ? *)', 'every 15 minutes'],
    ['cron(* * * * ? *)', 'every minute'],
    ['cron(30 * * * ? *)', 'at minute 30 of every hour'],
    ['cron(0 18 ? * MON-FRI *)', 'at 18:00 UTC on Monday, Tuesday, Wednesday, Thursday, Friday'],
    ['cron(0/5 8-17 ? * MON-FRI *)', 'every 5 minutes during hour 8-17 UTC on Monday, Tuesday, Wednesday, Thursday, Friday'],
    ['cron(0 8 1 * ? *)', 'at 08:00 UTC on day 1 of the month'],
    ['cron(5,35 14 * * ? *)', 'at minute 5,35 of hour 14 UTC every day'],
    ['cron(15 10 ? * 6L 2019-2022)', 'at 10:15 UTC on the last Friday of the month in year 2019-2022'],
    ['cron(0 9 ? * 3#2 *)', 'at 09:00 UTC on the second Tuesday of the month'],
    ['cron(0 0 L 2 ? *)', 'at 00:00 UTC on the last day of the month in month 2'],
    ['cron(0 17 LW * ? *)', 'at 17:00 UTC on the last weekday of the month'],
    ['cron(0 9 15W * ? *)', 'at 09:00 UTC on the weekday nearest day 15 of the month'],
  ])('describes %s as %j', (expression, description) => {
    expect(describeScheduleExpression(expression)).toBe(description);
  });

  it('names the time zone for cron and accepts a parsed expression', () => {
    expect(describeScheduleExpression(parseScheduleExpression('cron(0 2 * * ? *)'), 'Europe/Berlin')).toBe('at 02:00 Europe/Berlin every day');
  });
});

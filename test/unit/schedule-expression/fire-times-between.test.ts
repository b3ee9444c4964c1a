import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FIRE_TIMES, InvalidScheduleExpressionError, TooManyFireTimesError, fireTimesBetween, nextFireTime, parseScheduleExpression } from '@leadflow/schedule-expression';

const iso = (dates: Date[]): string[] => dates.map((date) => date.toISOString());

describe('fireTimesBetween', () => {
  it('returns the fire times in (from, to]: `from` excluded, `to` included', () => {
    const fires = fireTimesBetween('cron(0 * * * ? *)', new Date('2024-05-01T10:00:00Z'), new Date('2024-05-01T13:00:00Z'));
    expect(iso(fires)).toEqual(['2024-05-01T11:00:00.000Z', '2024-05-01T12:00:00.000Z', '2024-05-01T13:00:00.000Z']);
  });

  it('is empty for an empty or backwards window', () => {
    const at = new Date('2024-05-01T10:00:00Z');
    expect(fireTimesBetween('rate(1 minute)', at, at)).toEqual([]);
    expect(fireTimesBetween('rate(1 minute)', at, new Date('2024-05-01T09:00:00Z'))).toEqual([]);
    expect(fireTimesBetween('rate(1 minute)', at, new Date('2024-05-01T10:00:59Z'))).toEqual([]);
  });

  it('stops when the schedule runs out', () => {
    const from = new Date('2020-01-01T00:00:00Z');
    const fires = fireTimesBetween('cron(0 0 1 1 ? 2024-2025)', from, new Date('2030-01-01T00:00:00Z'));
    expect(iso(fires)).toEqual(['2024-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z']);
  });

  it('splits cleanly: consecutive windows together give the same fires as one window', () => {
    const expression = parseScheduleExpression('cron(0/20 7-9 ? * MON-FRI *)');
    const options = { timeZone: 'Europe/Berlin' };
    const t0 = new Date('2024-10-25T00:00:00Z');
    const t1 = new Date('2024-10-28T06:20:00Z'); // exactly a fire time (07:20 CET)
    const t2 = new Date('2024-10-30T00:00:00Z');
    const whole = fireTimesBetween(expression, t0, t2, options);
    const split = [...fireTimesBetween(expression, t0, t1, options), ...fireTimesBetween(expression, t1, t2, options)];
    expect(split).toEqual(whole);
    expect(whole).toHaveLength(9 * 3);
  });

  it('agrees with repeated nextFireTime calls', () => {
    const from = new Date('2024-03-30T00:00:00Z');
    const to = new Date('2024-04-02T00:00:00Z');
    const expected: Date[] = [];
    for (let at = nextFireTime('cron(0 */7 * * ? *)', from, 'America/New_York'); at !== null && at <= to;) {
      expected.push(at);
      at = nextFireTime('cron(0 */7 * * ? *)', at, 'America/New_York');
    }
    expect(fireTimesBetween('cron(0 */7 * * ? *)', from, to, { timeZone: 'America/New_York' })).toEqual(expected);
  });

  it('passes the anchor to rate schedules', () => {
    const fires = fireTimesBetween('rate(2 hours)', new Date('2024-05-01T00:00:00Z'), new Date('2024-05-01T06:00:00Z'), { anchor: new Date('2024-04-01T01:30:00Z') });
    expect(iso(fires)).toEqual(['2024-05-01T01:30:00.000Z', '2024-05-01T03:30:00.000Z', '2024-05-01T05:30:00.000Z']);
  });

  it('allows exactly maxResults fire times and throws beyond that', () => {
    const from = new Date('2024-05-01T00:00:00Z');
    const oneDay = new Date('2024-05-02T00:00:00Z');
    expect(fireTimesBetween('rate(1 minute)', from, oneDay, { maxResults: 1440 })).toHaveLength(1440);
    expect(() => fireTimesBetween('rate(1 minute)', from, oneDay, { maxResults: 1439 })).toThrow(TooManyFireTimesError);
    expect(() => fireTimesBetween('cron(* * * * ? *)', from, oneDay, { maxResults: 1439 })).toThrow('More than 1439 fire times fall in the requested window');
  });

  it('defaults maxResults to 10 000', () => {
    expect(DEFAULT_MAX_FIRE_TIMES).toBe(10_000);
    const from = new Date('2024-05-01T00:00:00Z');
    const tenThousandMinutes = new Date(from.getTime() + 10_000 * 60_000);
    expect(fireTimesBetween('rate(1 minute)', from, tenThousandMinutes)).toHaveLength(10_000);
    let error: unknown;
    try {
      fireTimesBetween('rate(1 minute)', from, new Date(tenThousandMinutes.getTime() + 60_000));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TooManyFireTimesError);
    expect(error).toMatchObject({ name: 'TooManyFireTimesError', maxResults: 10_000 });
  });

  it('rejects bad arguments', () => {
    const from = new Date('2024-05-01T00:00:00Z');
    const to = new Date('2024-05-02T00:00:00Z');
    expect(() => fireTimesBetween('rate(1 minutes)', from, to)).toThrow(InvalidScheduleExpressionError);
    expect(() => fireTimesBetween('rate(1 minute)', new Date(Number.NaN), to)).toThrow('from must be a valid Date');
    expect(() => fireTimesBetween('rate(1 minute)', from, new Date(Number.NaN))).toThrow('to must be a valid Date');
    expect(() => fireTimesBetween('rate(1 minute)', from, to, { maxResults: 0 })).toThrow(RangeError);
    expect(() => fireTimesBetween('rate(1 minute)', from, to, { maxResults: 2.5 })).toThrow(RangeError);
    expect(() => fireTimesBetween('rate(1 minute)', from, to, { timeZone: 'Nowhere/Town' })).toThrow(RangeError);
  });
});

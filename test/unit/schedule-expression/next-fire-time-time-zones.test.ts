import { describe, expect, it } from 'vitest';
import { fireTimesBetween, nextFireTime } from '@leadflow/schedule-expression';

// Daylight saving behaviour follows EventBridge Scheduler as AWS describes it (AWS re:Post knowledge center,
// https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst): "When the time shifts forward in Spring,
// your schedule invocation gets skipped if the cron expression falls on a non-existent date and time. When the time
// shifts back in the Fall, your schedule runs only once and doesn't repeat its invocation."
//
// Transitions used below (checked against the IANA database through Intl):
//   Europe/Berlin 2024-03-31 02:00 CET → 03:00 CEST (01:00Z); 2024-10-27 03:00 CEST → 02:00 CET (01:00Z).
//   America/New_York 2024-03-10 02:00 EST → 03:00 EDT (07:00Z); 2024-11-03 02:00 EDT → 01:00 EST (06:00Z).
//   Australia/Lord_Howe moves by 30 minutes: 2024-04-07 02:00 → 01:30 (15:00Z); 2024-10-06 02:00 → 02:30 (15:30Z).

const next = (expression: string, after: string, timeZone: string): string | null => nextFireTime(expression, new Date(after), { timeZone })?.toISOString() ?? null;

const between = (expression: string, from: string, to: string, timeZone: string): string[] => fireTimesBetween(expression, new Date(from), new Date(to), { timeZone }).map((date) => date.toISOString());

describe('nextFireTime: cron in a time zone', () => {
  it('reads the fields on the local clock, following the offset through DST', () => {
    expect(between('cron(0 9 * * ? *)', '2024-03-29T00:00:00Z', '2024-04-02T00:00:00Z', 'Europe/Berlin')).toEqual([
      '2024-03-29T08:00:00.000Z', // 09:00 CET
      '2024-03-30T08:00:00.000Z',
      '2024-03-31T07:00:00.000Z', // 09:00 CEST
      '2024-04-01T07:00:00.000Z',
    ]);
  });

  it('uses the local date for day fields, not the UTC date', () => {
    // 00:30 on Monday 2024-06-10 in Berlin is still Sunday in UTC.
    expect(next('cron(30 0 ? * MON *)', '2024-06-08T00:00:00Z', 'Europe/Berlin')).toBe('2024-06-09T22:30:00.000Z');
    // 20:00 on 31 December in New York is already 1 January in UTC.
    expect(next('cron(0 20 31 12 ? *)', '2024-06-01T00:00:00Z', 'America/New_York')).toBe('2025-01-01T01:00:00.000Z');
  });

  it('handles offsets that are not whole hours', () => {
    expect(next('cron(0 9 * * ? *)', '2024-05-01T00:00:00Z', 'Asia/Kolkata')).toBe('2024-05-01T03:30:00.000Z');
    expect(next('cron(0 9 * * ? *)', '2024-05-01T00:00:00Z', 'Asia/Kathmandu')).toBe('2024-05-01T03:15:00.000Z');
  });

  it('treats the string shorthand and { timeZone } the same, and defaults to UTC', () => {
    const after = new Date('2024-05-01T00:00:00Z');
    expect(nextFireTime('cron(0 9 * * ? *)', after, 'Europe/Berlin')).toEqual(nextFireTime('cron(0 9 * * ? *)', after, { timeZone: 'Europe/Berlin' }));
    expect(nextFireTime('cron(0 9 * * ? *)', after)).toEqual(new Date('2024-05-01T09:00:00Z'));
    expect(nextFireTime('cron(0 9 * * ? *)', after, {})).toEqual(new Date('2024-05-01T09:00:00Z'));
  });

  it('rejects an unknown time zone instead of silently using UTC', () => {
    expect(() => nextFireTime('cron(0 9 * * ? *)', new Date(), 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => nextFireTime('cron(0 9 * * ? *)', new Date(), 'Mars/Olympus_Mons')).toThrow('Unknown IANA time zone "Mars/Olympus_Mons"');
    expect(() => nextFireTime('rate(5 minutes)', new Date(), { timeZone: 'Europe/Berlln' })).toThrow(RangeError);
  });
});

describe('nextFireTime: spring forward (local times that do not exist are skipped)', () => {
  it('skips 02:30 on the day Berlin jumps from 02:00 to 03:00', () => {
    // 02:30 CET on 30 March is 01:30Z; 31 March has no 02:30; 02:30 CEST on 1 April is 00:30Z.
    expect(next('cron(30 2 * * ? *)', '2024-03-30T01:30:00Z', 'Europe/Berlin')).toBe('2024-04-01T00:30:00.000Z');
  });

  it('keeps the times either side of the gap', () => {
    // From 01:15 CET to 03:45 CEST: 01:30 CET, then 02:00 and 02:30 do not exist, then 03:00 and 03:30 CEST.
    expect(between('cron(0/30 * * * ? *)', '2024-03-31T00:15:00Z', '2024-03-31T01:45:00Z', 'Europe/Berlin')).toEqual(['2024-03-31T00:30:00.000Z', '2024-03-31T01:00:00.000Z', '2024-03-31T01:30:00.000Z']);
  });

  it('skips a monthly schedule whose only day falls in the gap', () => {
    // 02:00 on the last Sunday of March does not exist in Berlin; the last Sunday of April is the 28th.
    expect(next('cron(0 2 ? * 1L *)', '2024-03-01T00:00:00Z', 'Europe/Berlin')).toBe('2024-04-28T00:00:00.000Z');
  });

  it('skips 02:30 on the day New York jumps from 02:00 to 03:00', () => {
    expect(next('cron(30 2 * * ? *)', '2024-03-09T07:30:00Z', 'America/New_York')).toBe('2024-03-11T06:30:00.000Z');
  });

  it('moves a weekday schedule to the new offset', () => {
    // Friday 2024-03-08 09:00 EST is 14:00Z; Monday 2024-03-11 09:00 EDT is 13:00Z.
    expect(next('cron(0 9 ? * MON-FRI *)', '2024-03-08T14:00:00Z', 'America/New_York')).toBe('2024-03-11T13:00:00.000Z');
  });

  it('handles a 30-minute gap (Lord Howe Island)', () => {
    // 02:15 on 6 October 2024 does not exist; 02:15 on the 5th is +10:30, on the 7th +11:00.
    expect(between('cron(15 2 * * ? *)', '2024-10-04T00:00:00Z', '2024-10-07T00:00:00Z', 'Australia/Lord_Howe')).toEqual(['2024-10-04T15:45:00.000Z', '2024-10-06T15:15:00.000Z']);
  });
});

describe('nextFireTime: fall back (repeated local times fire once, at the first occurrence)', () => {
  it('fires 02:30 once on the day Berlin repeats 02:00-02:59', () => {
    // First 02:30 is CEST (00:30Z); the repeat at 02:30 CET (01:30Z) does not fire; 28 October 02:30 CET is 01:30Z.
    expect(next('cron(30 2 * * ? *)', '2024-10-26T12:00:00Z', 'Europe/Berlin')).toBe('2024-10-27T00:30:00.000Z');
    expect(next('cron(30 2 * * ? *)', '2024-10-27T00:30:00Z', 'Europe/Berlin')).toBe('2024-10-28T01:30:00.000Z');
  });

  it('does not repeat a sub-hourly schedule during the repeated hour', () => {
    expect(between('cron(0/30 * * * ? *)', '2024-10-26T23:45:00Z', '2024-10-27T02:00:00Z', 'Europe/Berlin')).toEqual([
      '2024-10-27T00:00:00.000Z', // 02:00 CEST
      '2024-10-27T00:30:00.000Z', // 02:30 CEST
      // 02:00 and 02:30 CET (01:00Z, 01:30Z) are repeats and do not fire.
      '2024-10-27T02:00:00.000Z', // 03:00 CET
    ]);
  });

  it('waits out the repeated hour when asked from inside its second pass', () => {
    // 01:10Z is 02:10 CET, the second pass; 02:30 already fired at 00:30Z, so the next fire is 03:00 CET.
    expect(next('cron(0/30 * * * ? *)', '2024-10-27T01:10:00Z', 'Europe/Berlin')).toBe('2024-10-27T02:00:00.000Z');
  });

  it('fires 01:30 once on the day New York repeats 01:00-01:59', () => {
    expect(next('cron(30 1 * * ? *)', '2024-11-02T12:00:00Z', 'America/New_York')).toBe('2024-11-03T05:30:00.000Z');
    expect(next('cron(30 1 * * ? *)', '2024-11-03T05:30:00Z', 'America/New_York')).toBe('2024-11-04T06:30:00.000Z');
  });

  it('leaves a two-hour gap in an hourly schedule, because 01:00 happens twice but fires once', () => {
    expect(between('cron(0 * * * ? *)', '2024-11-03T03:30:00Z', '2024-11-03T08:00:00Z', 'America/New_York')).toEqual([
      '2024-11-03T04:00:00.000Z', // 00:00 EDT
      '2024-11-03T05:00:00.000Z', // 01:00 EDT
      '2024-11-03T07:00:00.000Z', // 02:00 EST (01:00 EST at 06:00Z is the repeat)
      '2024-11-03T08:00:00.000Z', // 03:00 EST
    ]);
  });

  it('handles a 30-minute overlap (Lord Howe Island)', () => {
    // 01:45 on 7 April 2024 happens at +11:00 (14:45Z on the 6th) and again at +10:30 (15:15Z); only the first fires.
    expect(between('cron(45 1 * * ? *)', '2024-04-06T00:00:00Z', '2024-04-08T00:00:00Z', 'Australia/Lord_Howe')).toEqual(['2024-04-06T14:45:00.000Z', '2024-04-07T15:15:00.000Z']);
  });
});

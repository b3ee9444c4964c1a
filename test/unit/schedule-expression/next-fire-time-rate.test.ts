import { describe, expect, it } from 'vitest';
import { fireTimesBetween, nextFireTime } from '@leadflow/schedule-expression';

// EventBridge Scheduler: "With rate-based schedules, you use the StartDate property to set the first occurrence of
// the schedule" (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html), and a rate in days is
// "a 24-hour duration on the clock" evaluated "24 hours after the schedule's last invocation", DST or not
// (https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst). `anchor` plays the part of StartDate.

const next = (expression: string, after: string, anchor?: string): string | null => nextFireTime(expression, new Date(after), anchor === undefined ? {} : { anchor: new Date(anchor) })?.toISOString() ?? null;

describe('nextFireTime: rate without an anchor (aligned to the Unix epoch)', () => {
  it('rate(1 minute) fires on every whole minute', () => {
    expect(next('rate(1 minute)', '2024-05-01T10:00:00.001Z')).toBe('2024-05-01T10:01:00.000Z');
    expect(next('rate(1 minute)', '2024-05-01T10:00:00.000Z')).toBe('2024-05-01T10:01:00.000Z');
  });

  it('rate(5 minutes) fires at :00, :05, :10 … UTC, strictly after `after`', () => {
    expect(next('rate(5 minutes)', '2024-05-01T10:02:30Z')).toBe('2024-05-01T10:05:00.000Z');
    expect(next('rate(5 minutes)', '2024-05-01T10:05:00Z')).toBe('2024-05-01T10:10:00.000Z');
  });

  it('rate(7 minutes) counts from the epoch, not from the hour', () => {
    // 2024-05-01T00:00Z is 4 082 194 2/7 seven-minute intervals after the epoch.
    expect(next('rate(7 minutes)', '2024-05-01T00:00:00Z')).toBe('2024-05-01T00:05:00.000Z');
  });

  it('rate(1 hour) and rate(2 hours) fire on whole and even UTC hours', () => {
    expect(next('rate(1 hour)', '2024-05-01T01:59:59Z')).toBe('2024-05-01T02:00:00.000Z');
    expect(next('rate(2 hours)', '2024-05-01T01:00:00Z')).toBe('2024-05-01T02:00:00.000Z');
    expect(next('rate(2 hours)', '2024-05-01T02:00:00Z')).toBe('2024-05-01T04:00:00.000Z');
  });

  it('rate(1 day) fires at UTC midnight and rate(3 days) every third epoch day', () => {
    expect(next('rate(1 day)', '2024-05-01T12:00:00Z')).toBe('2024-05-02T00:00:00.000Z');
    // 2024-05-01 is epoch day 19 844 (≡ 2 mod 3), so the next multiple of three is day 19 845.
    expect(next('rate(3 days)', '2024-05-01T00:00:00Z')).toBe('2024-05-02T00:00:00.000Z');
    expect(next('rate(3 days)', '2024-05-02T00:00:00Z')).toBe('2024-05-05T00:00:00.000Z');
  });
});

describe('nextFireTime: rate limits', () => {
  it('returns null once the next fire would be beyond the last representable Date', () => {
    expect(next('rate(100000000 days)', '2024-05-01T00:00:00Z')).toBe('+275760-09-13T00:00:00.000Z');
    expect(next('rate(100000001 days)', '2024-05-01T00:00:00Z')).toBeNull();
  });

  it('rejects an interval too long to represent', () => {
    expect(() => nextFireTime('rate(9007199254740991 days)', new Date())).toThrow('is too long an interval');
  });
});

describe('nextFireTime: rate with an anchor', () => {
  it('counts whole intervals from the anchor, keeping its seconds', () => {
    expect(next('rate(5 minutes)', '2024-05-01T10:03:00Z', '2024-05-01T10:02:17Z')).toBe('2024-05-01T10:07:17.000Z');
    expect(next('rate(5 minutes)', '2024-05-01T10:07:17Z', '2024-05-01T10:02:17Z')).toBe('2024-05-01T10:12:17.000Z');
  });

  it('fires first at the anchor itself and never before it', () => {
    expect(next('rate(1 hour)', '2024-05-01T00:00:00Z', '2024-05-03T09:30:00Z')).toBe('2024-05-03T09:30:00.000Z');
    expect(next('rate(1 hour)', '2024-05-03T09:30:00Z', '2024-05-03T09:30:00Z')).toBe('2024-05-03T10:30:00.000Z');
  });

  it('works for anchors far in the past', () => {
    expect(next('rate(1 day)', '2024-05-01T12:00:00Z', '2001-09-09T01:46:40Z')).toBe('2024-05-02T01:46:40.000Z');
  });

  it('rejects an invalid anchor', () => {
    expect(() => nextFireTime('rate(1 day)', new Date(), { anchor: new Date(Number.NaN) })).toThrow('anchor must be a valid Date');
  });
});

describe('nextFireTime: rate ignores time zones and DST', () => {
  it('keeps rate(1 day) exactly 24 hours apart across the Berlin spring-forward', () => {
    const fires = fireTimesBetween('rate(1 day)', new Date('2024-03-29T00:00:00Z'), new Date('2024-04-02T00:00:00Z'), {
      timeZone: 'Europe/Berlin',
      anchor: new Date('2024-03-01T09:00:00Z'),
    });
    expect(fires.map((date) => date.toISOString())).toEqual(['2024-03-29T09:00:00.000Z', '2024-03-30T09:00:00.000Z', '2024-03-31T09:00:00.000Z', '2024-04-01T09:00:00.000Z']);
  });

  it('gives the same answer in any zone', () => {
    const after = new Date('2024-11-03T05:17:00Z');
    const utc = nextFireTime('rate(15 minutes)', after);
    expect(nextFireTime('rate(15 minutes)', after, 'America/New_York')).toEqual(utc);
    expect(nextFireTime('rate(15 minutes)', after, { timeZone: 'Asia/Kathmandu' })).toEqual(utc);
  });
});

import { describe, expect, it } from 'vitest';
import { fireTimesBetween, nextFireTime, parseScheduleExpression, type CronScheduleExpression } from '@leadflow/schedule-expression';

// Cross-checks the field-jumping search against a deliberately naive oracle: scan forward, test every day (UTC) or
// every minute (time zones) against the definitions of the cron special characters, written independently of the
// implementation. Inputs come from a seeded generator, so failures are reproducible.

const MINUTE = 60_000;
const DAY = 86_400_000;

function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const lastDayOf = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();
const weekdayOf = (year: number, month: number, day: number): number => new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
const isWorkday = (year: number, month: number, day: number): boolean => {
  const weekday = weekdayOf(year, month, day);
  return weekday !== 1 && weekday !== 7;
};

/** Whether `cron` selects the calendar day, straight from the definitions in the EventBridge reference. */
function oracleDayMatches(cron: CronScheduleExpression, year: number, month: number, day: number): boolean {
  const dim = lastDayOf(year, month);
  const weekday = weekdayOf(year, month, day);
  const { rule } = cron.day;
  switch (rule.type) {
    case 'days':
      return cron.day.field === 'day-of-month' ? rule.days.includes(day) : rule.days.includes(weekday);
    case 'last-day':
      return day === dim;
    case 'last-weekday': {
      if (!isWorkday(year, month, day)) return false;
      for (let later = day + 1; later <= dim; later += 1) if (isWorkday(year, month, later)) return false;
      return true;
    }
    case 'nearest-weekday': {
      if (rule.day > dim) return false;
      // The workday of this month closest to the target day.
      let best: number | undefined;
      for (let candidate = 1; candidate <= dim; candidate += 1) {
        if (!isWorkday(year, month, candidate)) continue;
        if (best === undefined || Math.abs(candidate - rule.day) < Math.abs(best - rule.day)) best = candidate;
      }
      return day === best;
    }
    case 'last-in-month':
      return weekday === rule.day && day + 7 > dim;
    case 'nth-in-month':
      return weekday === rule.day && Math.ceil(day / 7) === rule.nth;
  }
}

function oracleMatches(cron: CronScheduleExpression, wall: Wall): boolean {
  return cron.years.includes(wall.year) && cron.months.includes(wall.month) && oracleDayMatches(cron, wall.year, wall.month, wall.day) && cron.hours.includes(wall.hour) && cron.minutes.includes(wall.minute);
}

/** Next UTC fire time by scanning day by day for `horizonDays`; undefined when none in the horizon. */
function oracleNextUtc(cron: CronScheduleExpression, after: number, horizonDays: number): number | undefined {
  const startDay = Math.floor(after / DAY) * DAY;
  for (let dayStart = startDay; dayStart <= startDay + horizonDays * DAY; dayStart += DAY) {
    const date = new Date(dayStart);
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (!cron.years.includes(year) || !cron.months.includes(month)) continue;
    if (!oracleDayMatches(cron, year, month, day)) continue;
    for (const hour of cron.hours) {
      for (const minute of cron.minutes) {
        const at = Date.UTC(year, month - 1, day, hour, minute);
        if (at > after) return at;
      }
    }
  }
  return undefined;
}

const MINUTE_FIELDS = ['*', '0', '0/15', '5,35', '10-20', '50-10', '*/7', '0-30/10', '59'];
const HOUR_FIELDS = ['*', '0', '2', '8-17', '20-2', '*/6', '1,13', '23'];
const DAY_OF_MONTH_FIELDS = ['*', '1', '15', '31', 'L', 'LW', '15W', '1W', '30W', '31W', '25-5', '1-10/3', '29'];
const DAY_OF_WEEK_FIELDS = ['*', 'MON-FRI', '1', '6L', '3#2', '2#5', '1#5', 'L', 'SAT,SUN', 'FRI-MON', '7#1', '2L'];
const MONTH_FIELDS = ['*', '*', '*', 'JAN', '2', 'FEB-APR', '11-2', '*/5', 'JUN,DEC'];
const YEAR_FIELDS = ['*', '*', '*', '2024-2026', '2025', '2024/2'];

function randomCron(random: () => number): string {
  const useDayOfMonth = random() < 0.5;
  return `cron(${[
    pick(random, MINUTE_FIELDS),
    pick(random, HOUR_FIELDS),
    useDayOfMonth ? pick(random, DAY_OF_MONTH_FIELDS) : '?',
    pick(random, MONTH_FIELDS),
    useDayOfMonth ? '?' : pick(random, DAY_OF_WEEK_FIELDS),
    pick(random, YEAR_FIELDS),
  ].join(' ')})`;
}

function parseCron(expression: string): CronScheduleExpression {
  const parsed = parseScheduleExpression(expression);
  if (parsed.type !== 'cron') throw new Error('expected cron');
  return parsed;
}

describe('nextFireTime agrees with a brute-force oracle', () => {
  it('in UTC, for 400 random expressions and instants', () => {
    const random = mulberry32(20240501);
    const horizonDays = 8 * 366;
    for (let index = 0; index < 400; index += 1) {
      const expression = randomCron(random);
      const cron = parseCron(expression);
      const after = Date.UTC(2023, 0, 1) + Math.floor(random() * 3 * 365 * DAY) + Math.floor(random() * 4) * 17_317;
      const expected = oracleNextUtc(cron, after, horizonDays);
      const actual = nextFireTime(cron, new Date(after))?.getTime();
      if (expected === undefined) {
        const limit = after + horizonDays * DAY;
        const label = `${expression} after ${new Date(after).toISOString()}`;
        expect(actual === undefined || actual > limit, label).toBe(true);
      } else {
        expect(actual, `${expression} after ${new Date(after).toISOString()}`).toBe(expected);
      }
    }
  });

  it('around DST changes, skipping missing local times and firing repeated ones once', () => {
    const transitions: ReadonlyArray<[string, string]> = [
      ['Europe/Berlin', '2024-03-31T01:00:00Z'],
      ['Europe/Berlin', '2024-10-27T01:00:00Z'],
      ['America/New_York', '2024-03-10T07:00:00Z'],
      ['America/New_York', '2024-11-03T06:00:00Z'],
      ['Australia/Lord_Howe', '2024-04-06T15:00:00Z'],
      ['Australia/Lord_Howe', '2024-10-05T15:30:00Z'],
      ['Asia/Kathmandu', '2024-06-01T00:00:00Z'],
    ];
    const minuteFields = ['*/15', '0', '30', '0/20', '45', '*/7', '15,45'];
    const hourFields = ['*', '1-3', '2', '0-4', '1,2,3', '*/2'];
    const random = mulberry32(7);
    for (let index = 0; index < 35; index += 1) {
      const [timeZone, transition] = pick(random, transitions);
      const useDayOfMonth = random() < 0.5;
      const [dayOfMonth, dayOfWeek] = useDayOfMonth ? ['*', '?'] : ['?', '*'];
      const [minutes, hours] = [pick(random, minuteFields), pick(random, hourFields)];
      const expression = `cron(${minutes} ${hours} ${dayOfMonth} * ${dayOfWeek} *)`;
      const cron = parseCron(expression);
      const from = Date.parse(transition) - Math.floor(random() * 12 * 60) * MINUTE - Math.floor(random() * 60) * 1000;
      const to = from + DAY;

      const parts = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
      });
      const seen = new Set<string>();
      const expected: number[] = [];
      for (let at = Math.floor(from / MINUTE) * MINUTE - 3 * 60 * MINUTE; at <= to; at += MINUTE) {
        const fields = Object.fromEntries(
          parts
            .formatToParts(at)
            .filter((part) => part.type !== 'literal')
            .map((part) => [part.type, Number(part.value)]),
        );
        const wall: Wall = {
          year: fields['year'] ?? 0,
          month: fields['month'] ?? 0,
          day: fields['day'] ?? 0,
          hour: fields['hour'] ?? 0,
          minute: fields['minute'] ?? 0,
        };
        const key = JSON.stringify(wall);
        const repeat = seen.has(key);
        seen.add(key);
        if (!repeat && at > from && oracleMatches(cron, wall)) expected.push(at);
      }

      const actual = fireTimesBetween(cron, new Date(from), new Date(to), { timeZone }).map((date) => date.getTime());
      expect(actual, `${expression} in ${timeZone} from ${new Date(from).toISOString()}`).toEqual(expected);
    }
  });
});

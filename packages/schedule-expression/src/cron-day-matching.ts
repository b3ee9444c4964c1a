import { dayOfWeek, daysInMonth } from './gregorian-calendar';
import type { CronDayRule, DayOfMonthRule, DayOfWeekRule } from './schedule-expression';

const SUNDAY = 1;
const SATURDAY = 7;

/**
 * The days of `month` in `year` that a cron day rule selects, ascending. `L`, `W` and `#` depend on the month's
 * length and on which weekday it starts, so the days are worked out per month rather than tested one by one.
 */
export function matchingDaysInMonth(day: CronDayRule, year: number, month: number): number[] {
  const lastDay = daysInMonth(year, month);
  return day.field === 'day-of-month' ? dayOfMonthMatches(day.rule, year, month, lastDay) : dayOfWeekMatches(day.rule, year, month, lastDay);
}

function dayOfMonthMatches(rule: DayOfMonthRule, year: number, month: number, lastDay: number): number[] {
  switch (rule.type) {
    case 'days':
      // A plain `31` simply does not fire in shorter months, as in EventBridge.
      return rule.days.filter((day) => day <= lastDay);
    case 'last-day':
      return [lastDay];
    case 'last-weekday': {
      const weekday = dayOfWeek(year, month, lastDay);
      return [weekday === SATURDAY ? lastDay - 1 : weekday === SUNDAY ? lastDay - 2 : lastDay];
    }
    case 'nearest-weekday': {
      // Like `31`, `31W` has no day to be near in a 30-day month, so it does not fire that month.
      if (rule.day > lastDay) return [];
      const weekday = dayOfWeek(year, month, rule.day);
      // The nearest weekday never leaves the month: 1W on a Saturday is Monday the 3rd, not Friday the day before,
      // and a Sunday on the last day moves back to Friday rather than forward into next month.
      if (weekday === SATURDAY) return [rule.day === 1 ? 3 : rule.day - 1];
      if (weekday === SUNDAY) return [rule.day === lastDay ? rule.day - 2 : rule.day + 1];
      return [rule.day];
    }
  }
}

function dayOfWeekMatches(rule: DayOfWeekRule, year: number, month: number, lastDay: number): number[] {
  const firstWeekday = dayOfWeek(year, month, 1);
  // Day of the month on which weekday `target` first occurs.
  const firstOccurrence = (target: number): number => 1 + ((target - firstWeekday + 7) % 7);
  switch (rule.type) {
    case 'days': {
      const days: number[] = [];
      for (const target of rule.days) {
        for (let day = firstOccurrence(target); day <= lastDay; day += 7) days.push(day);
      }
      return days.sort((a, b) => a - b);
    }
    case 'last-in-month': {
      const first = firstOccurrence(rule.day);
      return [first + 7 * Math.floor((lastDay - first) / 7)];
    }
    case 'nth-in-month': {
      // A fifth Tuesday exists only in some months; in the others `3#5` simply does not fire.
      const day = firstOccurrence(rule.day) + 7 * (rule.nth - 1);
      return day <= lastDay ? [day] : [];
    }
  }
}

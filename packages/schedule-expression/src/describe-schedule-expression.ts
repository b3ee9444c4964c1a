import { parseScheduleExpression } from './parse-schedule-expression';
import type { CronScheduleExpression, ScheduleExpression } from './schedule-expression';

const DAY_NAMES = ['', 'Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const ORDINALS = ['', 'first', 'second', 'third', 'fourth', 'fifth'];

/**
 * A short English description for logs and admin screens, e.g. `every 5 minutes` or `at 02:00 UTC every day`.
 * Common shapes read naturally; unusual combinations fall back to quoting the cron fields, so the text is always
 * accurate even when it is not elegant. It is not meant to be parsed back.
 *
 * @param expression - a parsed expression or its text.
 * @param timeZone - the zone named in cron descriptions; rate descriptions do not mention it.
 * @throws {@link InvalidScheduleExpressionError} if `expression` is text that does not parse.
 */
export function describeScheduleExpression(expression: ScheduleExpression | string, timeZone = 'UTC'): string {
  const schedule = typeof expression === 'string' ? parseScheduleExpression(expression) : expression;
  if (schedule.type === 'rate') {
    return schedule.value === 1 ? `every ${schedule.unit}` : `every ${schedule.value} ${schedule.unit}s`;
  }
  const time = describeTime(schedule, timeZone);
  const days = describeDays(schedule);
  const parts = [time.text];
  // "every 15 minutes every day" says nothing the shorter form does not.
  if (!(time.isRecurringWithinDay && days === 'every day')) parts.push(days);
  if (schedule.months.length !== 12) parts.push(`in month ${schedule.fields.month}`);
  if (schedule.fields.year !== '*') parts.push(`in year ${schedule.fields.year}`);
  return parts.join(' ');
}

function describeTime(cron: CronScheduleExpression, timeZone: string): { text: string; isRecurringWithinDay: boolean } {
  const { minutes, hours, fields } = cron;
  const everyHour = hours.length === 24;
  const duringHours = everyHour ? '' : ` during hour ${fields.hours} ${timeZone}`;
  const [onlyMinute] = minutes;
  const [onlyHour] = hours;
  if (minutes.length === 1 && hours.length === 1 && onlyMinute !== undefined && onlyHour !== undefined) {
    return { text: `at ${pad(onlyHour)}:${pad(onlyMinute)} ${timeZone}`, isRecurringWithinDay: false };
  }
  if (minutes.length === 60) return { text: `every minute${duringHours}`, isRecurringWithinDay: everyHour };
  const step = minutes[1] !== undefined && minutes[0] === 0 ? minutes[1] : undefined;
  if (step !== undefined && 60 % step === 0 && minutes.every((minute, index) => minute === index * step)) {
    return { text: `every ${step} minutes${duringHours}`, isRecurringWithinDay: everyHour };
  }
  if (minutes.length === 1 && onlyMinute !== undefined && everyHour) {
    return { text: `at minute ${onlyMinute} of every hour`, isRecurringWithinDay: true };
  }
  return { text: `at minute ${fields.minutes} of hour ${fields.hours} ${timeZone}`, isRecurringWithinDay: false };
}

function describeDays(cron: CronScheduleExpression): string {
  const { day } = cron;
  if (day.field === 'day-of-month') {
    const { rule } = day;
    switch (rule.type) {
      case 'days':
        return rule.days.length === 31 ? 'every day' : `on day ${cron.fields.dayOfMonth} of the month`;
      case 'last-day':
        return 'on the last day of the month';
      case 'last-weekday':
        return 'on the last weekday of the month';
      case 'nearest-weekday':
        return `on the weekday nearest day ${rule.day} of the month`;
    }
  }
  const { rule } = day;
  switch (rule.type) {
    case 'days':
      return rule.days.length === 7 ? 'every day' : `on ${rule.days.map((weekday) => DAY_NAMES[weekday]).join(', ')}`;
    case 'last-in-month':
      return `on the last ${DAY_NAMES[rule.day]} of the month`;
    case 'nth-in-month':
      return `on the ${ORDINALS[rule.nth]} ${DAY_NAMES[rule.day]} of the month`;
  }
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

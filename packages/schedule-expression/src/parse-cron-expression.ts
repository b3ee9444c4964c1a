import { MONTH_NAMES } from './cron-field-names';
import { CronFieldSyntaxError } from './cron-field-syntax-error';
import { InvalidScheduleExpressionError } from './invalid-schedule-expression-error';
import { parseCronValues, type CronValueSpec } from './parse-cron-values';
import { parseDayOfMonth } from './parse-day-of-month';
import { parseDayOfWeek } from './parse-day-of-week';
import type { CronDayRule, CronFieldTexts, CronScheduleExpression } from './schedule-expression';

const MINUTES: CronValueSpec = { min: 0, max: 59, wrapsAround: true };
const HOURS: CronValueSpec = { min: 0, max: 23, wrapsAround: true };
const MONTHS: CronValueSpec = { min: 1, max: 12, names: MONTH_NAMES, wrapsAround: true };
const YEARS: CronValueSpec = { min: 1970, max: 2199, wrapsAround: false };

/**
 * The wildcards each field accepts, from the EventBridge cron reference table. Checking them up front gives a
 * message such as `"#" is not allowed in the Month field` instead of a vaguer "not a number".
 */
const ALLOWED_WILDCARDS: Readonly<Record<keyof CronFieldTexts, string>> = {
  minutes: ',-*/',
  hours: ',-*/',
  dayOfMonth: ',-*?/LW',
  month: ',-*/',
  dayOfWeek: ',-*?L#',
  year: ',-*/',
};

const FIELD_LABELS: Readonly<Record<keyof CronFieldTexts, string>> = {
  minutes: 'Minutes',
  hours: 'Hours',
  dayOfMonth: 'Day-of-month',
  month: 'Month',
  dayOfWeek: 'Day-of-week',
  year: 'Year',
};

/**
 * Parses the inside of `cron(...)`: six whitespace-separated fields, `Minutes Hours Day-of-month Month Day-of-week
 * Year`. Month and day names are accepted in any letter case, as Quartz does.
 */
export function parseCronExpression(expression: string, body: string): CronScheduleExpression {
  const parts = body
    .trim()
    .split(/\s+/)
    .filter((part) => part !== '');
  if (parts.length !== 6) {
    throw new InvalidScheduleExpressionError(expression, `cron needs exactly 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), found ${parts.length}`);
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = parts.map((part) => part.toUpperCase()) as [string, string, string, string, string, string];
  const fields: CronFieldTexts = { minutes, hours, dayOfMonth, month, dayOfWeek, year };

  const field = <T>(name: keyof CronFieldTexts, parse: (text: string) => T): T => {
    const text = fields[name];
    try {
      const stray = [...text].find((char) => !/[0-9A-Z]/.test(char) && !ALLOWED_WILDCARDS[name].includes(char));
      if (stray !== undefined) throw new CronFieldSyntaxError(`"${stray}" is not allowed in this field`);
      if (text.includes('?') && text !== '?') throw new CronFieldSyntaxError('"?" must be the whole field');
      return parse(text);
    } catch (error) {
      if (!(error instanceof CronFieldSyntaxError)) throw error;
      throw new InvalidScheduleExpressionError(expression, `${FIELD_LABELS[name]} field "${text}": ${error.message}`);
    }
  };

  const parsedMinutes = field('minutes', (text) => parseCronValues(text, MINUTES));
  const parsedHours = field('hours', (text) => parseCronValues(text, HOURS));
  const parsedMonths = field('month', (text) => parseCronValues(text, MONTHS));
  const parsedYears = field('year', (text) => parseCronValues(text, YEARS));

  let day: CronDayRule;
  if (dayOfMonth === '?' && dayOfWeek === '?') {
    throw new InvalidScheduleExpressionError(expression, 'only one of Day-of-month and Day-of-week may be "?"; put a value or * in the other');
  } else if (dayOfWeek === '?') {
    day = { field: 'day-of-month', rule: field('dayOfMonth', parseDayOfMonth) };
  } else if (dayOfMonth === '?') {
    day = { field: 'day-of-week', rule: field('dayOfWeek', parseDayOfWeek) };
  } else {
    throw new InvalidScheduleExpressionError(expression, `Day-of-month "${dayOfMonth}" and Day-of-week "${dayOfWeek}" cannot both be set; one of them must be "?"`);
  }

  return {
    type: 'cron',
    expression,
    fields,
    minutes: parsedMinutes,
    hours: parsedHours,
    months: parsedMonths,
    years: parsedYears,
    day,
  };
}

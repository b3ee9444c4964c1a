import { DAY_OF_WEEK_NAMES } from './cron-field-names';
import { CronFieldSyntaxError } from './cron-field-syntax-error';
import { parseCronValue, parseCronValues, type CronValueSpec } from './parse-cron-values';
import type { DayOfWeekRule } from './schedule-expression';

const DAY_OF_WEEK: CronValueSpec = { min: 1, max: 7, names: DAY_OF_WEEK_NAMES, wrapsAround: true };
const SATURDAY = 7;

/**
 * Parses a Day-of-week field that is not `?`: the shared numeric grammar (1 = SUN … 7 = SAT) plus `L` (Saturday,
 * the last day of the week), `nL` (last day n of the month) and `n#k` (k-th day n of the month). EventBridge allows
 * only one expression when `#` is used ("3#1,6#3" is invalid), and Quartz applies the same rule to `nL`.
 */
export function parseDayOfWeek(text: string): DayOfWeekRule {
  if (text.includes('#')) {
    const nth = /^([^,#]+)#(\d+)$/.exec(text);
    if (nth === null) throw new CronFieldSyntaxError('"#" takes exactly one day and occurrence, such as "3#2"');
    const k = Number(nth[2]);
    if (k < 1 || k > 5) throw new CronFieldSyntaxError(`"#${nth[2]}" must be #1 to #5`);
    return { type: 'nth-in-month', day: parseCronValue(nth[1] ?? '', DAY_OF_WEEK), nth: k };
  }
  if (text === 'L') return { type: 'days', days: [SATURDAY] };
  if (text.includes('L')) {
    const last = /^([^,L-]+)L$/.exec(text);
    if (last === null) {
      throw new CronFieldSyntaxError('"L" must be the whole field or follow a single day, such as "6L"');
    }
    return { type: 'last-in-month', day: parseCronValue(last[1] ?? '', DAY_OF_WEEK) };
  }
  return { type: 'days', days: parseCronValues(text, DAY_OF_WEEK) };
}

import { CronFieldSyntaxError } from './cron-field-syntax-error';
import { parseCronValue, parseCronValues, type CronValueSpec } from './parse-cron-values';
import type { DayOfMonthRule } from './schedule-expression';

const DAY_OF_MONTH: CronValueSpec = { min: 1, max: 31, wrapsAround: true };

/**
 * Parses a Day-of-month field that is not `?`: the shared numeric grammar plus `L` (last day), `LW` (last weekday)
 * and `nW` (weekday nearest day n). Like Quartz, whose syntax EventBridge documents, `L` and `W` must stand alone:
 * `L,15` or `1W-5W` are rejected rather than given an invented meaning.
 */
export function parseDayOfMonth(text: string): DayOfMonthRule {
  if (text === 'L') return { type: 'last-day' };
  if (text === 'LW') return { type: 'last-weekday' };
  const nearest = /^(\d+)W$/.exec(text);
  if (nearest !== null) return { type: 'nearest-weekday', day: parseCronValue(nearest[1] ?? '', DAY_OF_MONTH) };
  if (/[LW]/.test(text)) {
    throw new CronFieldSyntaxError('L, LW and nW must be the whole field (for example "L", "LW" or "15W")');
  }
  return { type: 'days', days: parseCronValues(text, DAY_OF_MONTH) };
}

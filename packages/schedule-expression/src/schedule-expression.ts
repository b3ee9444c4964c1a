/** Unit of a `rate(value unit)` expression, normalised to the singular. */
export type RateUnit = 'minute' | 'hour' | 'day';

/** A parsed `rate(value unit)` expression. */
export interface RateScheduleExpression {
  readonly type: 'rate';
  /** The expression text as written, e.g. `rate(5 minutes)`. */
  readonly expression: string;
  /** The positive integer before the unit. */
  readonly value: number;
  readonly unit: RateUnit;
  /** `value` units as an absolute duration; a day is always 24 h, whatever the time zone does. */
  readonly intervalMs: number;
}

/** What the Day-of-month field selects (the field is not `?`). */
export type DayOfMonthRule =
  /** Plain days of the month (1-31); days a month does not have never fire. */
  | { readonly type: 'days'; readonly days: readonly number[] }
  /** `L`: the last day of the month. */
  | { readonly type: 'last-day' }
  /** `LW`: the last weekday (Monday-Friday) of the month. */
  | { readonly type: 'last-weekday' }
  /** `nW`: the weekday nearest day `n`, never crossing into another month. */
  | { readonly type: 'nearest-weekday'; readonly day: number };

/** What the Day-of-week field selects (the field is not `?`). Days are numbered 1 = Sunday … 7 = Saturday. */
export type DayOfWeekRule =
  /** Plain days of the week. `L` on its own is Saturday, the last day of the week. */
  | { readonly type: 'days'; readonly days: readonly number[] }
  /** `nL`: the last day `n` of the month, e.g. `6L` is the last Friday. */
  | { readonly type: 'last-in-month'; readonly day: number }
  /** `n#k`: the `k`-th day `n` of the month, e.g. `3#2` is the second Tuesday. */
  | { readonly type: 'nth-in-month'; readonly day: number; readonly nth: number };

/**
 * Which day field constrains the schedule. EventBridge requires exactly one of Day-of-month and Day-of-week to be
 * `?`, so the parsed form keeps only the other one and an expression with both (or neither) cannot be represented.
 */
export type CronDayRule = { readonly field: 'day-of-month'; readonly rule: DayOfMonthRule } | { readonly field: 'day-of-week'; readonly rule: DayOfWeekRule };

/** The six fields of a cron expression as written, upper-cased (`jan` becomes `JAN`), for messages and descriptions. */
export interface CronFieldTexts {
  readonly minutes: string;
  readonly hours: string;
  readonly dayOfMonth: string;
  readonly month: string;
  readonly dayOfWeek: string;
  readonly year: string;
}

/** A parsed `cron(Minutes Hours Day-of-month Month Day-of-week Year)` expression. */
export interface CronScheduleExpression {
  readonly type: 'cron';
  /** The expression text as written, e.g. `cron(0 18 ? * MON-FRI *)`. */
  readonly expression: string;
  readonly fields: CronFieldTexts;
  /** Matching minutes (0-59), ascending and without duplicates; likewise for the other numeric fields. */
  readonly minutes: readonly number[];
  /** Matching hours (0-23). */
  readonly hours: readonly number[];
  /** Matching months (1-12). */
  readonly months: readonly number[];
  /** Matching years (1970-2199). */
  readonly years: readonly number[];
  readonly day: CronDayRule;
}

/** Any parsed EventBridge schedule expression. */
export type ScheduleExpression = RateScheduleExpression | CronScheduleExpression;

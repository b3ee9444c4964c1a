/**
 * Internal: raised by the per-field cron parsers, which do not know the whole expression. The cron parser catches
 * it and rethrows an {@link InvalidScheduleExpressionError} that names both the expression and the field.
 */
export class CronFieldSyntaxError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CronFieldSyntaxError';
  }
}

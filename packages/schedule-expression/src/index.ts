export * from './schedule-expression';
export * from './invalid-schedule-expression-error';
export * from './too-many-fire-times-error';
export * from './parse-schedule-expression';
export type { ScheduleEvaluationOptions } from './schedule-evaluation-options';
export * from './next-fire-time';
export * from './fire-times-between';
export * from './describe-schedule-expression';

export type {
  AnythingButOperand,
  EqualsIgnoreCaseOperand,
  EventPattern,
  EventPatternInput,
  EventPatternLeaf,
  EventPatternOperator,
  EventPatternScalar,
} from './event-pattern';
export { InvalidEventPatternError, type EventPatternErrorCode } from './invalid-event-pattern-error';
export * from './matches';
export * from './validate-pattern';
export * from './test-event-pattern';
export { CompiledEventPattern, compileEventPattern } from './compile-event-pattern';
export type { PatternBranch, PatternField } from './pattern-branch';
export type { ValueMatcher, NumericBound } from './value-matcher';
export type { CaseInsensitivePattern } from './case-insensitive';
export type { WildcardPattern } from './wildcard';
export type { IpRange } from './ip-address';
export { MAX_WILDCARD_COMPLEXITY } from './wildcard-complexity';
export * from './put-events-validation';
export * from './event-time';
export * from './event-envelope';

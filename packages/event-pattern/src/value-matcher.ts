import { endsWithIgnoringCase, equalsIgnoringCase, startsWithIgnoringCase, type CaseInsensitivePattern } from './case-insensitive';
import type { EventValue } from './event-value';
import { ipInRange, type IpRange } from './ip-address';
import { matchesWildcard, type WildcardPattern } from './wildcard';

/** A bound of a numeric range, in millionths (see `comparable-number.ts`). */
export interface NumericBound {
  readonly value: bigint;
  readonly inclusive: boolean;
}

/**
 * One alternative of a pattern leaf (`"field": [alternative, alternative, …]`), compiled. `exists: false` is not
 * here: it is about the absence of a field, not about a value, and is kept on the field instead.
 */
export type ValueMatcher =
  /** A string value, e.g. `"running"`. */
  | { readonly type: 'exact-string'; readonly value: string }
  /** A string value that is an IP literal: EventBridge compares it as an address, so `::1` matches `0:0::1`. */
  | { readonly type: 'exact-ip'; readonly text: string; readonly range: IpRange }
  /** A number value: equal by value inside the numeric window, otherwise equal by exact text. */
  | { readonly type: 'exact-number'; readonly text: string; readonly comparable: bigint | undefined }
  /** `true`, `false` or `null`. */
  | { readonly type: 'exact-literal'; readonly text: 'true' | 'false' | 'null' }
  | { readonly type: 'prefix'; readonly value: string }
  | { readonly type: 'prefix-ignore-case'; readonly pattern: CaseInsensitivePattern }
  | { readonly type: 'suffix'; readonly value: string }
  | { readonly type: 'suffix-ignore-case'; readonly pattern: CaseInsensitivePattern }
  | { readonly type: 'equals-ignore-case'; readonly pattern: CaseInsensitivePattern }
  | { readonly type: 'wildcard'; readonly pattern: WildcardPattern }
  /** `numeric`; a missing bound is unbounded. `=` is a range with two equal inclusive bounds. */
  | { readonly type: 'numeric'; readonly lower?: NumericBound; readonly upper?: NumericBound }
  | { readonly type: 'cidr'; readonly text: string; readonly range: IpRange }
  /** `exists: true`: any value at all, `null` included. */
  | { readonly type: 'exists' }
  /** `anything-but` with strings: any value except these strings (numbers, booleans and null pass). */
  | { readonly type: 'anything-but-strings'; readonly values: ReadonlySet<string> }
  /** `anything-but` with numbers: any value except these numbers (strings, booleans and null pass). */
  | { readonly type: 'anything-but-numbers'; readonly values: ReadonlySet<bigint> }
  | { readonly type: 'anything-but-ignore-case'; readonly patterns: readonly CaseInsensitivePattern[] }
  | { readonly type: 'anything-but-prefix'; readonly values: readonly string[] }
  | { readonly type: 'anything-but-suffix'; readonly values: readonly string[] }
  | { readonly type: 'anything-but-wildcard'; readonly patterns: readonly WildcardPattern[] };

/**
 * True if one event value satisfies the matcher. String operators (prefix, suffix, wildcard, equals-ignore-case,
 * cidr) only ever match strings, numeric operators only JSON numbers, and every `anything-but` form matches any
 * value it does not exclude, including `null` and values of another type.
 */
export function matchesValue(matcher: ValueMatcher, value: EventValue): boolean {
  switch (matcher.type) {
    case 'exists':
      return true;
    case 'exact-string':
      return value.kind === 'string' && value.value === matcher.value;
    case 'exact-ip':
    case 'cidr':
      return value.kind === 'string' && ipInRange(value.value, matcher.range);
    case 'exact-number':
      if (value.kind !== 'number') return false;
      if (matcher.comparable !== undefined && value.comparable !== undefined) return matcher.comparable === value.comparable;
      return matcher.text === value.text;
    case 'exact-literal':
      return value.kind === 'literal' && value.text === matcher.text;
    case 'prefix':
      return value.kind === 'string' && value.value.startsWith(matcher.value);
    case 'prefix-ignore-case':
      return value.kind === 'string' && startsWithIgnoringCase(matcher.pattern, value.value);
    case 'suffix':
      return value.kind === 'string' && value.value.endsWith(matcher.value);
    case 'suffix-ignore-case':
      return value.kind === 'string' && endsWithIgnoringCase(matcher.pattern, value.value);
    case 'equals-ignore-case':
      return value.kind === 'string' && equalsIgnoringCase(matcher.pattern, value.value);
    case 'wildcard':
      return value.kind === 'string' && matchesWildcard(matcher.pattern, value.value);
    case 'numeric':
      return value.kind === 'number' && value.comparable !== undefined && inRange(value.comparable, matcher);
    case 'anything-but-strings':
      return !(value.kind === 'string' && matcher.values.has(value.value));
    case 'anything-but-numbers':
      return !(value.kind === 'number' && value.comparable !== undefined && matcher.values.has(value.comparable));
    case 'anything-but-ignore-case':
      return !(value.kind === 'string' && matcher.patterns.some((p) => equalsIgnoringCase(p, value.value)));
    case 'anything-but-prefix':
      return !(value.kind === 'string' && matcher.values.some((prefix) => value.value.startsWith(prefix)));
    case 'anything-but-suffix':
      return !(value.kind === 'string' && matcher.values.some((suffix) => value.value.endsWith(suffix)));
    case 'anything-but-wildcard':
      return !(value.kind === 'string' && matcher.patterns.some((p) => matchesWildcard(p, value.value)));
  }
}

function inRange(value: bigint, range: { readonly lower?: NumericBound; readonly upper?: NumericBound }): boolean {
  const { lower, upper } = range;
  if (lower && (lower.inclusive ? value < lower.value : value <= lower.value)) return false;
  if (upper && (upper.inclusive ? value > upper.value : value >= upper.value)) return false;
  return true;
}

import type { ValueMatcher } from './value-matcher';

/**
 * One field of a compiled pattern: a dot-joined path and the alternatives it accepts. EventBridge joins keys
 * with `.`, so `{"a": {"b": [...]}}` and `{"a.b": [...]}` are the same field, and both match the event values
 * at `a.b` whether the event nests them or uses a dotted key.
 */
export interface PatternField {
  readonly path: string;
  /** Value alternatives; the field matches if any one matches a value at `path`. */
  readonly matchers: readonly ValueMatcher[];
  /** The field also matches when `path` has no value at all (`{"exists": false}`). */
  readonly matchesAbsence: boolean;
}

/**
 * A conjunction of fields that must all match; a pattern without `$or` has exactly one branch and `$or`
 * multiplies them out. Fields are sorted by path (UTF-16 code unit order), which is the order EventBridge
 * evaluates them in; it matters for `exists: false` inside arrays.
 */
export type PatternBranch = readonly PatternField[];

/**
 * Case-insensitive comparison the way EventBridge does it for `equals-ignore-case` and the `prefix`/`suffix`/
 * `anything-but` variants: each character of the pattern matches its lower-case or its upper-case form
 * (locale-independent), and nothing else. That is not the same as comparing `toLowerCase()` of both sides: the
 * two forms can differ in length (`ß` upper-cases to `SS`), and a title-case letter such as `ǅ` matches only
 * `ǆ` or `Ǆ`.
 */

/** A pattern prepared for case-insensitive matching: per code point, the strings it accepts. */
export interface CaseInsensitivePattern {
  readonly text: string;
  readonly alternatives: ReadonlyArray<readonly string[]>;
}

/** Prepares `text` for the functions below. */
export function caseInsensitivePattern(text: string): CaseInsensitivePattern {
  const alternatives = Array.from(text, (char) => {
    const lower = char.toLowerCase();
    const upper = char.toUpperCase();
    return lower === upper ? [lower] : [lower, upper];
  });
  return { text, alternatives };
}

/** True if `value` is the pattern, ignoring case. */
export function equalsIgnoringCase(pattern: CaseInsensitivePattern, value: string): boolean {
  return forwardEnds(pattern, value).has(value.length);
}

/** True if `value` starts with the pattern, ignoring case. */
export function startsWithIgnoringCase(pattern: CaseInsensitivePattern, value: string): boolean {
  return forwardEnds(pattern, value).size > 0;
}

/** True if `value` ends with the pattern, ignoring case. */
export function endsWithIgnoringCase(pattern: CaseInsensitivePattern, value: string): boolean {
  // Walk both backwards: the set holds the offsets where the unmatched part of `value` ends.
  let starts = new Set<number>([value.length]);
  for (let i = pattern.alternatives.length - 1; i >= 0 && starts.size > 0; i--) {
    const next = new Set<number>();
    for (const end of starts) {
      for (const alternative of pattern.alternatives[i] ?? []) {
        const start = end - alternative.length;
        if (start >= 0 && value.startsWith(alternative, start)) next.add(start);
      }
    }
    starts = next;
  }
  return starts.size > 0;
}

/** Offsets in `value` where a case-insensitive match of the whole pattern, anchored at 0, can end. */
function forwardEnds(pattern: CaseInsensitivePattern, value: string): Set<number> {
  // Alternatives of different lengths can make several prefixes of `value` match, so track all of them.
  let ends = new Set<number>([0]);
  for (const alternatives of pattern.alternatives) {
    const next = new Set<number>();
    for (const start of ends) {
      for (const alternative of alternatives) {
        if (value.startsWith(alternative, start)) next.add(start + alternative.length);
      }
    }
    ends = next;
    if (ends.size === 0) break;
  }
  return ends;
}

/**
 * `wildcard` patterns: `*` matches any run of characters, including none; `\*` is a literal asterisk and `\\` a
 * literal backslash. Any other backslash escape and two consecutive `*` are rejected, as EventBridge does.
 */

/** A parsed wildcard pattern: the literal text between the `*`s (so `segments.length - 1` wildcards). */
export interface WildcardPattern {
  readonly text: string;
  readonly segments: readonly string[];
}

/** Thrown by {@link parseWildcard}; the message is the reason EventBridge gives. */
export class InvalidWildcardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidWildcardError';
  }
}

/**
 * Parses a wildcard pattern.
 *
 * @throws {@link InvalidWildcardError} for `**` or a backslash that escapes anything but `*` or `\`.
 */
export function parseWildcard(text: string): WildcardPattern {
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '*') {
      if (text[i + 1] === '*') throw new InvalidWildcardError(`Consecutive wildcard characters at pos ${bytePosition(text, i)}`);
      segments.push(current);
      current = '';
    } else if (char === '\\') {
      const next = text[i + 1];
      if (next !== '*' && next !== '\\') throw new InvalidWildcardError(`Invalid escape character at pos ${bytePosition(text, i)}`);
      current += next;
      i++;
    } else {
      current += char;
    }
  }
  segments.push(current);
  return { text, segments };
}

/** True if the whole of `value` matches the pattern. */
export function matchesWildcard(pattern: WildcardPattern, value: string): boolean {
  const { segments } = pattern;
  const first = segments[0] ?? '';
  if (segments.length === 1) return value === first;
  const last = segments[segments.length - 1] ?? '';
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  // With only `*` as a wildcard, taking each middle segment at its leftmost possible place never loses a match.
  let position = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const segment = segments[i] ?? '';
    const found = value.indexOf(segment, position);
    if (found < 0 || found + segment.length > end) return false;
    position = found + segment.length;
  }
  return true;
}

/** EventBridge counts positions in the UTF-8 bytes of the quoted value, so the first character is at 1. */
function bytePosition(text: string, index: number): number {
  return new TextEncoder().encode(text.slice(0, index)).length + 1;
}

import { compilePatternNode } from './compile-pattern-node';
import { InvalidEventPatternError } from './invalid-event-pattern-error';
import { readPatternInput } from './read-json-input';

/** Result of {@link validatePattern}. */
export type PatternValidationResult = { readonly valid: true } | { readonly valid: false; readonly code: 'InvalidEventPatternException'; readonly message: string };

/**
 * Checks a pattern (JSON text or a parsed value) the way `PutRule` and `TestEventPattern` do, without throwing.
 * Rejected, among others: text that is not JSON, a pattern that is not an object, empty objects or arrays, a leaf
 * that is not an array, unknown or mis-cased operators, operands of the wrong type, bad numeric ranges or numbers
 * outside ±5e9 / beyond six decimals, malformed CIDR blocks, `**` or bad escapes in wildcards, wildcards that are
 * too complex, and malformed `$or`.
 */
export function validatePattern(pattern: unknown): PatternValidationResult {
  try {
    compilePatternNode(readPatternInput(pattern));
    return { valid: true };
  } catch (error) {
    if (error instanceof InvalidEventPatternError) {
      return { valid: false, code: 'InvalidEventPatternException', message: error.message };
    }
    throw error;
  }
}

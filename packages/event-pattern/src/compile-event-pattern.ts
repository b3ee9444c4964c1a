import { compilePatternNode } from './compile-pattern-node';
import type { EventPatternInput } from './event-pattern';
import { matchesEventNode } from './match-event-node';
import type { PatternBranch } from './pattern-branch';
import { readEventInput, readPatternInput } from './read-json-input';

/**
 * A validated, compiled event pattern. Compile once and call {@link CompiledEventPattern.matches} per event when
 * routing many events through the same rule.
 */
export class CompiledEventPattern {
  /** The `$or` alternatives (one when the pattern has no `$or`); the pattern matches if any branch does. */
  readonly branches: readonly PatternBranch[];

  constructor(branches: readonly PatternBranch[]) {
    this.branches = branches;
  }

  /**
   * True if the event matches. The event can be raw JSON text (numbers are then read from their exact text) or
   * a parsed value; anything but a JSON object never matches.
   *
   * @throws {@link InvalidEventPatternError} with code `ValidationException` if raw text is not JSON.
   */
  matches(event: unknown): boolean {
    return matchesEventNode(this.branches, readEventInput(event));
  }
}

/**
 * Validates and compiles an event pattern given as JSON text or as a parsed object.
 *
 * @throws {@link InvalidEventPatternError} with code `InvalidEventPatternException` if EventBridge would reject it.
 */
export function compileEventPattern(pattern: EventPatternInput): CompiledEventPattern {
  return new CompiledEventPattern(compilePatternNode(readPatternInput(pattern)));
}

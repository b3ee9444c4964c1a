import { compileEventPattern } from './compile-event-pattern';
import type { EventPatternInput } from './event-pattern';

/**
 * True if the event matches the EventBridge event pattern.
 *
 * Both arguments can be raw JSON text or parsed values. Prefer raw text for events: numbers are then compared
 * from their exact text (`300.0`, `3.018e2`, integers beyond 2^53), and duplicate keys are seen as AWS sees them.
 * An event that is not a JSON object never matches. To match many events against one pattern, compile it once
 * with {@link compileEventPattern}.
 *
 * @throws {@link InvalidEventPatternError} with code `InvalidEventPatternException` if EventBridge would reject
 * the pattern, or `ValidationException` if the event text is not JSON.
 */
export function matches(pattern: EventPatternInput, event: unknown): boolean {
  return compileEventPattern(pattern).matches(event);
}

import { invalidPattern, InvalidEventPatternError } from './invalid-event-pattern-error';
import type { JsonNode } from './json-node';
import { jsonNodeFromValue } from './json-node-from-value';
import { JsonSyntaxError, parseJson } from './parse-json';

/** The message AWS gives for an event it cannot use, whatever the reason. */
export const INVALID_EVENT_MESSAGE = 'Parameter Event is not valid.';

/**
 * Reads a pattern given as raw JSON text or as an already-parsed value.
 *
 * @throws {@link InvalidEventPatternError} (`InvalidEventPatternException`) for text that is not JSON.
 */
export function readPatternInput(pattern: unknown): JsonNode {
  if (typeof pattern !== 'string') return fromValue(pattern, (reason) => invalidPattern(reason));
  try {
    return parseJson(pattern);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw invalidPattern(error.message);
    throw error;
  }
}

/**
 * Reads an event given as raw JSON text or as an already-parsed value.
 *
 * @throws {@link InvalidEventPatternError} (`ValidationException`) for text that is not JSON.
 */
export function readEventInput(event: unknown): JsonNode {
  const invalidEvent = (): InvalidEventPatternError => new InvalidEventPatternError('ValidationException', INVALID_EVENT_MESSAGE);
  if (typeof event !== 'string') return fromValue(event, invalidEvent);
  try {
    return parseJson(event);
  } catch (error) {
    if (error instanceof JsonSyntaxError) throw invalidEvent();
    throw error;
  }
}

function fromValue(value: unknown, toError: (reason: string) => InvalidEventPatternError): JsonNode {
  try {
    return jsonNodeFromValue(value);
  } catch (error) {
    // Only a circular structure gets here: it has no JSON form.
    if (error instanceof TypeError) throw toError(error.message);
    throw error;
  }
}

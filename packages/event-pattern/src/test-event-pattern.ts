import { compileEventPattern } from './compile-event-pattern';
import { InvalidEventPatternError } from './invalid-event-pattern-error';
import type { JsonNode } from './json-node';
import { matchesEventNode } from './match-event-node';
import { INVALID_EVENT_MESSAGE, readEventInput } from './read-json-input';

/**
 * Envelope fields the `TestEventPattern` API insists on. The API reference also lists `resources`, but AWS does
 * not actually require it.
 */
export const TEST_EVENT_REQUIRED_FIELDS = ['id', 'account', 'source', 'time', 'region', 'detail-type'] as const;

// RFC 3339 date-time, as in EventBridge envelopes ("2022-07-13T13:48:01Z").
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * The `TestEventPattern` API: validates the pattern, then the event, and tells whether they match. Both
 * arguments are the raw JSON strings of the API request, so numbers are matched from their exact text.
 *
 * The event must be a JSON object with the envelope fields {@link TEST_EVENT_REQUIRED_FIELDS} (their types are
 * not checked, except that `time` must be an RFC 3339 timestamp string).
 *
 * @throws {@link InvalidEventPatternError} with code `InvalidEventPatternException` for an invalid pattern, and
 * with code `ValidationException` and message `Parameter Event is not valid.` for an invalid event.
 */
export function testEventPattern(patternJson: string, eventJson: string): { result: boolean } {
  const pattern = compileEventPattern(patternJson);
  const event = readEventInput(eventJson);
  assertValidTestEvent(event);
  return { result: matchesEventNode(pattern.branches, event) };
}

function assertValidTestEvent(event: JsonNode): void {
  const invalid = (): InvalidEventPatternError => new InvalidEventPatternError('ValidationException', INVALID_EVENT_MESSAGE);
  if (event.kind !== 'object') throw invalid();
  const keys = new Set(event.members.map(([key]) => key));
  if (!TEST_EVENT_REQUIRED_FIELDS.every((field) => keys.has(field))) throw invalid();
  // With duplicate keys the last one is the one AWS keeps.
  const time = event.members.filter(([key]) => key === 'time').at(-1)?.[1];
  if (time?.kind !== 'string' || !RFC3339.test(time.value) || Number.isNaN(Date.parse(time.value))) throw invalid();
}

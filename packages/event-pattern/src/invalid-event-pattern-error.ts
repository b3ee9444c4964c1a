/**
 * Error codes this package reports, named like the EventBridge API errors a local `TestEventPattern` or
 * `PutRule` should return: `InvalidEventPatternException` for a pattern EventBridge rejects, and
 * `ValidationException` for an event that is not a valid event (`Parameter Event is not valid.`).
 */
export type EventPatternErrorCode = 'InvalidEventPatternException' | 'ValidationException';

/**
 * Thrown by {@link matches}, {@link compileEventPattern} and {@link testEventPattern} for a pattern (or, with code
 * `ValidationException`, an event) that EventBridge would reject. `code` and `message` can be returned as the
 * API error as they are; the message follows AWS's wording but is not guaranteed to be identical to it.
 */
export class InvalidEventPatternError extends Error {
  readonly code: EventPatternErrorCode;

  constructor(code: EventPatternErrorCode, message: string) {
    super(message);
    this.name = 'InvalidEventPatternError';
    this.code = code;
  }
}

/** The error for an invalid pattern, with AWS's "Event pattern is not valid. Reason: …" prefix. */
export function invalidPattern(reason: string): InvalidEventPatternError {
  return new InvalidEventPatternError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${reason}`);
}

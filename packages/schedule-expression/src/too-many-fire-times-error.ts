/**
 * Thrown by {@link fireTimesBetween} when a window holds more fire times than the caller allowed. Failing loudly
 * beats silently truncating: a caller replaying a window would otherwise miss fires without noticing.
 */
export class TooManyFireTimesError extends Error {
  /** The limit that was exceeded. */
  readonly maxResults: number;

  constructor(maxResults: number) {
    super(`More than ${maxResults} fire times fall in the requested window; narrow the window or raise maxResults`);
    this.name = 'TooManyFireTimesError';
    this.maxResults = maxResults;
  }
}

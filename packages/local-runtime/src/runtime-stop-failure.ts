/** A part of the local runtime (the scheduler, DynamoDB Local, …) that failed to stop, and why. */
export class PartStopError extends Error {
  constructor(
    readonly part: string,
    cause: unknown,
  ) {
    super(`${part}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'PartStopError';
  }
}

/**
 * What `npm start` prints when stopping fails: each part that failed to stop and why, one line each, with no
 * stack, as whoever pressed Ctrl-C needs to know what may still be running rather than where in our code it failed.
 *
 * @example stopFailureText(new AggregateError([new PartStopError('the scheduler', new Error('stuck'))]))
 * // → 'Stopped, but 1 part failed to stop:\n  the scheduler: stuck'
 */
export function stopFailureText(error: unknown): string {
  const failures = error instanceof AggregateError ? (error.errors as unknown[]) : [error];
  const lines = failures.map((failure) => `  ${failure instanceof Error ? failure.message : String(failure)}`);
  return [`Stopped, but ${failures.length} ${failures.length === 1 ? 'part' : 'parts'} failed to stop:`, ...lines].join('\n');
}

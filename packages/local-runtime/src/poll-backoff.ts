/**
 * How long a stream poller waits before its next read: not at all while reads keep finding records,
 * then `minMs`, doubling on each empty read up to `maxMs`, so a quiet stream costs a few reads a
 * second and a busy one is read back to back. `wake()` starts the short delays again.
 *
 * @example
 * const backoff = new PollBackoff(10, 250);
 * backoff.next(true);  // 0
 * backoff.next(false); // 10, then 20, 40 … 250
 */
export class PollBackoff {
  private idleDelayMs: number;

  constructor(
    readonly minMs: number,
    readonly maxMs: number,
  ) {
    this.idleDelayMs = minMs;
  }

  next(foundRecords: boolean): number {
    if (foundRecords) {
      this.idleDelayMs = this.minMs;
      return 0;
    }
    const delay = this.idleDelayMs;
    this.idleDelayMs = Math.min(this.maxMs, delay * 2);
    return delay;
  }

  wake(): void {
    this.idleDelayMs = this.minMs;
  }
}

/** A task that was still waiting for a slot when its runtime began to stop, and so never started. */
export class StoppedBeforeAttemptError extends Error {}

/**
 * Runs tasks at most `limit` at a time, first come first served within a lane: the local stand-in for a
 * function's reserved concurrency, so one target's backlog neither floods the event loop nor overtakes
 * its own queue. A freed slot goes to the `ahead` lane's oldest task before any task of the `behind` lane.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting = { ahead: [] as Array<() => void>, behind: [] as Array<() => void> };

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`A concurrency limit must be a whole number of at least 1, not ${limit}`);
  }

  /**
   * Runs `task` once a slot is free. Once `stopping` aborts, a task not yet started never starts: it leaves the
   * queue at once and `run` fails with `StoppedBeforeAttemptError`.
   */
  async run<T>(task: () => Promise<T>, lane: 'ahead' | 'behind' = 'ahead', stopping?: AbortSignal): Promise<T> {
    if (stopping?.aborted) throw new StoppedBeforeAttemptError();
    // Not awaited when a slot is free, so the task starts in this very call.
    if (this.running >= this.limit) await this.waitForSlot(lane, stopping);
    else this.running += 1;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so a newcomer cannot jump the queue.
      const next = this.waiting.ahead.shift() ?? this.waiting.behind.shift();
      if (next) next();
      else this.running -= 1;
    }
  }

  private async waitForSlot(lane: 'ahead' | 'behind', stopping: AbortSignal | undefined): Promise<void> {
    await new Promise<void>((start, refuse) => {
      const giveUp = () => {
        this.waiting[lane].splice(this.waiting[lane].indexOf(handOver), 1);
        refuse(new StoppedBeforeAttemptError());
      };
      const handOver = () => {
        stopping?.removeEventListener('abort', giveUp);
        start();
      };
      stopping?.addEventListener('abort', giveUp, { once: true });
      this.waiting[lane].push(handOver);
    });
  }

  /** Tasks started and not finished, and tasks waiting for a slot. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.ahead.length + this.waiting.behind.length };
  }
}

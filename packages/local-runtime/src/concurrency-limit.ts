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

  async run<T>(task: () => Promise<T>, lane: 'ahead' | 'behind' = 'ahead'): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((start) => this.waiting[lane].push(start));
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

  /** Tasks started and not finished, and tasks waiting for a slot. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.ahead.length + this.waiting.behind.length };
  }
}

/**
 * The time a scheduled run has left to start work in. Lambda kills an invocation at its timeout, mid-item
 * and before the run's summary (and its "these items failed" error) is written; a run that asks before each
 * item instead stops *starting* items once `remainingMs()` (the handler's `context.getRemainingTimeInMillis()`)
 * no longer holds `reserveMs`, the longest one item can take, and ends with its summary. The items it did not
 * start stay due for the next run. Once it has said no it says no for the rest of the run, so a run never
 * starts an item after one it left.
 *
 * @example
 * const budget = new TimeBudget(() => context.getRemainingTimeInMillis(), 15_000);
 * for (const lead of budget.startable(page.leads)) await check(lead);
 * if (budget.outOfTime) logger.warn('Out of time: the leads left are checked by the next run', { left: budget.left });
 */
export class TimeBudget {
  private stopped = false;
  private notStarted = 0;

  constructor(
    private readonly remainingMs: () => number,
    /** What the longest single item can take, kept in hand before starting one. */
    readonly reserveMs: number,
  ) {}

  /** Whether another item may start: the time left is above `reserveMs`. */
  hasTime(): boolean {
    if (!this.stopped && this.remainingMs() <= this.reserveMs) this.stopped = true;
    return !this.stopped;
  }

  /** True once `hasTime()` has said no: the run stopped starting items. */
  get outOfTime(): boolean {
    return this.stopped;
  }

  /** Items `startable` was given but did not start for want of time, for the run's log. */
  get left(): number {
    return this.notStarted;
  }

  /**
   * `items` in order, each only if there is time to start it when the loop asks for it (after the one
   * before has finished); the items it stops before are counted in `left`.
   */
  *startable<T>(items: readonly T[]): Generator<T, void, undefined> {
    for (const [index, item] of items.entries()) {
      if (!this.hasTime()) {
        this.notStarted += items.length - index;
        return;
      }
      yield item;
    }
  }
}

import { setMaxListeners } from 'node:events';

/** Work started and not yet settled (bus deliveries, schedule runs), so that a stop can wait for it. */
export class WorkUnderWay<T = unknown> {
  private readonly running = new Set<Promise<T>>();

  track(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const done = () => this.running.delete(work);
    void work.then(done, done);
    return work;
  }

  get size(): number {
    return this.running.size;
  }

  /** Resolves once everything tracked has settled, including work tracked while it waits. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** As `settled`, but for at most `graceMs`: how many pieces of work were still running then. */
  async settledWithin(graceMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeUp = new Promise<void>((done) => (timer = setTimeout(done, graceMs)));
    await Promise.race([this.settled(), timeUp]);
    clearTimeout(timer);
    return this.running.size;
  }
}

/**
 * The controller a part aborts when the runtime stops. Every delivery waiting for a slot or a retry listens on its
 * signal (and stops listening when it goes on), so a burst legitimately holds more than Node's default of 10
 * listeners, which would print a leak warning.
 */
export function stopController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/** Waits `ms` unless `stopping` aborts first: true if the whole wait passed, false if it was cut short. */
export function waitUnlessStopped(ms: number, stopping: AbortSignal): Promise<boolean> {
  if (stopping.aborted) return Promise.resolve(false);
  return new Promise((done) => {
    const cutShort = () => {
      clearTimeout(timer);
      done(false);
    };
    const timer = setTimeout(() => {
      stopping.removeEventListener('abort', cutShort);
      done(true);
    }, ms);
    stopping.addEventListener('abort', cutShort, { once: true });
  });
}

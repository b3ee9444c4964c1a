import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit, StoppedBeforeAttemptError } from '../../../packages/local-runtime/src/concurrency-limit';
import { stopController } from '../../../packages/local-runtime/src/work-under-way';

function deferred() {
  let finish!: () => void;
  const promise = new Promise<void>((done) => (finish = done));
  return { promise, finish };
}

describe('ConcurrencyLimit', () => {
  it('runs at most its limit at once and starts the waiting tasks in arrival order', async () => {
    const limit = new ConcurrencyLimit(2);
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, deferred);
    const runs = gates.map((gate, index) =>
      limit.run(async () => {
        started.push(index);
        await gate.promise;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limit.load).toEqual({ running: 2, waiting: 3 });
    gates[1].finish();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) gate.finish();
    await Promise.all(runs);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(limit.load).toEqual({ running: 0, waiting: 0 });
  });

  it('gives a freed slot to the oldest task of the ahead lane before any task of the behind lane', async () => {
    const limit = new ConcurrencyLimit(1);
    const started: string[] = [];
    const first = deferred();
    const task = (name: string, gate?: Promise<void>) => async () => {
      started.push(name);
      await gate;
    };
    const runs = [limit.run(task('running', first.promise)), limit.run(task('request 1'), 'behind'), limit.run(task('delivery 1')), limit.run(task('request 2'), 'behind'), limit.run(task('delivery 2'), 'ahead')];
    expect(limit.load).toEqual({ running: 1, waiting: 4 });
    first.finish();
    await Promise.all(runs);
    expect(started).toEqual(['running', 'delivery 1', 'delivery 2', 'request 1', 'request 2']);
  });

  it('frees the slot of a task that fails', async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(limit.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit.run(async () => 'next')).toBe('next');
    expect(limit.load).toEqual({ running: 0, waiting: 0 });
  });

  it('once stopping, starts no task still waiting: each leaves the queue at once, refused, and the running one keeps its slot', async () => {
    const limit = new ConcurrencyLimit(1);
    const stopping = new AbortController();
    const started: string[] = [];
    const first = deferred();
    const task = (name: string, gate?: Promise<void>) => async () => {
      started.push(name);
      await gate;
    };
    const running = limit.run(task('running', first.promise), 'ahead', stopping.signal);
    const waiting = [limit.run(task('delivery'), 'ahead', stopping.signal), limit.run(task('request'), 'behind', stopping.signal)];
    stopping.abort();
    for (const refused of waiting) await expect(refused).rejects.toBeInstanceOf(StoppedBeforeAttemptError);
    expect(limit.load).toEqual({ running: 1, waiting: 0 });
    await expect(limit.run(task('after the stop'), 'ahead', stopping.signal)).rejects.toBeInstanceOf(StoppedBeforeAttemptError);
    first.finish();
    await running;
    expect(started).toEqual(['running']);
    expect(limit.load).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a limit below one', () => {
    expect(() => new ConcurrencyLimit(0)).toThrow('at least 1');
  });

  it("lets a burst of deliveries wait on the runtime's stop signal without Node's listener-leak warning", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const limit = new ConcurrencyLimit(1);
      const stopping = stopController();
      const first = deferred();
      const runs = Array.from({ length: 30 }, (_, index) => limit.run(async () => (index === 0 ? first.promise : undefined), 'ahead', stopping.signal));
      expect(limit.load).toEqual({ running: 1, waiting: 29 });
      first.finish();
      await Promise.all(runs);
      // Warnings are emitted on the next tick.
      await new Promise((done) => setImmediate(done));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });
});

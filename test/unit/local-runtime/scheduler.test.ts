import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FunctionDefinition, ScheduledInvocation } from '@leadflow/manifest';
import { ActivityLog } from '../../../packages/local-runtime/src/activity-log';
import { StoppedBeforeAttemptError } from '../../../packages/local-runtime/src/concurrency-limit';
import type { FunctionHost } from '../../../packages/local-runtime/src/function-host';
import { LocalScheduler } from '../../../packages/local-runtime/src/scheduler';

const minute = 60_000;
const startedAt = Date.parse('2026-03-02T10:00:00.000Z');

/** One function on `rate(1 minute)`, as the minute sweeps are. */
const everyMinute = (retryAttempts: 0 | 1 | 2, maxEventAgeSeconds: number): FunctionDefinition => ({
  name: 'sweep',
  description: 'Sweeps every minute.',
  entry: 'functions/sweep/handler.ts',
  trigger: { kind: 'schedule', scheduleName: 'sweep', expression: 'rate(1 minute)', timeZone: 'UTC', retryAttempts, maxEventAgeSeconds },
  tables: {},
});

/** A host that hands each run to `answer` and records the time it was for. */
function recordingHost(answer: () => Promise<void>) {
  const times: string[] = [];
  const host = {
    invoke: (_target: string, input: ScheduledInvocation) => {
      times.push(input.time);
      return answer();
    },
  } as unknown as FunctionHost;
  return { host, times };
}

/** The machine sleeps: the clock jumps ahead, and no timer fires until it wakes. */
function suspendFor(ms: number): void {
  vi.setSystemTime(Date.now() + ms);
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(startedAt);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('LocalScheduler on the clock', () => {
  it('after 30 minutes asleep runs the missed fire once, as of its own time, and fires next on the minute after the wake-up, not through the backlog', async () => {
    const { host, times } = recordingHost(async () => undefined);
    const scheduler = new LocalScheduler([everyMinute(2, 3600)], host, new ActivityLog());
    scheduler.start();
    suspendFor(30 * minute);
    await vi.advanceTimersToNextTimerAsync();
    await vi.advanceTimersByTimeAsync(0);
    const wokeAt = Date.now();
    expect(times).toEqual(['2026-03-02T10:01:00.000Z']);
    expect(scheduler.list()[0].nextFire).toBe(new Date((Math.floor(wokeAt / minute) + 1) * minute).toISOString());
    await scheduler.stop(0);
  });

  it('counts the maximum event age from the fire time: a run that starts later than that is dead-lettered without a retry', async () => {
    const { host, times } = recordingHost(() => Promise.reject(new Error('the table is away')));
    const activity = new ActivityLog();
    const scheduler = new LocalScheduler([everyMinute(2, 60)], host, activity);
    scheduler.start();
    suspendFor(30 * minute);
    await vi.advanceTimersToNextTimerAsync();
    expect(times).toEqual(['2026-03-02T10:01:00.000Z']);
    expect(activity.scheduleRuns[0].outcome).toMatchObject({ status: 'dead-lettered', attempts: 1, error: 'the table is away' });
    expect(activity.deadLetters.list()).toEqual([expect.objectContaining({ origin: 'schedule sweep', payload: { scheduleName: 'sweep', time: '2026-03-02T10:01:00.000Z' } })]);
    await scheduler.stop(0);
  });

  it('fires on time while the previous run is still going, and stop() waits for the runs under way', async () => {
    const finishes: Array<() => void> = [];
    const { host, times } = recordingHost(() => new Promise<void>((finish) => finishes.push(finish)));
    const activity = new ActivityLog();
    const scheduler = new LocalScheduler([everyMinute(2, 3600)], host, activity);
    scheduler.start();
    await vi.advanceTimersByTimeAsync(2 * minute);
    expect(times).toEqual(['2026-03-02T10:01:00.000Z', '2026-03-02T10:02:00.000Z']);

    let stopped = false;
    const stopping = scheduler.stop(5 * minute).then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(minute);
    expect(stopped).toBe(false);
    expect(times).toHaveLength(2);
    for (const finish of finishes) finish();
    await stopping;
    expect(activity.scheduleRuns.map((run) => run.outcome.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('retries no failed run once stopping: the stop cuts the wait for the retry short', async () => {
    let calls = 0;
    const { host } = recordingHost(async () => {
      calls += 1;
      throw new Error('the table is away');
    });
    const activity = new ActivityLog();
    const scheduler = new LocalScheduler([everyMinute(2, 3600)], host, activity);
    scheduler.start();
    await vi.advanceTimersByTimeAsync(minute);
    expect(activity.scheduleRuns[0].outcome).toMatchObject({ status: 'retrying', attempts: 1 });

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await scheduler.stop(10_000); // resolves with no timer advanced: nothing was left to wait for
    expect(warn.mock.calls).toEqual([['1 schedule runs were left unfinished by the stop (0 still running after 10 s); POST /_local/schedules/<name>/run runs one again.']]);
    await vi.advanceTimersByTimeAsync(10 * minute);
    expect(calls).toBe(1);
    expect(activity.scheduleRuns[0].outcome).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(activity.deadLetters.list()).toEqual([]);
  });

  it('starts no run still waiting for a slot of the function host once stopping, and counts it as left unfinished', async () => {
    let started = 0;
    // As the function host does: a run waiting for a slot is refused when the stop comes, and never starts.
    const host = {
      invoke: (_target: string, _input: ScheduledInvocation, _origin: string, stopping?: AbortSignal) =>
        new Promise<void>((_start, refuse) => stopping?.addEventListener('abort', () => refuse(new StoppedBeforeAttemptError()))).then(() => void (started += 1)),
    } as unknown as FunctionHost;
    const activity = new ActivityLog();
    const scheduler = new LocalScheduler([everyMinute(2, 3600)], host, activity);
    scheduler.start();
    await vi.advanceTimersByTimeAsync(minute);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const stopping = scheduler.stop(10_000);
    await vi.advanceTimersByTimeAsync(10_000);
    await stopping;
    expect(warn.mock.calls).toEqual([['1 schedule runs were left unfinished by the stop (0 still running after 10 s); POST /_local/schedules/<name>/run runs one again.']]);
    expect(started).toBe(0);
    expect(activity.scheduleRuns[0].outcome).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('logs a run whose dead letter cannot be written, rather than losing it unseen', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'leadflow-unwritable-'));
    mkdirSync(join(directory, 'gone'));
    const activity = new ActivityLog({ deadLetterFile: join(directory, 'gone', 'dead-letters.jsonl') });
    // The directory the dead letters go to is deleted while the runtime runs: writing one fails.
    rmSync(join(directory, 'gone'), { recursive: true, force: true });
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const { host } = recordingHost(() => Promise.reject(new Error('the table is away')));
      const scheduler = new LocalScheduler([everyMinute(0, 3600)], host, activity);
      scheduler.start();
      await vi.advanceTimersByTimeAsync(minute);
      expect(error).toHaveBeenCalledWith(expect.stringMatching(/^\[local-runtime\] schedule sweep, run as of 2026-03-02T10:01:00.000Z, failed: ENOENT/));
      await scheduler.stop(0);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('stops waiting for a run that never ends when its grace is over', async () => {
    const { host } = recordingHost(() => new Promise<void>(() => undefined));
    const scheduler = new LocalScheduler([everyMinute(2, 3600)], host, new ActivityLog());
    scheduler.start();
    await vi.advanceTimersByTimeAsync(minute);

    let stopped = false;
    const stopping = scheduler.stop(10_000).then(() => (stopped = true));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(warn.mock.calls).toEqual([['1 schedule runs were left unfinished by the stop (1 still running after 10 s); POST /_local/schedules/<name>/run runs one again.']]);
  });
});

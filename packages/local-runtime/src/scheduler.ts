import { nextFireTime, parseScheduleExpression } from '@leadflow/schedule-expression';
import type { FunctionDefinition, ScheduledInvocation, ScheduleTrigger } from '@leadflow/manifest';
import type { ActivityLog, ScheduleRunRecord } from './activity-log';
import type { FunctionHost } from './function-host';
import { deliverWithRetries } from './retrying-invoker';
import { stopController, WorkUnderWay } from './work-under-way';

interface LocalSchedule {
  target: string;
  trigger: ScheduleTrigger;
  nextFire: Date | null;
  timer?: NodeJS.Timeout;
}

/** setTimeout cannot wait longer than about 24.8 days; longer waits are re-armed in steps. */
const longestTimerMs = 2 ** 31 - 1;

/**
 * Fires the manifest's schedules on the local clock with EventBridge Scheduler's expression semantics,
 * and runs any of them on demand "as of" a given instant: scheduled handlers take that time as now.
 */
export class LocalScheduler {
  private readonly schedules = new Map<string, LocalSchedule>();
  private readonly runs = new WorkUnderWay<ScheduleRunRecord>();
  private readonly stopping = stopController();
  /** Runs the stop cut short before they succeeded or were dead-lettered (a retry not made). */
  private interrupted = 0;
  private running = false;

  constructor(
    functions: readonly FunctionDefinition[],
    private readonly host: FunctionHost,
    private readonly activity: ActivityLog,
  ) {
    for (const definition of functions) {
      if (definition.trigger.kind !== 'schedule') continue;
      parseScheduleExpression(definition.trigger.expression); // fail at start on an expression AWS would refuse
      this.schedules.set(definition.trigger.scheduleName, { target: definition.name, trigger: definition.trigger, nextFire: null });
    }
  }

  start(now = new Date()): void {
    this.running = true;
    for (const schedule of this.schedules.values()) this.arm(schedule, now);
  }

  /** Fires nothing more and starts no more retries; `stop` then waits for the runs under way. */
  halt(): void {
    this.running = false;
    this.stopping.abort();
    for (const schedule of this.schedules.values()) clearTimeout(schedule.timer);
  }

  /**
   * Halts, and waits up to `graceMs` for the runs under way. A run cut short (its retry not made) or still going
   * then is left unfinished, as a Lambda function is when its runtime goes away; a warning counts them, and
   * `/_local/schedules` can run one again.
   */
  async stop(graceMs: number): Promise<void> {
    this.halt();
    const running = await this.runs.settledWithin(graceMs);
    const unfinished = running + this.interrupted;
    if (unfinished > 0) console.warn(`${unfinished} schedule runs were left unfinished by the stop (${running} still running after ${graceMs / 1000} s); POST /_local/schedules/<name>/run runs one again.`);
  }

  list(): Array<{ scheduleName: string; expression: string; timeZone: string; target: string; nextFire: string | null }> {
    return [...this.schedules.entries()].map(([scheduleName, schedule]) => ({
      scheduleName,
      expression: schedule.trigger.expression,
      timeZone: schedule.trigger.timeZone,
      target: schedule.target,
      nextFire: this.running ? (schedule.nextFire?.toISOString() ?? null) : null,
    }));
  }

  has(scheduleName: string): boolean {
    return this.schedules.has(scheduleName);
  }

  /** Runs a schedule's target once, as of `time`, and waits for the outcome (no retries: a person is watching). */
  async runNow(scheduleName: string, time: Date): Promise<ScheduleRunRecord> {
    const schedule = this.schedules.get(scheduleName);
    if (!schedule) throw new Error(`No schedule named "${scheduleName}"`);
    return this.run(schedule, time, 'manual', 0);
  }

  private arm(schedule: LocalSchedule, after: Date): void {
    schedule.nextFire = nextFireTime(schedule.trigger.expression, after, { timeZone: schedule.trigger.timeZone });
    if (!schedule.nextFire || !this.running) return;
    const fireAt = schedule.nextFire;
    const wait = () => {
      const remaining = fireAt.getTime() - Date.now();
      if (remaining > 0) {
        schedule.timer = setTimeout(wait, Math.min(remaining, longestTimerMs));
        schedule.timer.unref();
        return;
      }
      // A run whose outcome cannot be written (a dead-letter file that cannot be written) is logged, not lost unseen.
      this.run(schedule, fireAt, 'clock', schedule.trigger.retryAttempts).catch((error: unknown) =>
        console.error(`[local-runtime] schedule ${schedule.trigger.scheduleName}, run as of ${fireAt.toISOString()}, failed: ${error instanceof Error ? error.message : String(error)}`),
      );
      // Scheduler invokes each fire time on its own, asynchronously: a run still going does not hold back the
      // next, so the next fire is armed now. Nor does it replay a backlog: of the fire times missed while this
      // process could not fire (a suspended laptop, a blocked event loop), only the one this timer was armed
      // for runs, late and as of its own time, as an invocation delayed within its maximum event age would;
      // the rest are skipped.
      this.arm(schedule, new Date(Math.max(fireAt.getTime(), Date.now())));
    };
    wait();
  }

  /** Runs a schedule's target as of `time`, kept in `runs` until it has finished. */
  private run(schedule: LocalSchedule, time: Date, trigger: ScheduleRunRecord['trigger'], retryAttempts: number): Promise<ScheduleRunRecord> {
    return this.runs.track(this.deliver(schedule, time, trigger, retryAttempts));
  }

  private async deliver(schedule: LocalSchedule, time: Date, trigger: ScheduleRunRecord['trigger'], retryAttempts: number): Promise<ScheduleRunRecord> {
    const scheduleName = schedule.trigger.scheduleName;
    const input: ScheduledInvocation = { scheduleName, time: time.toISOString() };
    const record = this.activity.add(this.activity.scheduleRuns, { scheduleName, target: schedule.target, time: input.time, trigger, outcome: { status: 'pending', attempts: 0 } });
    const ending = await deliverWithRetries(
      async () => (record.result = await this.host.invoke(schedule.target, input, 'delivery', this.stopping.signal)),
      { retryAttempts, maxEventAgeSeconds: schedule.trigger.maxEventAgeSeconds, baseDelayMs: 1000 },
      record.outcome,
      {
        onDeadLetter: (error) => this.activity.deadLetter({ at: new Date().toISOString(), origin: `schedule ${scheduleName}`, target: schedule.target, error, payload: input }),
        // The maximum event age counts from the time the run is for, as Scheduler counts it from the scheduled time.
        eventTime: time.getTime(),
        stopping: this.stopping.signal,
      },
    );
    if (ending === 'interrupted') this.interrupted += 1;
    return record;
  }
}

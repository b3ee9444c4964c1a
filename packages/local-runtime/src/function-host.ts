import { AsyncLocalStorage } from 'node:async_hooks';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { functionLimits, type FunctionDefinition } from '@leadflow/manifest';
import { ConcurrencyLimit } from './concurrency-limit';
import { provideInvocationStore, runInvocation } from './invocation-store';
import { lambdaContext } from './lambda-context';

/**
 * The function whose invocation the current code runs in (undefined outside any): the benchmark's
 * request counter uses it to attribute each DynamoDB request to the function that made it.
 */
export const currentInvocation = new AsyncLocalStorage<string>();

export type LambdaHandler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

/**
 * Who asks for an invocation. A `delivery` (stream batch, bus event, schedule) carries work already
 * accepted; a `request` (HTTP) brings new work.
 */
export type InvocationOrigin = 'delivery' | 'request';

/**
 * Invokes manifest functions in this process through the very `handler` export Lambda runs, at most
 * `slots` at once. In AWS, capture and routing run in their own containers; here they share one event
 * loop and one DynamoDB Local, and whatever holds more calls in flight gets more of them. So a freed slot
 * goes to a waiting delivery before a waiting request: leads already accepted are routed and notified
 * before more are taken in, and notifications keep pace with capture in a burst (capture waits instead).
 *
 * For the same reason a delivery to a function off the speed-to-lead path (ROI and follow-up tracking,
 * team counters, outbound webhooks, schedules) waits while a function on it (`speedToLead` in the
 * manifest) runs, for at most `backgroundHoldMs`: it then runs anyway, so it is delayed, never starved.
 * The rep's message does not queue behind bookkeeping that AWS would run beside it on other machines.
 * Held deliveries go once the path has been idle for `pathGapMs`, which spans the few milliseconds
 * between one hop's end and the next hop's start (the relay reading what assignment just wrote).
 */
export class FunctionHost {
  private readonly handlers = new Map<string, LambdaHandler>();
  private readonly invocationListeners: Array<(name: string) => void> = [];
  private readonly slots: ConcurrencyLimit;
  private speedToLeadRunning = 0;
  /** Set while the path is idle but may go on: held deliveries are released when it fires. */
  private pathGapTimer?: NodeJS.Timeout;
  private readonly heldDeliveries = new Set<() => void>();

  constructor(
    private readonly definitions: readonly FunctionDefinition[],
    private readonly rootDir: string,
    slots = 8,
    private readonly backgroundHoldMs = 1000,
    private readonly pathGapMs = 50,
  ) {
    this.slots = new ConcurrencyLimit(slots);
  }

  /**
   * Imports every handler module; call after the environment the handlers read has been set. Each
   * invocation gets Lambda's per-invocation store, so overlapping ones keep their own log keys and metrics.
   */
  async load(): Promise<void> {
    provideInvocationStore(this.slots.limit);
    for (const definition of this.definitions) {
      const module = (await import(pathToFileURL(resolve(this.rootDir, definition.entry)).href)) as { handler?: LambdaHandler };
      if (typeof module.handler !== 'function') throw new Error(`${definition.entry} does not export a function named "handler"`);
      this.handlers.set(definition.name, module.handler);
    }
  }

  definition(name: string): FunctionDefinition {
    const definition = this.definitions.find((candidate) => candidate.name === name);
    if (!definition) throw new Error(`No function named "${name}" in the manifest`);
    return definition;
  }

  /**
   * Handlers must not call back into this host (an HTTP route of the runtime) while they hold a slot. Once
   * `stopping` aborts, an invocation still held or waiting for a slot does not run: it fails at once with
   * `StoppedBeforeAttemptError`.
   */
  async invoke(name: string, event: unknown, origin: InvocationOrigin = 'delivery', stopping?: AbortSignal): Promise<unknown> {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`Function "${name}" is not loaded`);
    const definition = this.definition(name);
    // Awaited only when held, so an invocation that is not takes its place in the slot queue at once.
    if (origin === 'delivery' && !definition.speedToLead && (this.speedToLeadRunning > 0 || this.pathGapTimer)) await this.holdWhileSpeedToLeadRuns(stopping);
    return this.slots.run(
      async () => {
        if (definition.speedToLead) {
          this.speedToLeadRunning += 1;
          clearTimeout(this.pathGapTimer);
          this.pathGapTimer = undefined;
        }
        try {
          const limits = functionLimits(definition);
          const context = lambdaContext(name, limits);
          const running = runInvocation(context.awsRequestId, () => currentInvocation.run(name, () => handler(event, context)));
          // Settles at the timeout whatever the handler does, so the slot is freed then, as Lambda frees a timed-out function's concurrency.
          return await withinTimeout(running, limits.timeoutSeconds, () => keepsRunningInBackground(name, context.awsRequestId, limits.timeoutSeconds, running));
        } finally {
          if (definition.speedToLead && --this.speedToLeadRunning === 0) this.pathGapTimer = setTimeout(() => this.releaseHeldDeliveries(), this.pathGapMs);
          for (const listener of this.invocationListeners) listener(name);
        }
      },
      origin === 'request' ? 'behind' : 'ahead',
      stopping,
    );
  }

  /** A stop ends the hold too: the slot queue then refuses the delivery. */
  private async holdWhileSpeedToLeadRuns(stopping: AbortSignal | undefined): Promise<void> {
    await new Promise<void>((resolve) => {
      const release = () => {
        clearTimeout(timer);
        stopping?.removeEventListener('abort', release);
        this.heldDeliveries.delete(release);
        resolve();
      };
      const timer = setTimeout(release, this.backgroundHoldMs);
      stopping?.addEventListener('abort', release, { once: true });
      this.heldDeliveries.add(release);
    });
  }

  private releaseHeldDeliveries(): void {
    this.pathGapTimer = undefined;
    for (const release of [...this.heldDeliveries]) release();
  }

  /** Calls `listener` after every invocation, whatever its outcome (stream pollers wake up on it). */
  onInvocationEnd(listener: (name: string) => void): void {
    this.invocationListeners.push(listener);
  }
}

/** Lambda's error for an invocation that outran its function's timeout: the bus, the stream poller and the scheduler retry it as any failure. */
export class InvocationTimeoutError extends Error {
  constructor(readonly timeoutSeconds: number) {
    super(`Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
    this.name = 'Sandbox.Timedout';
  }
}

/** Resolves as `running` does, or fails with `InvocationTimeoutError` once `timeoutSeconds` have passed first (then calls `onTimeout`). */
async function withinTimeout<T>(running: Promise<T> | T, timeoutSeconds: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, fail) => {
    timer = setTimeout(() => {
      onTimeout();
      fail(new InvocationTimeoutError(timeoutSeconds));
    }, timeoutSeconds * 1000);
  });
  try {
    return await Promise.race([running, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Lambda stops a function at its timeout; a promise cannot be stopped, so here the handler goes on in the
 * background and may still write after its invocation has failed (and been retried). Says so, and when it ends.
 */
function keepsRunningInBackground(name: string, requestId: string, timeoutSeconds: number, running: unknown): void {
  console.warn(
    `[local-runtime] ${name} (request ${requestId}) timed out after ${timeoutSeconds} s and failed, as in Lambda; Lambda would stop it, but locally its handler keeps running in the background, outside the function host's concurrency limit.`,
  );
  const startedLate = Date.now();
  void Promise.resolve(running).then(
    () => console.warn(`[local-runtime] ${name} (request ${requestId}), timed out earlier, finished in the background ${Date.now() - startedLate} ms after its timeout.`),
    (error: unknown) =>
      console.warn(
        `[local-runtime] ${name} (request ${requestId}), timed out earlier, failed in the background ${Date.now() - startedLate} ms after its timeout: ${error instanceof Error ? error.message : String(error)}`,
      ),
  );
}

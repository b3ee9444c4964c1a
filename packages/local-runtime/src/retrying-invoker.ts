import { StoppedBeforeAttemptError } from './concurrency-limit';
import { waitUnlessStopped } from './work-under-way';

/** The outcome of delivering one event to one target, as `/_local/events` shows it. */
export interface DeliveryOutcome {
  status: 'pending' | 'succeeded' | 'retrying' | 'dead-lettered';
  attempts: number;
  error?: string;
  finishedAt?: string;
}

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retryAttempts: number;
  maxEventAgeSeconds: number;
  /**
   * First retry delay; it doubles each time. AWS waits about a minute, then longer; locally the delays
   * are compressed so a failing target shows its fate in seconds.
   */
  baseDelayMs: number;
}

/** How a delivery ended: delivered or dead-lettered, or left undone because its runtime is stopping. */
export type DeliveryEnding = 'settled' | 'interrupted';

/**
 * Delivers asynchronously like EventBridge → Lambda: retry with backoff until the retries or the event's
 * maximum age run out, then dead-letter. `outcome` is updated in place so observers see progress. Once
 * `stopping` aborts, no attempt starts (a retry, or one still waiting for a slot, which `deliver` refuses with
 * `StoppedBeforeAttemptError`): the delivery ends `interrupted`, neither delivered nor dead-lettered.
 */
export async function deliverWithRetries(
  deliver: () => Promise<unknown>,
  policy: RetryPolicy,
  outcome: DeliveryOutcome,
  settings: { onDeadLetter: (error: string) => void; eventTime: number; stopping: AbortSignal },
): Promise<DeliveryEnding> {
  for (;;) {
    if (settings.stopping.aborted) return 'interrupted';
    outcome.attempts += 1;
    try {
      await deliver();
      outcome.status = 'succeeded';
      outcome.finishedAt = new Date().toISOString();
      return 'settled';
    } catch (error) {
      if (error instanceof StoppedBeforeAttemptError) {
        outcome.attempts -= 1;
        return 'interrupted';
      }
      outcome.error = error instanceof Error ? error.message : String(error);
      const delay = policy.baseDelayMs * 2 ** (outcome.attempts - 1);
      const tooOld = Date.now() + delay - settings.eventTime > policy.maxEventAgeSeconds * 1000;
      if (outcome.attempts > policy.retryAttempts || tooOld) {
        outcome.status = 'dead-lettered';
        outcome.finishedAt = new Date().toISOString();
        settings.onDeadLetter(outcome.error);
        return 'settled';
      }
      outcome.status = 'retrying';
      if (!(await waitUnlessStopped(delay, settings.stopping))) return 'interrupted';
    }
  }
}

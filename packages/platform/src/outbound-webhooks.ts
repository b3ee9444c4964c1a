import {
  afterWebhookAttempt,
  localStandInPathPrefix,
  newWebhookDelivery,
  replayedWebhookDelivery,
  webhookBody,
  webhookHeaders,
  webhookSecretRef,
  type Configuration,
  type WebhookDelivery,
  type WebhookDestination,
  type WebhookRuleInput,
} from '@leadflow/domain';
import { logger } from './logger';
import type { SecretStore } from './ports/secret-store';
import type { WebhookDeliveryStore, WebhookSender } from './ports/webhook-deliveries';
import { TimeBudget } from './time-budget';

/**
 * How long an attempt holds its claim on a delivery: longer than a run of the retry function can take
 * (its Lambda timeout), so a claim lapses only when its sender died, and the delivery is tried again.
 */
export const webhookAttemptLeaseMs = 5 * 60_000;
/** Deliveries a retry run reads from the index at a time, and how many it attempts at once. */
export const webhookRetryBatchSize = 50;
const concurrentAttempts = 10;
/** What an attempt needs besides its POST (the secret, the claim, the outcome's write), kept in hand before starting one. */
const attemptOverheadMs = 5_000;

export type WebhookDependencies = {
  config: Configuration;
  webhooks: WebhookDeliveryStore;
  webhookSender: WebhookSender;
  secrets: SecretStore;
  /** Resolves a local stand-in path (`/_local/stand-ins/crm`) against the runtime's own address. */
  publicBaseUrl: string | undefined;
  /** The wall clock: a signature's timestamp is when the request really leaves. */
  now: () => Date;
};

/** The enabled destination of that id, if the configuration has one. */
export function enabledWebhookDestination(config: Configuration, destinationId: string): WebhookDestination | undefined {
  return config.webhooks.destinations.find((destination) => destination.id === destinationId && destination.enabled);
}

/**
 * A lead event matched a destination's rule: stores its delivery (once per event and destination, so a
 * redelivered event is not sent again) under a claim, and makes the first attempt at once.
 */
export async function deliverWebhookEvent(input: WebhookRuleInput, deps: WebhookDependencies): Promise<WebhookDelivery | undefined> {
  const destination = enabledWebhookDestination(deps.config, input.destinationId);
  // A rule of a destination since removed or disabled (rules follow the deployed configuration).
  if (!destination) return undefined;
  const now = deps.now();
  const delivery = newWebhookDelivery(destination, webhookBody(input.event), now);
  const opened = await deps.webhooks.open({ ...delivery, nextAttemptAt: leaseFrom(now) });
  if (!opened) return undefined;
  return attempt(opened, destination, now, deps);
}

export interface WebhookRetryRun {
  delivered: number;
  retrying: number;
  deadLettered: number;
}

/**
 * The retry schedule: attempts every delivery due as of the run's `now`, reading batch after batch while
 * some are due, so a replay of many goes out in one run rather than a batch a minute. An attempt starts
 * only while `remainingMs()` (the invocation's time left before its timeout) holds the longest POST a
 * destination allows; what is left stays due for the next run. A delivery that cannot be attempted or
 * recorded (its secret or table unavailable) holds back none of the others, and fails the run at the end.
 */
export async function retryDueWebhookDeliveries(now: Date, deps: WebhookDependencies, remainingMs: () => number): Promise<WebhookRetryRun> {
  const run: WebhookRetryRun = { delivered: 0, retrying: 0, deadLettered: 0 };
  const failed: Array<{ delivery: string; error: unknown }> = [];
  const longestAttemptMs = Math.max(0, ...deps.config.webhooks.destinations.map((destination) => destination.timeoutSeconds * 1000)) + attemptOverheadMs;
  const budget = new TimeBudget(remainingMs, longestAttemptMs);
  // The index is eventually consistent: a delivery just attempted may be read again, and is skipped.
  const seen = new Set<string>();
  while (budget.hasTime()) {
    const due = (await deps.webhooks.due(now.toISOString(), webhookRetryBatchSize)).filter((delivery) => !seen.has(deliveryKey(delivery)));
    if (due.length === 0) break;
    for (const delivery of due) seen.add(deliveryKey(delivery));
    const queue = [...due];
    const worker = async () => {
      for (let next = queue.shift(); next && budget.hasTime(); next = queue.shift()) {
        try {
          const outcome = await retryDelivery(next, now, deps);
          if (outcome?.state === 'delivered') run.delivered += 1;
          else if (outcome?.state === 'dead') run.deadLettered += 1;
          else if (outcome) run.retrying += 1;
        } catch (error) {
          // Its claim lapses and a later run tries it again; the others in this run go on, and are recorded.
          logger.error('A webhook delivery could not be attempted or recorded; it is tried again once its claim lapses, and this run fails once the others are done', {
            destinationId: next.destinationId,
            eventId: next.eventId,
            error,
          });
          failed.push({ delivery: deliveryKey(next), error });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrentAttempts, due.length) }, worker));
  }
  if (failed.length > 0)
    throw new AggregateError(
      failed.map(({ error }) => error),
      `Webhook deliveries not attempted or recorded: ${failed.map(({ delivery, error }) => `${delivery} (${error instanceof Error ? error.message : String(error)})`).join('; ')}`,
    );
  return run;
}

/** Claims one due delivery and attempts it; undefined when another sender holds it. */
async function retryDelivery(due: WebhookDelivery, now: Date, deps: WebhookDependencies): Promise<WebhookDelivery | undefined> {
  const claimed = await deps.webhooks.claim(due, leaseFrom(now));
  if (!claimed) return undefined;
  const destination = enabledWebhookDestination(deps.config, claimed.destinationId);
  return destination ? attempt(claimed, destination, now, deps) : recordOutcome(claimed, withoutDestination(claimed, now), deps);
}

function deliveryKey(delivery: WebhookDelivery): string {
  return `${delivery.destinationId}/${delivery.eventId}`;
}

/**
 * Queues delivered or dead-lettered deliveries again (replay), due at once: each is retried as long as
 * a new one, and kept while pending. Returns the deliveries queued; one that changed state meanwhile, or one past
 * its expiry (`retention.webhookDeliveryDays` after it ended) that the table has not removed yet, is left alone.
 */
export async function replayWebhookDeliveries(selection: { destinationIds: readonly string[]; since?: string }, deps: Pick<WebhookDependencies, 'config' | 'webhooks'>, now: Date): Promise<WebhookDelivery[]> {
  const replayed: WebhookDelivery[] = [];
  for (const destinationId of selection.destinationIds) {
    const destination = enabledWebhookDestination(deps.config, destinationId);
    if (!destination) throw new Error(`No enabled webhook destination "${destinationId}"`);
    // Without --since every dead letter; with it, those created since then and what was delivered since then.
    const states = selection.since ? (['dead', 'delivered'] as const) : (['dead'] as const);
    for (const delivery of await deps.webhooks.list(destinationId, { states, since: selection.since })) {
      const again = replayedWebhookDelivery(delivery, destination, now);
      if (await deps.webhooks.requeue(again, delivery.state)) replayed.push(again);
    }
  }
  return replayed;
}

async function attempt(claimed: WebhookDelivery, destination: WebhookDestination, now: Date, deps: WebhookDependencies): Promise<WebhookDelivery> {
  const url = destinationUrl(destination, deps.publicBaseUrl);
  const result =
    url === undefined
      ? { ok: false as const, status: 0, error: `${destination.url} is a local stand-in path, and this installation has no base URL to resolve it against` }
      : await deps.webhookSender.post(url, claimed.body, webhookHeaders(claimed, await deps.secrets.get(webhookSecretRef(destination)), deps.now()), destination.timeoutSeconds * 1000);
  return recordOutcome(claimed, afterWebhookAttempt(claimed, result, now), deps);
}

async function recordOutcome(claimed: WebhookDelivery, outcome: WebhookDelivery, deps: Pick<WebhookDependencies, 'webhooks'>): Promise<WebhookDelivery> {
  if (!claimed.nextAttemptAt) throw new Error(`Delivery ${claimed.destinationId}/${claimed.eventId} was attempted without a claim`);
  // A lost claim (this attempt outlived its lease and another sender took over) leaves the other's outcome standing.
  await deps.webhooks.record(outcome, claimed.nextAttemptAt);
  return outcome;
}

/** A pending delivery whose destination was removed or disabled since: dead-lettered, so a replay can send it once it is back. */
function withoutDestination(claimed: WebhookDelivery, now: Date): WebhookDelivery {
  const { nextAttemptAt: _next, ...rest } = claimed;
  return { ...rest, state: 'dead', deadLetteredAt: now.toISOString(), lastError: `destination "${claimed.destinationId}" is no longer configured, or is disabled` };
}

function destinationUrl(destination: WebhookDestination, publicBaseUrl: string | undefined): URL | undefined {
  if (!destination.url.startsWith(localStandInPathPrefix)) return new URL(destination.url);
  return publicBaseUrl ? new URL(destination.url, publicBaseUrl) : undefined;
}

function leaseFrom(now: Date): string {
  return new Date(now.getTime() + webhookAttemptLeaseMs).toISOString();
}

import {
  afterFailedFeedback,
  feedbackBatchLimits,
  feedbackRefusal,
  googleIngestBody,
  metaConversionsBody,
  plannedConversionFeedback,
  secretRefs,
  type Configuration,
  type ConversionFeedback,
  type FeedbackStage,
} from '@leadflow/domain';
import { logger } from './logger';
import type { LeadStore } from './ports/lead-store';
import type { ConversionFeedbackQueue, ConversionFeedbackSender, FeedbackSendResult } from './ports/conversion-feedback';
import type { SecretStore } from './ports/secret-store';
import { TimeBudget } from './time-budget';

/** Queues a lead's new stage for every enabled platform it came from; what was queued before is skipped. */
export async function queueConversionFeedback(
  event: { leadId: string; stage: FeedbackStage; occurredAt: string },
  deps: { config: Configuration; leads: Pick<LeadStore, 'getLead'>; feedback: ConversionFeedbackQueue },
): Promise<number> {
  const { platformFeedback } = deps.config.channelRoi;
  if (!platformFeedback.meta?.enabled && !platformFeedback.google?.enabled) return 0;
  const lead = await deps.leads.getLead(event.leadId);
  if (!lead) return 0;
  let queued = 0;
  for (const item of plannedConversionFeedback(lead, event.stage, event.occurredAt, platformFeedback)) if (await deps.feedback.enqueue(item)) queued += 1;
  return queued;
}

export interface FeedbackRun {
  sent: number;
  retrying: number;
  deadLettered: number;
  /** Due conversions not sent because the invocation's time ran low: they stay due for the next run (absent when none). */
  left?: number;
}

type SendDependencies = { config: Configuration; feedback: ConversionFeedbackQueue; feedbackSender: ConversionFeedbackSender; secrets: SecretStore };

/**
 * Time a send needs before it starts: the longest request (`HttpConversionFeedbackSender` gives Google 5 s, Meta
 * 1.5 s) and the writes that record a batch of up to 2,000 after it, so a run never dies between a platform
 * taking a batch and the batch being marked sent (which would send it again).
 */
const sendReserveMs = 15_000;

/**
 * Sends every due conversion of each enabled platform in batches (Meta ≤1,000 events, Google ≤2,000 per
 * conversion action). A batch of several refused as invalid is sent again one by one, so one invalid event
 * (which fails Meta's whole request) cannot hold the others back; other failures, a refused access token
 * among them, wait and retry, then are dead-lettered. A send starts only while `remainingMs()` (the
 * invocation's time left before its timeout) holds `sendReserveMs`: what is left stays due for the next run,
 * so a run of one-by-one sends ends before the next minute's run starts on the same conversions.
 */
export async function sendDueConversionFeedback(now: Date, deps: SendDependencies, remainingMs: () => number): Promise<FeedbackRun> {
  const run: FeedbackRun = { sent: 0, retrying: 0, deadLettered: 0 };
  const budget = new TimeBudget(remainingMs, sendReserveMs);
  const { meta, google } = deps.config.channelRoi.platformFeedback;
  if (meta?.enabled) {
    const token = (await deps.secrets.get(secretRefs.metaConversionsAccessToken)).current;
    const due = await deps.feedback.due('meta', now.toISOString(), feedbackBatchLimits.meta);
    await deliver(due, (batch) => deps.feedbackSender.meta(metaConversionsBody(batch, meta, token), meta.datasetId, meta.apiVersion), { now, deps, run, budget });
  }
  if (google?.enabled) {
    const token = (await deps.secrets.get(secretRefs.googleDataManagerAccessToken)).current;
    const due = await deps.feedback.due('google', now.toISOString(), feedbackBatchLimits.google);
    for (const stage of ['qualified', 'converted'] as const) {
      await deliver(
        due.filter((item) => item.stage === stage),
        (batch) => deps.feedbackSender.google(googleIngestBody(batch, google, stage), token),
        { now, deps, run, budget },
      );
    }
  }
  return run;
}

interface Delivery {
  now: Date;
  deps: SendDependencies;
  run: FeedbackRun;
  budget: TimeBudget;
}

async function deliver(batch: readonly ConversionFeedback[], send: (batch: readonly ConversionFeedback[]) => Promise<FeedbackSendResult>, delivery: Delivery): Promise<void> {
  const { now, deps, run } = delivery;
  if (!batch.length) return;
  if (!delivery.budget.hasTime()) {
    run.left = (run.left ?? 0) + batch.length;
    return;
  }
  const result = await send(batch);
  if (result.ok) {
    await deps.feedback.markSent(batch, now.toISOString());
    run.sent += batch.length;
    return;
  }
  const refusal = feedbackRefusal(batch[0].platform, result);
  if (refusal === 'invalid' && batch.length > 1) {
    for (const item of batch) await deliver([item], send, delivery);
    return;
  }
  // Every send fails until someone renews the token: say so, rather than only count retries.
  if (refusal === 'authentication') {
    logger.error('An ad platform refused the access token; its conversions wait and retry', { platform: batch[0].platform, status: result.status, error: result.error, conversions: batch.length });
  }
  for (const item of batch) {
    const next = afterFailedFeedback(item, { error: result.error, refusal }, now);
    if ('retry' in next) {
      await deps.feedback.reschedule(next.retry);
      run.retrying += 1;
    } else {
      await deps.feedback.deadLetter(next.deadLetter, now.toISOString());
      run.deadLettered += 1;
    }
  }
}

import type { ConversionFeedback, FeedbackPlatform } from '@leadflow/domain';

/**
 * Conversions waiting to be reported to an ad platform, and those sent or given up on. Every
 * conversion is queued once (`feedbackId`): a redelivered event neither queues nor sends it again.
 */
export interface ConversionFeedbackQueue {
  /** `false` when this conversion was queued, sent or dead-lettered before. */
  enqueue(item: ConversionFeedback): Promise<boolean>;
  /** Up to `limit` conversions of the platform due by `now`, oldest due first. */
  due(platform: FeedbackPlatform, now: string, limit: number): Promise<ConversionFeedback[]>;
  markSent(items: readonly ConversionFeedback[], sentAt: string): Promise<void>;
  reschedule(item: ConversionFeedback): Promise<void>;
  deadLetter(item: ConversionFeedback, at: string): Promise<void>;
}

/**
 * What a platform answered to one request: accepted, or refused with the HTTP status (0: no answer), the
 * error to keep and the answer's body, from which `feedbackRefusal` tells a bad token from a bad event.
 */
export type FeedbackSendResult = { ok: true } | { ok: false; status: number; error: string; body?: string };

/** The platforms' conversion endpoints: Meta's Conversions API and Google's Data Manager API. */
export interface ConversionFeedbackSender {
  meta(body: string, datasetId: string, apiVersion: string): Promise<FeedbackSendResult>;
  google(body: Record<string, unknown>, accessToken: string): Promise<FeedbackSendResult>;
}

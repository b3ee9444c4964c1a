import type { ConversionFeedback, FeedbackPlatform } from '@leadflow/domain';

/** A conversion as the queue holds it: waiting, sent or given up on, with when. */
export type QueuedConversionFeedback = ConversionFeedback & ({ state: 'pending' } | { state: 'sent'; sentAt: string } | { state: 'dead'; deadLetteredAt: string });

/**
 * Conversions waiting to be reported to an ad platform, and those sent or given up on. Every
 * conversion is queued once (`feedbackId`): a redelivered event neither queues nor sends it again.
 * The lead store's erasure deletes a lead's conversions, whatever their state; a conversion that was
 * already being sent when its lead was erased is not written back (`markSent`, `reschedule` and
 * `deadLetter` leave alone what is no longer pending).
 */
export interface ConversionFeedbackQueue {
  /** `false` when this conversion was queued, sent or dead-lettered before, or its lead is gone or `invalid` (erased) by now. */
  enqueue(item: ConversionFeedback): Promise<boolean>;
  /** Up to `limit` conversions of the platform due by `now`, oldest due first. */
  due(platform: FeedbackPlatform, now: string, limit: number): Promise<ConversionFeedback[]>;
  markSent(items: readonly ConversionFeedback[], sentAt: string): Promise<void>;
  reschedule(item: ConversionFeedback): Promise<void>;
  deadLetter(item: ConversionFeedback, at: string): Promise<void>;
  /** Every conversion of the lead the queue holds, in any state (for a data-subject export), by platform, then stage. */
  feedbackFor(leadId: string): Promise<QueuedConversionFeedback[]>;
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

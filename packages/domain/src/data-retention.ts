import './zod-locale';
import * as z from 'zod/mini';
import type { Lead } from './lead';

const days = z.number().check(z.int(), z.positive(), z.maximum(3650));

/**
 * How long data that is no longer worked is kept before the table's TTL removes it, in days: test,
 * quarantined and invalid leads (counted from capture, or from when the lead became invalid) with their
 * person keys and consent ledger, the raw platform deliveries of resolved intake records, rep notification
 * records, the conversions queued for the ad platforms (counted from when the stage was reached), and
 * outbound webhook deliveries once delivered or dead (counted from then; a pending one is kept), and outbox
 * items set aside as unpublishable (counted from their event's time).
 * Leads that can still be worked, and their consent ledger, never expire.
 */
export const retentionSchema = z.strictObject({
  testLeadDays: z._default(days, 30),
  quarantinedLeadDays: z._default(days, 30),
  invalidLeadDays: z._default(days, 365),
  intakePayloadDays: z._default(days, 30),
  notificationDays: z._default(days, 90),
  /** 90 days, Google Ads' longest click-through conversion window (Meta takes events up to 7 days old): no platform takes the conversion after that. */
  conversionFeedbackDays: z._default(days, 90),
  /** How long a delivered webhook delivery stays in the log, and how long operators have to replay a dead one. */
  webhookDeliveryDays: z._default(days, 30),
  /** How long an outbox item set aside as unpublishable (never published) is kept for an operator, counted from its event's time. */
  unpublishableEventDays: z._default(days, 30),
});
export type Retention = z.infer<typeof retentionSchema>;

export const defaultRetention: Retention = retentionSchema.parse({});

/** The epoch second `days` after `at`: the form DynamoDB's TTL attribute takes. */
export function expiresAfterDays(at: string, days: number): number {
  return Math.floor(Date.parse(at) / 1000) + days * 24 * 3600;
}

/** The earlier of two expiries (`undefined`: kept): what must outlive neither of two items expires with the first to go. */
export function earlierExpiry(first: number | undefined, second: number | undefined): number | undefined {
  if (first === undefined) return second;
  return second === undefined ? first : Math.min(first, second);
}

/**
 * When the table may remove a lead, or `undefined` while it must be kept: a test lead some days after
 * capture, a quarantined one after review time, an invalid one some days after it became invalid. A lead
 * reactivated from `invalid` loses its expiry again.
 */
export function leadExpiresAt(lead: Pick<Lead, 'isTest' | 'status' | 'capturedAt' | 'history'>, retention: Retention): number | undefined {
  if (lead.isTest) return expiresAfterDays(lead.capturedAt, retention.testLeadDays);
  if (lead.status === 'quarantined') return expiresAfterDays(lead.capturedAt, retention.quarantinedLeadDays);
  if (lead.status === 'invalid') return expiresAfterDays(becameInvalidAt(lead), retention.invalidLeadDays);
  return undefined;
}

/**
 * Whether a lead's retention has ended by `at`: it is as good as deleted, though DynamoDB's TTL removes it only
 * some time later (typically within two days). Capture treats its keys as free; it is not reactivated.
 */
export function retentionEnded(lead: Pick<Lead, 'isTest' | 'status' | 'capturedAt' | 'history'>, retention: Retention, at: string): boolean {
  const expiresAt = leadExpiresAt(lead, retention);
  return expiresAt !== undefined && expiresAt <= expiresAfterDays(at, 0);
}

/**
 * When an invalid lead became invalid: its latest `invalidated` or `erased` entry, else its capture (it was
 * captured invalid). Read from the timeline, not `updatedAt`, so a later change (a tag) does not put its deletion off.
 */
function becameInvalidAt(lead: Pick<Lead, 'capturedAt' | 'history'>): string {
  // An erased lead is invalid for good from its first erasure: erasing it again (what an earlier version left) does not restart its retention.
  const firstErasure = lead.history.findIndex((entry) => entry.action === 'erased');
  const until = firstErasure === -1 ? lead.history : lead.history.slice(0, firstErasure + 1);
  return until.findLast((entry) => entry.action === 'invalidated' || entry.action === 'erased')?.at ?? lead.capturedAt;
}

import { feedbackIdsOfLead, feedbackPlatforms } from '@leadflow/domain';

/** Key layout of the single `leads` table, in one place. */
export const leadsTableKeys = {
  lead: (leadId: string) => ({ pk: `LEAD#${leadId}`, sk: 'LEAD' }),
  outbox: (eventId: string) => ({ pk: `OUTBOX#${eventId}`, sk: 'OUTBOX' }),
  routeTurn: (counterId: string) => ({ pk: `ROUTE#${counterId}`, sk: 'TURN' }),
  repLoad: (repId: string) => ({ pk: `REP#${repId}`, sk: 'LOAD' }),
  /** A rep's claims from one pool on one local day, for the pool's daily claim limit. */
  repDailyClaims: (repId: string, poolId: string, day: string) => ({ pk: `REP#${repId}`, sk: `CLAIMS#${poolId}#${day}` }),
  repOutOfOffice: (repId: string) => ({ pk: `REP#${repId}`, sk: 'OUT_OF_OFFICE' }),
  notification: (notificationId: string) => ({ pk: `NOTIFICATION#${notificationId}`, sk: 'NOTIFICATION' }),
  /** One notification about a lead to someone other than its rep's own (reminders, escalations, pool managers' alerts): its claim, then its record. */
  leadNotification: (leadId: string, notificationId: string) => ({ pk: leadNotificationPartition(leadId), sk: notificationId }),
  /** One rep notification per lead, reason and channel (its exactly-once claim). */
  send: (key: { leadId: string; repId: string; reason: string; channel: string }) => ({ pk: sendPartition(key.leadId), sk: `${key.repId}#${key.reason}#${key.channel}` }),
  /** SMS sent on one local day, organisation-wide and per rep, against the daily budgets. */
  organisationSmsBudget: (day: string) => ({ pk: 'SMS_BUDGET#organisation', sk: `SMS#${day}` }),
  repSmsBudget: (repId: string, day: string) => ({ pk: `REP#${repId}`, sk: `SMS#${day}` }),
  repPhone: (repId: string) => ({ pk: `REP#${repId}`, sk: 'PHONE' }),
  /** One consent change of a lead, in time order (see `ConsentLedgerEntry`). */
  consent: (entry: { leadId: string; at: string; purpose: string; action: string }) => ({ pk: consentLedgerPartition(entry.leadId), sk: `${entry.at}#${entry.purpose}#${entry.action}` }),
  dedup: (key: string) => ({ pk: `DEDUP#${key}`, sk: 'DEDUP' }),
  idempotency: (key: string) => ({ pk: `IDEMPOTENCY#${key}`, sk: 'IDEMPOTENCY' }),
  /** A team's digest counters for one local day: `teamDay`'s sort key is the prefix of the day's per-rep items, and the whole item counts went to before 2026-12-03. */
  teamDay: (teamId: string, day: string) => ({ pk: `TEAM#${teamId}`, sk: `DAY#${day}` }),
  /** One rep's counters of a team's local day: one attribute per metric (`new#rep-ava`). */
  teamRepDay: (teamId: string, day: string, repId: string) => ({ pk: `TEAM#${teamId}`, sk: `DAY#${day}#${repId}` }),
  /** Marks an event as counted in the team counters, so a redelivery is not counted twice. */
  countedEvent: (eventId: string) => ({ pk: `COUNTED#${eventId}`, sk: 'COUNTED' }),
  /** Channel ROI: a day's spend per channel, each lead's facts under its capture day, changed days, rollup versions. */
  spend: (day: string, channel: string) => ({ pk: `SPEND#${day}`, sk: `CHANNEL#${channel}` }),
  roiFacts: (day: string, leadId: string) => ({ pk: `ROIDAY#${day}`, sk: `LEAD#${leadId}` }),
  /** A day's changed mark in one partition of `roiChangedPartition` (a shard, or the bare prefix older marks carry). */
  roiChangedDay: (partition: string, day: string) => ({ pk: partition, sk: day }),
  rollupVersion: (day: string, versionKey: string) => ({ pk: `ROLLUP#${day}`, sk: versionKey }),
  /** Which follow-up rules the owned leads are filed under, and a re-filing under way (`FollowUpRefileState`). */
  followUpRefile: () => ({ pk: 'FOLLOWUP', sk: 'REFILE' }),
  /** The channel priors the nightly rollup measured, which scoring uses in `apply` mode. */
  measuredPriors: () => ({ pk: 'SCORING', sk: 'MEASURED_CHANNEL_PRIORS' }),
  /** A conversion reported (or to report) to an ad platform, by its state. */
  conversionFeedback: (state: 'PENDING' | 'SENT' | 'DEAD', platform: string, feedbackId: string) => ({ pk: `FEEDBACK#${state}#${platform}`, sk: feedbackId }),
  /** One lead event's delivery to one outbound webhook destination; a destination's partition is its delivery log. */
  webhookDelivery: (destinationId: string, eventId: string) => ({ pk: `WEBHOOK#${destinationId}`, sk: `DELIVERY#${eventId}` }),
  /** A delivery dedup key the lead holds (a platform lead id, an import row), found from the lead to follow its retention. */
  deliveryKeyReference: (leadId: string, key: string) => ({ pk: leadReferencesPartition(leadId), sk: `DEDUP#${key}` }),
  /** A webhook delivery whose body holds what the lead's person answered, found from the lead by an erasure. */
  webhookDeliveryReference: (leadId: string, destinationId: string, eventId: string) => ({ pk: leadReferencesPartition(leadId), sk: `WEBHOOK#${destinationId}#${eventId}` }),
};

/**
 * The partition of one lead's references to items keyed by something else (`deliveryKeyReference`,
 * `webhookDeliveryReference`): each reference holds the `target` item's key, so the lead store reaches
 * them with one consistent query, without an index or a read of shared partitions.
 */
export const leadReferencesPartition = (leadId: string) => `LEADREFS#${leadId}`;

/**
 * Every key a lead's queued conversions can have: each state, platform and stage (`feedbackIdsOfLead`),
 * 18 in all. A conversion's id is its lead's id and stage, so an erasure or an export finds a lead's
 * conversions by key, with no index and no read of the shared per-platform partitions.
 */
export function conversionFeedbackKeysOfLead(leadId: string): Array<{ pk: string; sk: string }> {
  return (['PENDING', 'SENT', 'DEAD'] as const).flatMap((state) => feedbackPlatforms.flatMap((platform) => feedbackIdsOfLead(leadId).map((feedbackId) => leadsTableKeys.conversionFeedback(state, platform, feedbackId))));
}

/**
 * The key of the last day a nightly rollup closed, from which the next one rolls up the days no run closed. Not in
 * `leadsTableKeys`, which every function reading the table carries whole: only the channel-ROI store needs it.
 */
export const lastClosedRollupDayKey = () => ({ pk: 'ROLLUP', sk: 'LAST_CLOSED_DAY' });

/**
 * The partition prefix of channel ROI's changed-day marks: each write marks its day under `ROICHANGED#<shard>`
 * (see `shardedPartition`, by the lead's id, or the day's for spend), since every lead event writes one and
 * one partition takes about 1,000 writes a second; the rollup reads every shard and the bare `ROICHANGED`,
 * where every mark went before 2026-12-03.
 */
export const roiChangedPartition = 'ROICHANGED';

/** The partition of the sparse `pool-waiting-by-capture` index, carried by a lead only while it waits unowned in the pool. */
export const poolWaitingPartition = (poolId: string) => `POOL#${poolId}`;

/**
 * The partition prefix of the sparse `outbox-by-time` index: an outbox item carries `unpublished#<shard>`
 * (see `shardedPartition`) only until its event is published.
 */
export const unpublishedOutboxPartition = 'unpublished';

/**
 * The partition prefix of the sparse `follow-up-due-by-time` index: a lead carries
 * `followUpDuePartition` (`follow-up-due#<shard>`) and `followUpDueAt` only while a follow-up rule
 * (reminder, breach, recycle warning, recycle) must look at it, at that time.
 */
export const followUpDuePartition = 'follow-up-due';

/**
 * The partition prefix of the sparse `offer-expiry-by-time` index: a lead carries `offerExpiryPartition`
 * (`offer-open#<shard>`) and `offerExpiresAt` only while an offer made to several reps is open, so the
 * expiry schedule reads just the offers that ran out.
 */
export const openOfferPartition = 'offer-open';

/**
 * The partition prefix of the sparse `nurture-due-by-time` index: a lead carries `nurtureDuePartition`
 * (`nurture-due#<shard>`) and `nurtureDueAt` only while it waits unowned in its pool with a nurture step
 * ahead, keyed by when that step is due, so the sender reads just the due leads.
 */
export const nurtureDuePartition = 'nurture-due';

/** The partition holding one lead's consent ledger. */
export const consentLedgerPartition = (leadId: string) => `CONSENT#${leadId}`;

/**
 * The partition prefix of the sparse `webhook-deliveries-by-due-time` index: a delivery carries
 * `webhookDuePartition` (`webhook-due#<shard>`) and `webhookDueAt` only while it is pending.
 */
export const webhookDuePartition = 'webhook-due';
/** The partition holding the send records of one lead's rep notifications. */
export const sendPartition = (leadId: string) => `SEND#${leadId}`;
/** The partition holding the notification log of one lead (`leadsTableKeys.leadNotification`). */
export const leadNotificationPartition = (leadId: string) => `NOTIFIED#${leadId}`;

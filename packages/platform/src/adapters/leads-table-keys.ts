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
  dedup: (key: string) => ({ pk: `DEDUP#${key}`, sk: 'DEDUP' }),
  idempotency: (key: string) => ({ pk: `IDEMPOTENCY#${key}`, sk: 'IDEMPOTENCY' }),
  /** Channel ROI: a day's spend per channel, each lead's facts under its capture day, changed days, rollup versions. */
  spend: (day: string, channel: string) => ({ pk: `SPEND#${day}`, sk: `CHANNEL#${channel}` }),
  roiFacts: (day: string, leadId: string) => ({ pk: `ROIDAY#${day}`, sk: `LEAD#${leadId}` }),
  roiChangedDay: (day: string) => ({ pk: 'ROICHANGED', sk: day }),
  rollupVersion: (day: string, versionKey: string) => ({ pk: `ROLLUP#${day}`, sk: versionKey }),
  /** A conversion reported (or to report) to an ad platform, by its state. */
  conversionFeedback: (state: 'PENDING' | 'SENT' | 'DEAD', platform: string, feedbackId: string) => ({ pk: `FEEDBACK#${state}#${platform}`, sk: feedbackId }),
};

/** The partition of the sparse `pool-waiting-by-capture` index, carried by a lead only while it waits unowned in the pool. */
export const poolWaitingPartition = (poolId: string) => `POOL#${poolId}`;

/**
 * The partition prefix of the sparse `outbox-by-time` index: an outbox item carries `unpublished#<shard>`
 * (see `shardedPartition`) only until its event is published.
 */
export const unpublishedOutboxPartition = 'unpublished';

import type { TableDefinition, TableName } from './types';

/**
 * The tables, read by the CDK app and by the local runtime alike.
 * `leads` is a single table: leads, their transactional outbox, and routing counters share it so
 * one transaction can write a lead together with the event that announces it.
 */
export const tables: Record<TableName, TableDefinition> = {
  leads: {
    name: 'leads',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    timeToLiveAttribute: 'expiresAt',
    stream: 'NEW_IMAGE',
    globalSecondaryIndexes: [
      // Sparse: only outbox items not yet published carry `outboxPartition` (`unpublished#<shard>`), so the sweeper reads just those; items set aside as unpublishable carry `set-aside`, for an erasure.
      { indexName: 'outbox-by-time', partitionKey: { name: 'outboxPartition', type: 'S' }, sortKey: { name: 'createdAt', type: 'S' } },
      // Sparse: only platform deliveries still waiting to be read back carry `pendingFetchPartition`.
      { indexName: 'pending-fetch-by-due-time', partitionKey: { name: 'pendingFetchPartition', type: 'S' }, sortKey: { name: 'nextAttemptAt', type: 'S' } },
      // Sparse: only leads waiting unowned in a pool carry `poolWaiting` (`POOL#<poolId>`), so a pool's listing reads just those.
      { indexName: 'pool-waiting-by-capture', partitionKey: { name: 'poolWaiting', type: 'S' }, sortKey: { name: 'capturedAt', type: 'S' } },
      // Only owned leads carry `ownerAgenda` (next step, then temperature and grade): a rep's list reads just their leads, in the order to work them.
      { indexName: 'owner-agenda', partitionKey: { name: 'ownerId', type: 'S' }, sortKey: { name: 'ownerAgenda', type: 'S' } },
      // Sparse: only leads a follow-up rule must look at carry `followUpDuePartition` (sharded), keyed by when, so the job reads what is due.
      { indexName: 'follow-up-due-by-time', partitionKey: { name: 'followUpDuePartition', type: 'S' }, sortKey: { name: 'followUpDueAt', type: 'S' } },
      // Sparse: only leads with an open offer to several reps carry `offerExpiryPartition` (sharded), keyed by its expiry, so the expiry schedule reads what ran out.
      { indexName: 'offer-expiry-by-time', partitionKey: { name: 'offerExpiryPartition', type: 'S' }, sortKey: { name: 'offerExpiresAt', type: 'S' } },
      // Sparse: only waiting leads with a nurture step ahead carry `nurtureDuePartition` (sharded), keyed by when it is due, so the sender reads what is due.
      { indexName: 'nurture-due-by-time', partitionKey: { name: 'nurtureDuePartition', type: 'S' }, sortKey: { name: 'nurtureDueAt', type: 'S' } },
      // Sparse: only rep notifications not yet confirmed carry `sendQueue` (`deferred#<shard>` or `pending#<shard>`), so the send sweep reads just those.
      { indexName: 'open-sends-by-time', partitionKey: { name: 'sendQueue', type: 'S' }, sortKey: { name: 'queuedAt', type: 'S' } },
      // Sparse: only outbound webhook deliveries still to attempt carry `webhookDuePartition` (sharded), keyed by their next attempt.
      { indexName: 'webhook-deliveries-by-due-time', partitionKey: { name: 'webhookDuePartition', type: 'S' }, sortKey: { name: 'webhookDueAt', type: 'S' } },
    ],
  },
};

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, paginateQuery, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { teamDigestMetrics, type PoolBacklog, type TeamActivityCount, type TeamDayCounts, type TeamDigestMetric } from '@leadflow/domain';
import type { TeamActivityStore } from '../ports/follow-ups';
import { notificationClaimLeaseMs } from '../ports/notifications';
import { leadsTableKeys, poolWaitingPartition } from './leads-table-keys';
import { failedConditions } from './dynamodb-writes';

/** Counters and markers outlive the digest that reads them by a few weeks, then DynamoDB's TTL removes them. */
const keepSeconds = 35 * 24 * 3600;

/**
 * The digest's counters: one item per team, local day and rep, one numeric attribute per metric and rep
 * (`new#rep-ava`), each event counted once (a marker item per event id, written in the same transaction).
 * Per rep, not per team: one item takes about 1,000 writes a second, and concurrent transactions on one
 * item cancel each other, so a team's day on one item would throttle the counting of a busy team's leads.
 */
export class DynamoDbTeamActivityStore implements TeamActivityStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async count(eventId: string, count: TeamActivityCount): Promise<'counted' | 'already_counted'> {
    const expiresAt = Math.floor(Date.parse(`${count.day}T00:00:00Z`) / 1000) + keepSeconds;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: { ...leadsTableKeys.countedEvent(eventId), entity: 'counted-event', expiresAt }, ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Update: {
                TableName: this.tableName,
                Key: leadsTableKeys.teamRepDay(count.teamId, count.day, count.repId),
                UpdateExpression: 'ADD #counter :one SET entity = :entity, teamId = :teamId, #day = :day, expiresAt = :expiresAt',
                ExpressionAttributeNames: { '#counter': `${count.metric}#${count.repId}`, '#day': 'day' },
                ExpressionAttributeValues: { ':one': 1, ':entity': 'team-day', ':teamId': count.teamId, ':day': count.day, ':expiresAt': expiresAt },
              },
            },
          ],
        }),
      );
      return 'counted';
    } catch (error) {
      if (failedConditions(error)?.[0]) return 'already_counted';
      throw error;
    }
  }

  /** Sums the day's rep items and the whole-team item that counts written before 2026-12-03 went to. */
  async readDay(teamId: string, day: string): Promise<TeamDayCounts> {
    const { pk, sk } = leadsTableKeys.teamDay(teamId, day);
    const counts: TeamDayCounts = new Map();
    const pages = paginateQuery(
      { client: this.client },
      { TableName: this.tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :day)', ExpressionAttributeValues: { ':pk': pk, ':day': sk }, ConsistentRead: true },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        for (const [attribute, value] of Object.entries(item)) {
          const [metric, repId] = attribute.split('#');
          if (!repId || !teamDigestMetrics.includes(metric as TeamDigestMetric)) continue;
          const repCounts = counts.get(repId) ?? {};
          counts.set(repId, { ...repCounts, [metric]: (repCounts[metric as TeamDigestMetric] ?? 0) + Number(value) });
        }
      }
    }
    return counts;
  }

  /** Reads only the pool's waiting leads: a count over its sparse index and the first (oldest) entry. */
  async poolBacklog(poolId: string): Promise<Omit<PoolBacklog, 'name'>> {
    const query = { TableName: this.tableName, IndexName: 'pool-waiting-by-capture', KeyConditionExpression: 'poolWaiting = :waiting', ExpressionAttributeValues: { ':waiting': poolWaitingPartition(poolId) } };
    let waiting = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(new QueryCommand({ ...query, Select: 'COUNT', ExclusiveStartKey: startKey }));
      waiting += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const { Items } = await this.client.send(new QueryCommand({ ...query, Limit: 1 }));
    return { poolId, waiting, oldestCapturedAt: Items?.[0] ? String(Items[0].capturedAt) : undefined };
  }

  /** Sent when its entry carries no `status`; `undeliverable` when so marked; a claim is `pending`, a claim given back `released`. */
  async digestOutcome(teamId: string, day: string, recipientId: string): Promise<'sent' | 'undeliverable' | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: leadsTableKeys.notification(digestNotificationId(teamId, day, recipientId)), ConsistentRead: true }));
    if (Item === undefined) return undefined;
    if (Item.status === undefined) return 'sent';
    return Item.status === 'undeliverable' ? 'undeliverable' : undefined;
  }

  /** A conditional put: no entry, a claim given back, or a claim whose lease is over (its run died); never over a digest sent or undeliverable. */
  async claimDigest(teamId: string, day: string, recipientId: string, claimedAt: string): Promise<'claimed' | 'already_claimed'> {
    const item = { ...leadsTableKeys.notification(digestNotificationId(teamId, day, recipientId)), entity: 'notification', status: 'pending', teamId, claimedAt, expiresAt: expiresAfterKeeping(claimedAt) };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :released OR (#status = :pending AND claimedAt < :leaseEnded)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending', ':released': 'released', ':leaseEnded': new Date(Date.parse(claimedAt) - notificationClaimLeaseMs).toISOString() },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'already_claimed';
      throw error;
    }
  }

  /** Overwrites the claim with the entry of a digest sent (no `status`). */
  async recordDigestSent(teamId: string, day: string, recipientId: string, sentAt: string): Promise<void> {
    const item = { ...leadsTableKeys.notification(digestNotificationId(teamId, day, recipientId)), entity: 'notification', teamId, sentAt, expiresAt: expiresAfterKeeping(sentAt) };
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  /** Marks this run's claim `undeliverable`, with the reason, only while it is still this run's (as `releaseDigestClaim` gives it back). */
  async recordDigestUndeliverable(teamId: string, day: string, recipientId: string, claimedAt: string, reason: string, refusedAt: string): Promise<'recorded' | 'not_claimed'> {
    const updated = await this.updateOwnDigestClaim(teamId, day, recipientId, claimedAt, 'SET #status = :undeliverable, reason = :reason, refusedAt = :refusedAt, expiresAt = :expiresAt', {
      ':undeliverable': 'undeliverable',
      ':reason': reason,
      ':refusedAt': refusedAt,
      ':expiresAt': expiresAfterKeeping(refusedAt),
    });
    return updated ? 'recorded' : 'not_claimed';
  }

  /**
   * Marks the claim `released` rather than deleting it (the digest function may put and update, not delete),
   * only while it is still this run's: recorded as sent, or taken over by another run meanwhile, it stays.
   */
  async releaseDigestClaim(teamId: string, day: string, recipientId: string, claimedAt: string): Promise<void> {
    await this.updateOwnDigestClaim(teamId, day, recipientId, claimedAt, 'SET #status = :released', { ':released': 'released' });
  }

  /** Applies `update` to a digest's claim only while it is pending under `claimedAt` (this run's); false when it is not. */
  private async updateOwnDigestClaim(teamId: string, day: string, recipientId: string, claimedAt: string, update: string, values: Record<string, unknown>): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: leadsTableKeys.notification(digestNotificationId(teamId, day, recipientId)),
          UpdateExpression: update,
          ConditionExpression: '#status = :pending AND claimedAt = :claimedAt',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending', ':claimedAt': claimedAt, ...values },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

const expiresAfterKeeping = (at: string) => Math.floor(Date.parse(at) / 1000) + keepSeconds;

/** The digest's entry in the notification log, beside the lead notifications. */
const digestNotificationId = (teamId: string, day: string, recipientId: string) => `team-digest:${teamId}:${day}:${recipientId}`;

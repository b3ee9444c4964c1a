import { DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { partitionItems } from './dynamodb-partition';
import { batchGetAll } from './dynamodb-batches';
import { defaultRetention, expiresAfterDays, type NotificationChannel, type Retention } from '@leadflow/domain';
import type { NotificationSendLedger, OpenSendPosition, OpenSendQueue, OpenSendsPage, SendKey, SendRecord, SentMessage, SmsBudgetCharge } from '../ports/notifications';
import { leadFromItem } from './lead-item';
import { leadsTableKeys, sendPartition } from './leads-table-keys';
import { failedConditions, retryOnTransactionConflict } from './dynamodb-writes';
import { dueItemsOfEveryShard, shardedPartition } from './sparse-index-shards';

const openSendsIndex = 'open-sends-by-time';
const channels: NotificationChannel[] = ['sms', 'email'];

/** Send records and alert marks expire `retention.notificationDays` after they are claimed (the table's TTL). */
export class DynamoDbNotificationSendLedger implements NotificationSendLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retention: Pick<Retention, 'notificationDays'> = defaultRetention,
  ) {}

  /** One strongly consistent `BatchGetItem`: the lead, its send records for the reason, the rep's phone. */
  async readForNotifying(leadId: string, repId: string, reason: string) {
    const keys = [leadsTableKeys.lead(leadId), ...channels.map((channel) => leadsTableKeys.send({ leadId, repId, reason, channel })), leadsTableKeys.repPhone(repId)];
    const items = await batchGetAll(this.client, this.tableName, keys);
    const leadItem = items.find((item) => item.entity === 'lead');
    const sends: Partial<Record<NotificationChannel, SendRecord>> = {};
    for (const item of items.filter((candidate) => candidate.entity === 'send')) sends[item.channel as NotificationChannel] = sendRecordFromItem(item);
    const phone = items.find((item) => item.entity === 'rep-phone');
    return { lead: leadItem ? leadFromItem(leadItem) : undefined, sends, failingPhone: typeof phone?.phone === 'string' ? phone.phone : undefined };
  }

  async claimEmail(key: SendKey, claimedAt: string): Promise<'claimed' | 'already_claimed'> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: sendItem(key, claimedAt, 'pending', claimedAt, this.retention.notificationDays), ConditionExpression: 'attribute_not_exists(pk)' }));
      return 'claimed';
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return 'already_claimed';
      throw error;
    }
  }

  async reclaimEmail(key: SendKey, staleClaimedAt: string, claimedAt: string): Promise<'claimed' | 'already_claimed'> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: leadsTableKeys.send(key),
          // The open-sends index orders pending claims by `queuedAt`: the new claim is stale only after its own lease.
          UpdateExpression: 'SET claimedAt = :claimedAt, queuedAt = :claimedAt',
          ConditionExpression: '#status = :pending AND claimedAt = :stale',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending', ':stale': staleClaimedAt, ':claimedAt': claimedAt },
        }),
      );
      return 'claimed';
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return 'already_claimed';
      throw error;
    }
  }

  async claimSms(key: SendKey, claimedAt: string, charge: SmsBudgetCharge, fromDeferred = false) {
    const expiresAt = Math.floor(Date.parse(claimedAt) / 1000) + 2 * 24 * 3600;
    const budgetUpdate = (keyOf: Record<string, string>, limit: { count: number; micros: number }) => ({
      Update: {
        TableName: this.tableName,
        Key: keyOf,
        // The counters refuse an SMS that would take either total past its limit.
        UpdateExpression: 'ADD #count :one, #micros :cost SET expiresAt = :expiresAt',
        ConditionExpression: '(attribute_not_exists(#count) AND :cost <= :maxMicros) OR (#count < :maxCount AND #micros <= :room)',
        ExpressionAttributeNames: { '#count': 'smsCount', '#micros': 'costMicros' },
        ExpressionAttributeValues: { ':one': 1, ':cost': charge.costMicros, ':maxCount': limit.count, ':maxMicros': limit.micros, ':room': limit.micros - charge.costMicros, ':expiresAt': expiresAt },
      },
    });
    try {
      // Every SMS of a day updates the same two counters; concurrent transactions on them conflict, so try again.
      await retryOnTransactionConflict(() =>
        this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...sendItem(key, claimedAt, 'pending', claimedAt, this.retention.notificationDays), segments: charge.segments, costMicros: charge.costMicros, budgetDay: charge.day },
                  ConditionExpression: fromDeferred ? '#status = :deferred' : 'attribute_not_exists(pk)',
                  ...(fromDeferred ? { ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':deferred': 'deferred' } } : {}),
                },
              },
              budgetUpdate(leadsTableKeys.organisationSmsBudget(charge.day), charge.limits.organisation),
              budgetUpdate(leadsTableKeys.repSmsBudget(key.repId, charge.day), charge.limits.perRep),
            ],
          }),
        ),
      );
      return 'claimed';
    } catch (error) {
      const failed = failedConditions(error);
      if (failed?.[0]) return 'already_claimed';
      if (failed?.[1]) return 'over_organisation_budget';
      if (failed?.[2]) return 'over_rep_budget';
      throw error;
    }
  }

  async defer(key: SendKey, claimedAt: string, notBefore: string): Promise<'deferred' | 'already_claimed'> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: { ...sendItem(key, claimedAt, 'deferred', notBefore, this.retention.notificationDays), notBefore }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return 'deferred';
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return 'already_claimed';
      throw error;
    }
  }

  async recordSent(key: SendKey, message: SentMessage, sentAt: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: leadsTableKeys.send(key),
        UpdateExpression: 'SET #status = :sent, messageId = :messageId, sentAt = :sentAt REMOVE sendQueue, queuedAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sent': 'sent', ':messageId': message.messageId, ':sentAt': sentAt },
      }),
    );
  }

  async releaseClaim(key: SendKey, charge?: SmsBudgetCharge): Promise<void> {
    await retryOnTransactionConflict(() =>
      this.client.send(new TransactWriteCommand({ TransactItems: [{ Delete: { TableName: this.tableName, Key: leadsTableKeys.send(key) } }, ...(charge ? this.refunds(key, charge) : [])] })),
    );
  }

  async closeDeferred(key: SendKey): Promise<'closed' | 'already_claimed'> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: leadsTableKeys.send(key),
          ConditionExpression: '#status = :deferred',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':deferred': 'deferred' },
        }),
      );
      return 'closed';
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return 'already_claimed';
      throw error;
    }
  }

  async deferAgain(key: SendKey, charge: SmsBudgetCharge, dueAt: string): Promise<void> {
    await retryOnTransactionConflict(() =>
      this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: leadsTableKeys.send(key),
                UpdateExpression: 'SET #status = :deferred, sendQueue = :queue, queuedAt = :dueAt, notBefore = :dueAt REMOVE #segments, costMicros, budgetDay',
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status', '#segments': 'segments' },
                ExpressionAttributeValues: { ':deferred': 'deferred', ':queue': openSendQueueOf(key, 'deferred'), ':pending': 'pending', ':dueAt': dueAt },
              },
            },
            ...this.refunds(key, charge),
          ],
        }),
      ),
    );
  }

  /** Gives an SMS's charge back to the organisation's and the rep's counters of its day. */
  private refunds(key: SendKey, charge: SmsBudgetCharge) {
    return [leadsTableKeys.organisationSmsBudget(charge.day), leadsTableKeys.repSmsBudget(key.repId, charge.day)].map((counterKey) => ({
      Update: {
        TableName: this.tableName,
        Key: counterKey,
        UpdateExpression: 'ADD smsCount :minusOne, costMicros :refund',
        ExpressionAttributeValues: { ':minusOne': -1, ':refund': -charge.costMicros },
      },
    }));
  }

  async listOpenSends(queue: OpenSendQueue, until: string, page: { limit: number; after?: OpenSendPosition }): Promise<OpenSendsPage> {
    const { limit, after } = page;
    const items = await dueItemsOfEveryShard(this.client, {
      tableName: this.tableName,
      indexName: openSendsIndex,
      partitionAttribute: 'sendQueue',
      prefix: queue,
      sortAttribute: 'queuedAt',
      dueBy: until,
      limit,
      ...(after ? { after: { sortValue: after.queuedAt, ...leadsTableKeys.send(after.key) } } : {}),
    });
    const records = items.map(sendRecordFromItem);
    const last = items.length === limit ? items.at(-1) : undefined;
    return { records, ...(last ? { next: { queuedAt: String(last.queuedAt), key: sendKeyOf(sendRecordFromItem(last)) } } : {}) };
  }

  async markUnconfirmed(key: SendKey, at: string): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: leadsTableKeys.send(key),
          UpdateExpression: 'SET #status = :unconfirmed, reportedAt = :at REMOVE sendQueue, queuedAt',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':unconfirmed': 'unconfirmed', ':pending': 'pending', ':at': at },
        }),
      )
      .catch((error: Error) => {
        // Confirmed meanwhile: nothing to report.
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
  }

  async markPhoneFailing(repId: string, phone: string, reason: string, at: string): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...leadsTableKeys.repPhone(repId), entity: 'rep-phone', repId, phone, reason, since: at } }));
  }

  async sendsFor(leadId: string): Promise<SendRecord[]> {
    return (await partitionItems(this.client, this.tableName, sendPartition(leadId))).map(sendRecordFromItem);
  }

  async claimAlert(alertId: string, at: string): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...leadsTableKeys.notification(`alert:${alertId}`), entity: 'notification', sentAt: at, expiresAt: expiresAfterDays(at, this.retention.notificationDays) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async releaseAlert(alertId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: leadsTableKeys.notification(`alert:${alertId}`) }));
  }
}

function sendItem(key: SendKey, claimedAt: string, status: 'deferred' | 'pending', queuedAt: string, notificationDays: number): Record<string, unknown> {
  return {
    ...leadsTableKeys.send(key),
    entity: 'send',
    ...key,
    status,
    claimedAt,
    sendQueue: openSendQueueOf(key, status),
    queuedAt,
    expiresAt: expiresAfterDays(claimedAt, notificationDays),
  };
}

/**
 * The open-sends index partition of a send in `queue`: sharded by the send's key, as every due-time index is,
 * since every notification writes it twice (claimed, then confirmed) and one constant value would be a hot partition.
 */
function openSendQueueOf(key: SendKey, queue: OpenSendQueue): string {
  const { pk, sk } = leadsTableKeys.send(key);
  return shardedPartition(queue, `${pk}#${sk}`);
}

function sendKeyOf({ leadId, repId, reason, channel }: SendKey): SendKey {
  return { leadId, repId, reason, channel };
}

function sendRecordFromItem(item: Record<string, unknown>): SendRecord {
  const { leadId, reason, channel, repId, status, claimedAt, notBefore, messageId, sentAt, segments, costMicros, budgetDay } = item as unknown as SendRecord;
  return { leadId, reason, channel, repId, status, claimedAt, notBefore, messageId, sentAt, segments, costMicros, budgetDay };
}

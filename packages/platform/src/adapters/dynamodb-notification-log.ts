import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { partitionItems } from './dynamodb-partition';
import { batchGetAll } from './dynamodb-batches';
import { defaultRetention, expiresAfterDays, type Lead, type Retention } from '@leadflow/domain';
import { notificationClaimLeaseMs, type NotificationLog, type NotificationLogEntry } from '../ports/notifications';
import { leadFromItem } from './lead-item';
import { leadNotificationPartition, leadsTableKeys } from './leads-table-keys';

/**
 * Notification log entries live under their lead (`leadsTableKeys.leadNotification`), so an export finds
 * them, and expire `retention.notificationDays` after sending (the table's TTL). A claim is the entry with
 * `status: pending`; entries written as sent carry no status.
 */
export class DynamoDbNotificationLog implements NotificationLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retention: Pick<Retention, 'notificationDays'> = defaultRetention,
  ) {}

  /** One strongly consistent `BatchGetItem` for the log entry and the lead, instead of two reads. */
  async readBeforeSending(notificationId: string, leadId: string): Promise<{ sent: true } | { sent: false; lead: Lead | undefined }> {
    const items = await batchGetAll(this.client, this.tableName, [leadsTableKeys.leadNotification(leadId, notificationId), leadsTableKeys.lead(leadId)]);
    if (items.some((item) => item.entity === 'notification' && item.status !== 'pending')) return { sent: true };
    const lead = items.find((item) => item.entity === 'lead');
    return { sent: false, lead: lead ? leadFromItem(lead) : undefined };
  }

  /** A conditional put: no entry, or a claim whose lease is over (its claimant died). */
  async claim(notificationId: string, leadId: string, claimedAt: string): Promise<'claimed' | 'already_claimed'> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...leadsTableKeys.leadNotification(leadId, notificationId), entity: 'notification', status: 'pending', leadId, claimedAt, expiresAt: expiresAfterDays(claimedAt, this.retention.notificationDays) },
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :pending AND claimedAt < :leaseEnded)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending', ':leaseEnded': new Date(Date.parse(claimedAt) - notificationClaimLeaseMs).toISOString() },
        }),
      );
      return 'claimed';
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return 'already_claimed';
      throw error;
    }
  }

  async releaseClaim(notificationId: string, leadId: string): Promise<void> {
    await this.client
      .send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: leadsTableKeys.leadNotification(leadId, notificationId),
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending' },
        }),
      )
      .catch((error: Error) => {
        // Recorded as sent meanwhile (by a delivery that took over a lapsed claim): it stays.
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
  }

  async recordSent(notificationId: string, leadId: string, sentAt: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...leadsTableKeys.leadNotification(leadId, notificationId),
          entity: 'notification',
          leadId,
          sentAt,
          expiresAt: expiresAfterDays(sentAt, this.retention.notificationDays),
        },
      }),
    );
  }

  async entriesFor(leadId: string): Promise<NotificationLogEntry[]> {
    return (await partitionItems(this.client, this.tableName, leadNotificationPartition(leadId))).map((item) => {
      const { sk, status, claimedAt, sentAt } = item as { sk: string; status?: string; claimedAt?: string; sentAt?: string };
      return { notificationId: sk, status: status === 'pending' ? 'pending' : 'sent', ...(claimedAt ? { claimedAt } : {}), ...(sentAt ? { sentAt } : {}) };
    });
  }
}

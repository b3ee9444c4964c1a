import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NotificationLog } from '../ports/notifications';
import { leadsTableKeys } from './leads-table-keys';

const ninetyDaysInSeconds = 90 * 24 * 3600;

export class DynamoDbNotificationLog implements NotificationLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async wasSent(notificationId: string): Promise<boolean> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: leadsTableKeys.notification(notificationId), ConsistentRead: true }));
    return Item !== undefined;
  }

  async recordSent(notificationId: string, leadId: string, sentAt: string): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...leadsTableKeys.notification(notificationId),
          entity: 'notification',
          leadId,
          sentAt,
          expiresAt: Math.floor(Date.parse(sentAt) / 1000) + ninetyDaysInSeconds,
        },
      }),
    );
  }
}

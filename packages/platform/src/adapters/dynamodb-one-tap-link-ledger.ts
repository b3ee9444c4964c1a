import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LeadAcceptance } from '@leadflow/domain';
import type { OneTapLinkLedger } from '../ports/one-tap-links';
import { leadsTableKeys } from './leads-table-keys';
import { outboxItem } from './outbox-item';

const linkKey = (linkId: string) => ({ pk: `LINK#${linkId}`, sk: 'USED' });

export class DynamoDbOneTapLinkLedger implements OneTapLinkLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async usedAt(linkId: string): Promise<string | undefined> {
    const output = await this.client.send(new GetCommand({ TableName: this.tableName, Key: linkKey(linkId), ConsistentRead: true }));
    return typeof output.Item?.usedAt === 'string' ? output.Item.usedAt : undefined;
  }

  async markUsed(linkId: string, at: string, expiresAt: number): Promise<boolean> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: this.useItem(linkId, at, expiresAt), ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async forget(linkId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: linkKey(linkId) }));
  }

  async recordAcceptance(linkId: string, acceptance: LeadAcceptance, linkExpiresAt: number): Promise<'accepted' | 'lead_changed' | 'link_used'> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: this.useItem(linkId, acceptance.acceptedAt, linkExpiresAt), ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Update: {
                TableName: this.tableName,
                Key: leadsTableKeys.lead(acceptance.leadId),
                UpdateExpression: 'SET updatedAt = :at, history = list_append(history, :entry)',
                ConditionExpression: 'attribute_exists(pk) AND ownerId = :owner',
                ExpressionAttributeValues: { ':owner': acceptance.ownerId, ':at': acceptance.acceptedAt, ':entry': [acceptance.historyEntry] },
              },
            },
            { Put: { TableName: this.tableName, Item: outboxItem(acceptance.event), ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
      return 'accepted';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const failed = (error.CancellationReasons ?? []).map((reason) => reason.Code === 'ConditionalCheckFailed');
      if (failed[0]) return 'link_used';
      if (failed[1]) return 'lead_changed';
      throw error;
    }
  }

  private useItem(linkId: string, at: string, expiresAt: number): Record<string, unknown> {
    return { ...linkKey(linkId), entity: 'link-use', usedAt: at, expiresAt };
  }
}

import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LeadAcceptance, OfferAcceptance } from '@leadflow/domain';
import type { OneTapLinkLedger } from '../ports/one-tap-links';
import type { LeadFull } from '../ports/lead-store';
import { leadsTableKeys } from './leads-table-keys';
import { outboxPut } from './outbox-item';
import { holdingCapIncrement } from './rep-load-updates';
import { failedConditions, oversizedItems, retryOnTransactionConflict } from './dynamodb-writes';

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

  async recordAcceptance(linkId: string, acceptance: LeadAcceptance, linkExpiresAt: number): Promise<'accepted' | 'lead_changed' | 'link_used' | LeadFull> {
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
                // Still the rep's, and nothing added to the timeline since the link was checked (an erasure keeps the owner, and adds `erased`).
                ConditionExpression: 'attribute_exists(pk) AND ownerId = :owner AND size(history) = :seenHistory',
                ExpressionAttributeValues: { ':owner': acceptance.ownerId, ':seenHistory': acceptance.seenHistoryLength, ':at': acceptance.acceptedAt, ':entry': [acceptance.historyEntry] },
              },
            },
            outboxPut(this.tableName, acceptance.event),
          ],
        }),
      );
      return 'accepted';
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      if (oversizedItems(error)?.[1]) return 'lead_full';
      const failed = (error.CancellationReasons ?? []).map((reason) => reason.Code === 'ConditionalCheckFailed');
      if (failed[0]) return 'link_used';
      if (failed[1]) return 'lead_changed';
      throw error;
    }
  }

  async recordOfferAcceptance(linkId: string, acceptance: OfferAcceptance, linkExpiresAt: number, capacity: number): Promise<'accepted' | 'taken' | 'link_used' | 'at_capacity' | LeadFull> {
    try {
      // Racing accepts cancel each other with TransactionConflict; tried again, one wins and the others find the lead owned.
      await retryOnTransactionConflict(() =>
        this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: this.tableName, Item: this.useItem(linkId, acceptance.assignment.assignedAt, linkExpiresAt), ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Update: {
                  TableName: this.tableName,
                  Key: leadsTableKeys.lead(acceptance.leadId),
                  UpdateExpression:
                    'SET ownerId = :owner, ownerAgenda = :agenda, assignment = :assignment, poolId = :pool, routing = :routing, #status = :assigned, updatedAt = :at, history = list_append(history, :entries) REMOVE offerExpiryPartition, offerExpiresAt',
                  // Still this offer, still open: no owner yet (no other accept, no fallback) and still `new`.
                  ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ownerId) AND #status = :new AND offer.offeredAt = :offeredAt',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: {
                    ':new': 'new',
                    ':offeredAt': acceptance.offeredAt,
                    ':owner': acceptance.ownerId,
                    ':agenda': acceptance.agenda,
                    ':assignment': acceptance.assignment,
                    ':pool': acceptance.assignment.poolId,
                    ':routing': acceptance.routing,
                    ':assigned': 'assigned',
                    ':at': acceptance.assignment.assignedAt,
                    ':entries': acceptance.historyEntries,
                  },
                },
              },
              holdingCapIncrement(this.tableName, acceptance.ownerId, capacity),
              outboxPut(this.tableName, acceptance.event),
            ],
          }),
        ),
      );
      return 'accepted';
    } catch (error) {
      if (oversizedItems(error)?.[1]) return 'lead_full';
      const failed = failedConditions(error);
      if (failed?.[0]) return 'link_used';
      if (failed?.[1]) return 'taken';
      if (failed?.[2]) return 'at_capacity';
      throw error;
    }
  }

  private useItem(linkId: string, at: string, expiresAt: number): Record<string, unknown> {
    return { ...linkKey(linkId), entity: 'link-use', usedAt: at, expiresAt };
  }
}

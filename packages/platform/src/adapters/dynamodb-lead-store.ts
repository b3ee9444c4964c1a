import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { leadSchema, type Lead, type LeadEvent } from '@leadflow/domain';
import type { LeadStore, OwnerAssignment } from '../ports/lead-store';
import { leadsTableKeys } from './leads-table-keys';
import { outboxItem } from './outbox-item';

export class DynamoDbLeadStore implements LeadStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async saveCapturedLead(lead: Lead, event: LeadEvent): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tableName, Item: { ...leadsTableKeys.lead(lead.leadId), entity: 'lead', ...lead }, ConditionExpression: 'attribute_not_exists(pk)' } },
          { Put: { TableName: this.tableName, Item: outboxItem(event), ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
  }

  async getLead(leadId: string): Promise<Lead | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: leadsTableKeys.lead(leadId), ConsistentRead: true }));
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, entity: _entity, ...lead } = Item;
    return leadSchema.parse(lead);
  }

  async takeRoundRobinTurn(poolId: string): Promise<number> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: leadsTableKeys.roundRobin(poolId),
        UpdateExpression: 'ADD turn :one SET entity = :entity',
        ExpressionAttributeValues: { ':one': 1, ':entity': 'round-robin' },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.turn);
  }

  async assignOwner(change: OwnerAssignment): Promise<'assigned' | 'already_assigned'> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: leadsTableKeys.lead(change.leadId),
                UpdateExpression: 'SET ownerId = :owner, assignment = :assignment, #status = :assigned, updatedAt = :at, history = list_append(history, :entry)',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ownerId)',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':owner': change.ownerId,
                  ':assignment': change.assignment,
                  ':assigned': 'assigned',
                  ':at': change.assignment.assignedAt,
                  ':entry': [change.historyEntry],
                },
              },
            },
            { Put: { TableName: this.tableName, Item: outboxItem(change.event), ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
      return 'assigned';
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return 'already_assigned';
      throw error;
    }
  }
}

import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { leadSchema, type Lead, type PreparedIntake } from '@leadflow/domain';
import type { IntakeOutcome, LeadStore, OwnerAssignment } from '../ports/lead-store';
import { leadsTableKeys } from './leads-table-keys';
import { outboxItem } from './outbox-item';

export class DynamoDbLeadStore implements LeadStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async ingestLead(intake: PreparedIntake, idempotencyKey?: string): Promise<IntakeOutcome> {
    return retryOnTransactionConflict(() => this.createOrTouch(intake, idempotencyKey));
  }

  private async createOrTouch(intake: PreparedIntake, idempotencyKey?: string): Promise<IntakeOutcome> {
    const { lead } = intake;
    const at = lead.capturedAt;
    const keyItems = intake.dedupKeys.map(({ key, kind }) => ({ ...leadsTableKeys.dedup(key), entity: 'dedup-key', kind, leadId: lead.leadId, createdAt: at }));
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            ...(idempotencyKey ? [this.putIdempotency(idempotencyKey, { leadId: lead.leadId, outcome: 'created' }, at)] : []),
            ...keyItems.map((Item) => ({ Put: { TableName: this.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' } })),
            { Put: { TableName: this.tableName, Item: { ...leadsTableKeys.lead(lead.leadId), entity: 'lead', ...lead }, ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.tableName, Item: outboxItem(intake.event), ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
      return { leadId: lead.leadId, outcome: 'created' };
    } catch (error) {
      const failed = failedConditions(error);
      if (!failed) throw error;
      const offset = idempotencyKey ? 1 : 0;
      if (idempotencyKey && failed[0]) return this.replayOf(idempotencyKey);
      const heldKeys = intake.dedupKeys.filter((_, index) => failed[index + offset]);
      if (heldKeys.length === 0) throw error;
      // A delivery key means this exact delivery was taken before; a person key means a repeat submission.
      const held = heldKeys.find((key) => key.kind === 'delivery') ?? heldKeys[0]!;
      const existingLeadId = await this.leadHolding(held.key);
      if (held.kind === 'delivery') return { leadId: existingLeadId, outcome: 'replayed' };
      return this.recordTouch(existingLeadId, intake, idempotencyKey);
    }
  }

  private async recordTouch(leadId: string, intake: PreparedIntake, idempotencyKey?: string): Promise<IntakeOutcome> {
    const touch = intake.touch(leadId);
    const lastTouch = touch.lastTouch ? ', attribution.lastTouch = :lastTouch' : '';
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            ...(idempotencyKey ? [this.putIdempotency(idempotencyKey, { leadId, outcome: 'touched' }, touch.historyEntry.at)] : []),
            {
              Update: {
                TableName: this.tableName,
                Key: leadsTableKeys.lead(leadId),
                UpdateExpression: `SET touches = touches + :one, updatedAt = :at, history = list_append(history, :entry)${lastTouch}`,
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: {
                  ':one': 1,
                  ':at': touch.historyEntry.at,
                  ':entry': [touch.historyEntry],
                  ...(touch.lastTouch ? { ':lastTouch': touch.lastTouch } : {}),
                },
              },
            },
            { Put: { TableName: this.tableName, Item: outboxItem(touch.event), ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
      return { leadId, outcome: 'touched' };
    } catch (error) {
      if (idempotencyKey && failedConditions(error)?.[0]) return this.replayOf(idempotencyKey);
      throw error;
    }
  }

  private putIdempotency(key: string, result: IntakeOutcome, at: string) {
    const oneDayInSeconds = 24 * 3600;
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...leadsTableKeys.idempotency(key), entity: 'idempotency-key', ...result, createdAt: at, expiresAt: Math.floor(Date.parse(at) / 1000) + oneDayInSeconds },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private async replayOf(idempotencyKey: string): Promise<IntakeOutcome> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: leadsTableKeys.idempotency(idempotencyKey), ConsistentRead: true }));
    if (!Item) throw new Error(`Idempotency key ${idempotencyKey} was reported taken but cannot be read`);
    return { leadId: String(Item.leadId), outcome: 'replayed' };
  }

  private async leadHolding(key: string): Promise<string> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: leadsTableKeys.dedup(key), ConsistentRead: true }));
    if (!Item) throw new Error(`Dedup key ${key} was reported taken but cannot be read`);
    return String(Item.leadId);
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
      if (failedConditions(error)?.[0]) return 'already_assigned';
      throw error;
    }
  }
}

/**
 * Concurrent transactions on the same keys cancel each other with `TransactionConflict`; trying again
 * (after a short random pause) lets one win and the others see its keys as held.
 */
async function retryOnTransactionConflict<T>(attempt: () => Promise<T>, attempts = 8): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      const conflict = error instanceof TransactionCanceledException && error.CancellationReasons?.some((reason) => reason.Code === 'TransactionConflict');
      if (!conflict || failedConditions(error) || tries >= attempts) throw error;
      await new Promise((done) => setTimeout(done, Math.random() * 20 * tries));
    }
  }
}

/** For a transaction cancelled by failed conditions, which of its items failed (by position); else undefined. */
function failedConditions(error: unknown): boolean[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  if (!reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) return undefined;
  return reasons.map((reason) => reason.Code === 'ConditionalCheckFailed');
}

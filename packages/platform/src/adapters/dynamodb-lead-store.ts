import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { leadSchema, type Lead, type LeadErasure, type PreparedIntake } from '@leadflow/domain';
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
      const held = heldKeys.find((key) => key.kind === 'delivery') ?? heldKeys[0];
      const existingLeadId = await this.leadHolding(held.key);
      if (held.kind === 'delivery') return { leadId: existingLeadId, outcome: 'replayed' };
      return this.recordTouch(existingLeadId, intake, idempotencyKey);
    }
  }

  private async recordTouch(leadId: string, intake: PreparedIntake, idempotencyKey?: string): Promise<IntakeOutcome> {
    const touch = intake.touch(leadId);
    const lastTouch = touch.lastTouch ? ', attribution.lastTouch = :lastTouch' : '';
    // The delivery (a platform lead id, an import row) is taken by the touch too, so delivering it again replays it.
    const deliveryKeys = intake.dedupKeys.filter((key) => key.kind === 'delivery');
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            ...(idempotencyKey ? [this.putIdempotency(idempotencyKey, { leadId, outcome: 'touched' }, touch.historyEntry.at)] : []),
            ...deliveryKeys.map(({ key, kind }) => ({
              Put: { TableName: this.tableName, Item: { ...leadsTableKeys.dedup(key), entity: 'dedup-key', kind, leadId, createdAt: touch.historyEntry.at }, ConditionExpression: 'attribute_not_exists(pk)' },
            })),
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
      const failed = failedConditions(error);
      if (idempotencyKey && failed?.[0]) return this.replayOf(idempotencyKey);
      const offset = idempotencyKey ? 1 : 0;
      const takenDelivery = deliveryKeys.find((_, index) => failed?.[index + offset]);
      if (takenDelivery) return { leadId: await this.leadHolding(takenDelivery.key), outcome: 'replayed' };
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

  async findLeadIdByPersonKey(key: string): Promise<string | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: leadsTableKeys.dedup(key), ConsistentRead: true }));
    return Item?.kind === 'person' ? String(Item.leadId) : undefined;
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
                // Only a lead still `new` is assigned: one erased or invalidated meanwhile stays with nobody.
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ownerId) AND #status = :new',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':new': 'new',
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

  async erasePerson(input: { dedupKey: string; erase: (lead: Lead) => LeadErasure | undefined }): Promise<{ leadId: string } | undefined> {
    // Optimistic: the lead is rewritten only if nobody changed it since it was read; otherwise read it again.
    for (let tries = 1; ; tries += 1) {
      try {
        return await retryOnTransactionConflict(() => this.eraseOnce(input));
      } catch (error) {
        if (!failedConditions(error) || tries >= 5) throw error;
      }
    }
  }

  private async eraseOnce(input: { dedupKey: string; erase: (lead: Lead) => LeadErasure | undefined }): Promise<{ leadId: string } | undefined> {
    const { Item: holder } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: leadsTableKeys.dedup(input.dedupKey), ConsistentRead: true }));
    if (!holder) return undefined;
    const leadId = String(holder.leadId);
    const lead = await this.getLead(leadId);
    if (!lead) return undefined;
    const erasure = input.erase(lead);
    if (!erasure) return { leadId };
    // Only keys this lead holds are released: a test or invalid lead never claimed its person's keys.
    const heldKeys: string[] = [];
    for (const key of erasure.personKeys) {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: leadsTableKeys.dedup(key), ConsistentRead: true }));
      if (Item?.leadId === leadId) heldKeys.push(key);
    }
    const { set, remove } = changedFields(lead, erasure.lead);
    const names = Object.fromEntries([...Object.keys(set), ...remove].map((field) => [`#${field}`, field]));
    const assignments = Object.keys(set).map((field) => `#${field} = :${field}`);
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: leadsTableKeys.lead(leadId),
              UpdateExpression: [assignments.length ? `SET ${assignments.join(', ')}` : '', remove.length ? `REMOVE ${remove.map((field) => `#${field}`).join(', ')}` : ''].join(' ').trim(),
              ConditionExpression: 'updatedAt = :seenUpdatedAt',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ...Object.fromEntries(Object.entries(set).map(([field, value]) => [`:${field}`, value])), ':seenUpdatedAt': lead.updatedAt },
            },
          },
          ...heldKeys.map((key) => ({
            Delete: { TableName: this.tableName, Key: leadsTableKeys.dedup(key), ConditionExpression: 'leadId = :leadId', ExpressionAttributeValues: { ':leadId': leadId } },
          })),
          { Put: { TableName: this.tableName, Item: outboxItem(erasure.event), ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
      }),
    );
    return { leadId };
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

/** The top-level fields of a lead that an update must set (changed or added) and remove, so other attributes of the item stay. */
function changedFields(before: Lead, after: Lead): { set: Record<string, unknown>; remove: string[] } {
  const set: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(after)) {
    if (value !== undefined && JSON.stringify(value) !== JSON.stringify(before[field as keyof Lead])) set[field] = value;
  }
  const remove = Object.keys(before).filter((field) => before[field as keyof Lead] !== undefined && after[field as keyof Lead] === undefined);
  return { set, remove };
}

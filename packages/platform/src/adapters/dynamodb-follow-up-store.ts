import '@leadflow/domain/zod-locale';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import { myLeadsCursorSchema, type FollowUpPlan, type Lead, type MyLeadsCursor } from '@leadflow/domain';
import type { DueLead, FollowUpRefileState, FollowUpStore, OwnedLeadEntry, UnreadableLead } from '../ports/follow-ups';
import type { DuePosition, LeadFull } from '../ports/lead-store';
import { leadFromItem } from './lead-item';
import { leadUpdate } from './dynamodb-lead-store';
import { failedConditions, isItemTooLarge, isTransactionConflict, oversizedItems } from './dynamodb-writes';
import { followUpDuePartition, leadsTableKeys } from './leads-table-keys';
import { outboxPut } from './outbox-item';
import { holdingCapIncrement, openLeadDecrement } from './rep-load-updates';
import { dueItemsOfEveryShard, shardedPartition } from './sparse-index-shards';

/**
 * Every write is conditional on the lead as it was read (its `updatedAt` and the length of its history,
 * which every transition appends to), so a lead changed since — a follow-up logged a second before the
 * run — is left alone, and a second run for the same time finds its state already recorded.
 */
export class DynamoDbFollowUpStore implements FollowUpStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listDue(dueBy: string, page: { limit: number; after?: DuePosition }): Promise<{ due: DueLead[]; next?: DuePosition }> {
    const { after, limit } = page;
    const items = await dueItemsOfEveryShard(this.client, {
      tableName: this.tableName,
      indexName: 'follow-up-due-by-time',
      partitionAttribute: 'followUpDuePartition',
      prefix: followUpDuePartition,
      sortAttribute: 'followUpDueAt',
      dueBy,
      limit,
      ...(after ? { after: { sortValue: after.at, pk: leadsTableKeys.lead(after.leadId).pk } } : {}),
    });
    const due = items.map((item) => ({ leadId: String(item.leadId), dueAt: String(item.followUpDueAt) }));
    const last = due.length === limit ? due.at(-1) : undefined;
    return { due, ...(last ? { next: { at: last.dueAt, leadId: last.leadId } } : {}) };
  }

  async setNextCheck(seen: Lead, nextCheckAt: string | undefined): Promise<'set' | 'lead_changed' | LeadFull> {
    const due = dueAttributes(seen.leadId, nextCheckAt);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: leadsTableKeys.lead(seen.leadId),
          UpdateExpression: due.expression,
          ConditionExpression: unchangedSince,
          ExpressionAttributeNames: due.names,
          ExpressionAttributeValues: { ...due.values, ...seenValues(seen) },
        }),
      );
      return 'set';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'lead_changed';
      // A due time added to a lead within a few bytes of the item limit; taking one out always fits.
      if (isItemTooLarge(error)) return 'lead_full';
      throw error;
    }
  }

  async applyPlan(seen: Lead, plan: FollowUpPlan, capacity?: number): Promise<'applied' | 'lead_changed' | 'target_at_capacity' | LeadFull> {
    // The lead's own index attributes (pool listing, owner agenda) follow the planned lead; the due time follows the plan.
    const nextCheck = plan.nextCheckAt ? { followUpDueAt: plan.nextCheckAt, followUpDuePartition: shardedPartition(followUpDuePartition, seen.leadId) } : undefined;
    const update = leadUpdate(seen, plan.lead, nextCheck ? { set: nextCheck } : { remove: ['followUpDueAt', 'followUpDuePartition'] });
    const move = plan.move;
    // The counters the move changes, in the transaction right after the lead: none, the previous owner's, or theirs and the new rep's.
    const openLeads = [...(move ? [{ repId: move.previousOwnerId, change: -1 }] : []), ...(move?.to === 'rep' ? [{ repId: move.repId, change: 1 }] : [])];
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: leadsTableKeys.lead(seen.leadId),
                ...update,
                ConditionExpression: unchangedSince,
                ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...seenValues(seen) },
              },
            },
            ...openLeads.map((counter) => (counter.change === 1 ? holdingCapIncrement(this.tableName, counter.repId, capacity ?? Number.MAX_SAFE_INTEGER) : openLeadDecrement(this.tableName, counter.repId))),
            ...plan.events.map((event) => outboxPut(this.tableName, event)),
          ],
        }),
      );
      return 'applied';
    } catch (error) {
      // The plan's entries would take the item over 400 KB: DynamoDB refuses it however often it is sent.
      if (oversizedItems(error)?.[0]) return 'lead_full';
      const failed = failedConditions(error);
      if (failed?.[0] || (!failed && isTransactionConflict(error))) return 'lead_changed';
      // The lead is as read, so this plan was never written: an event id already in the outbox is another step's.
      // Reading the lead again would plan the same ids, so the lead is failed (and the run with it) rather than given up silently.
      const taken = plan.events.filter((_, index) => failed?.[openLeads.length + 1 + index]);
      if (taken.length > 0) throw new Error(`Follow-up plan for lead ${seen.leadId} reuses event ids already in the outbox: ${taken.map((event) => event.detail.eventId).join(', ')}`, { cause: error });
      const counter = openLeads.find((_, index) => failed?.[index + 1]);
      if (counter?.change === 1) return 'target_at_capacity';
      if (counter) throw new Error(`Rep ${counter.repId} owns lead ${seen.leadId} but their open-lead counter is zero`, { cause: error });
      throw error;
    }
  }

  async listOwned(ownerId: string, limit: number, after?: MyLeadsCursor): Promise<{ entries: OwnedLeadEntry[]; unreadable: UnreadableLead[]; next?: MyLeadsCursor }> {
    const { Items = [], LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'owner-agenda',
        KeyConditionExpression: 'ownerId = :owner',
        ExpressionAttributeValues: { ':owner': ownerId },
        ExclusiveStartKey: after && { ...leadsTableKeys.lead(after.leadId), ownerId, ownerAgenda: after.agenda },
        Limit: limit,
      }),
    );
    const entries: OwnedLeadEntry[] = [];
    const unreadable: UnreadableLead[] = [];
    for (const item of Items) {
      try {
        entries.push({ lead: leadFromItem(item), ...(typeof item.followUpDueAt === 'string' ? { dueAt: item.followUpDueAt } : {}) });
      } catch (error) {
        unreadable.push({ leadId: String(item.leadId), error: (error as Error).message.slice(0, 500) });
      }
    }
    const last = Items.at(-1);
    return { entries, unreadable, next: LastEvaluatedKey && last ? { agenda: String(last.ownerAgenda), leadId: String(last.leadId) } : undefined };
  }

  async refileState(): Promise<FollowUpRefileState | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: leadsTableKeys.followUpRefile(), ConsistentRead: true }));
    return Item && refileStateSchema.parse(Item);
  }

  async saveRefileState(state: FollowUpRefileState): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...leadsTableKeys.followUpRefile(), entity: 'follow-up-refile', ...state } }));
  }
}

const refileStateSchema = z.object({
  filedVersion: z.optional(z.string()),
  pass: z.optional(z.object({ version: z.string(), repId: z.string(), after: z.optional(myLeadsCursorSchema), startOver: z.optional(z.literal(true)) })),
});

/** The lead as read: nothing may have changed it since (every change sets `updatedAt` and appends to `history`). */
const unchangedSince = 'attribute_exists(pk) AND updatedAt = :seenUpdatedAt AND size(history) = :seenHistory';

function seenValues(seen: Lead) {
  return { ':seenUpdatedAt': seen.updatedAt, ':seenHistory': seen.history.length };
}

/** The due-time index attributes: set to the next check, or removed so the lead leaves the index. */
function dueAttributes(leadId: string, nextCheckAt: string | undefined) {
  const names = { '#dueAt': 'followUpDueAt', '#duePartition': 'followUpDuePartition' };
  if (!nextCheckAt) return { names, values: {}, set: [] as string[], remove: ['#dueAt', '#duePartition'], expression: 'REMOVE #dueAt, #duePartition' };
  const set = ['#dueAt = :dueAt', '#duePartition = :duePartition'];
  return { names, values: { ':dueAt': nextCheckAt, ':duePartition': shardedPartition(followUpDuePartition, leadId) }, set, remove: [] as string[], expression: `SET ${set.join(', ')}` };
}

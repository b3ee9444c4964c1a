import { BatchWriteCommand, PutCommand, type BatchWriteCommandInput, type BatchWriteCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { followUpRulesFor, nextFollowUpCheck, type Configuration, type Lead } from '@leadflow/domain';
import { followUpDuePartition, leadsTableKeys, poolWaitingPartition, shardedPartition } from '@leadflow/platform';
import { webFormIntake } from './intakes';

/**
 * A lead of the demo's `americas-inbound` pool in one of the states a table's history holds, built
 * through the domain (intake, scoring) and stored as the stores store it, due-time attributes included
 * as `track-follow-up-due` files them. Written in batches, so a test can hold thousands.
 */
export type HistoryKind = 'due' | 'owned-later' | 'waiting' | 'converted';

export function historyLead(config: Configuration, leadId: string, kind: HistoryKind, assignedAt: Date): Lead {
  const lead = webFormIntake(config, { leadId, now: new Date(assignedAt.getTime() - 60_000) }).lead;
  const at = assignedAt.toISOString();
  const owned: Lead = { ...lead, status: 'assigned', ownerId: 'rep-ava', assignment: { rule: 'round_robin', poolId: lead.poolId, assignedAt: at }, updatedAt: at };
  switch (kind) {
    case 'due':
    case 'owned-later':
      return owned;
    case 'waiting':
      return { ...lead, status: 'in_pool' };
    case 'converted':
      return { ...owned, status: 'converted', firstContactAt: at, conversion: { revenue: 100, currency: 'USD', wonAt: at, by: 'rep-ava' } };
  }
}

export function historyItem(config: Configuration, lead: Lead): Record<string, unknown> {
  const dueAt = nextFollowUpCheck(lead, followUpRulesFor(config, lead));
  return {
    ...leadsTableKeys.lead(lead.leadId),
    entity: 'lead',
    ...lead,
    ...(lead.status === 'in_pool' ? { poolWaiting: poolWaitingPartition(lead.poolId) } : {}),
    ...(dueAt ? { followUpDueAt: dueAt, followUpDuePartition: shardedPartition(followUpDuePartition, lead.leadId) } : {}),
  };
}

/**
 * Stores `count` leads of the history mix (owned with a check far ahead, waiting in the pool, converted)
 * and `due` leads whose check falls before `now`; gives rep-ava an open-lead counter that covers them all.
 */
export async function seedFollowUpHistory(client: DynamoDBDocumentClient, tableName: string, config: Configuration, input: { prefix: string; history: number; due: number; now: Date }): Promise<string[]> {
  const kinds: HistoryKind[] = ['owned-later', 'waiting', 'converted'];
  const leads: Lead[] = [];
  for (let index = 0; index < input.history; index += 1) {
    const kind = kinds[index % kinds.length];
    // Owned history leads were assigned just now, so their first check is hours ahead of the run.
    const assignedAt = kind === 'owned-later' ? input.now : new Date(input.now.getTime() - (index + 1) * 3_600_000);
    leads.push(historyLead(config, `${input.prefix}-history-${index}`, kind, assignedAt));
  }
  const dueIds: string[] = [];
  for (let index = 0; index < input.due; index += 1) {
    dueIds.push(`${input.prefix}-due-${index}`);
    leads.push(historyLead(config, `${input.prefix}-due-${index}`, 'due', new Date(input.now.getTime() - 5 * 24 * 3_600_000)));
  }
  for (let start = 0; start < leads.length; start += 25) {
    let pending: BatchWriteCommandInput['RequestItems'] = {
      [tableName]: leads.slice(start, start + 25).map((lead) => ({ PutRequest: { Item: historyItem(config, lead) } })),
    };
    while (pending && Object.keys(pending).length > 0) {
      const output: BatchWriteCommandOutput = await client.send(new BatchWriteCommand({ RequestItems: pending }));
      pending = output.UnprocessedItems;
    }
  }
  await client.send(new PutCommand({ TableName: tableName, Item: { ...leadsTableKeys.repLoad('rep-ava'), entity: 'rep-load', repId: 'rep-ava', open: 1_000_000 } }));
  return dueIds;
}

/** A document client that counts the items its reads return (query pages and single gets), for cost assertions. */
export function countingReads(client: DynamoDBDocumentClient): { client: DynamoDBDocumentClient; itemsRead: () => number; reset: () => void } {
  let itemsRead = 0;
  const counting = {
    send: async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
      const output = (await client.send(command as never)) as { Items?: unknown[]; Item?: unknown; ScannedCount?: number; Responses?: Record<string, unknown[]> };
      if (output.ScannedCount !== undefined) itemsRead += output.ScannedCount;
      else if (output.Items) itemsRead += output.Items.length;
      if (output.Item) itemsRead += 1;
      for (const items of Object.values(output.Responses ?? {})) itemsRead += items.length;
      return output;
    },
  } as unknown as DynamoDBDocumentClient;
  return { client: counting, itemsRead: () => itemsRead, reset: () => (itemsRead = 0) };
}

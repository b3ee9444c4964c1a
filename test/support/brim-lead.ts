import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { leadBytes } from '@leadflow/domain';
import { leadsTableKeys } from '@leadflow/platform';
import type { TestDatabase } from './dynamodb';
import { leadItemLimitBytes, type MemoryLeadStore } from './fakes';

/** The filler entry: an activity whose detail is `length` characters long. */
const fillerEntry = (by: string, length: number) => ({ at: '2026-03-02T10:01:00.000Z', action: 'activity' as const, by, detail: 'x'.repeat(length) });

/**
 * Fills a stored lead to the brim: appends the largest filler entry DynamoDB still takes (a lead filled before
 * notes were limited, or by other steps), found by halving, so no other entry fits after it. The item keeps
 * every other attribute it had (its index attributes too); `by` names who logged the filler.
 */
export async function fillLeadToTheBrim(database: TestDatabase, leadId: string, by = `${leadId}-rep`): Promise<void> {
  const { Item: stored } = await database.client.send(new GetCommand({ TableName: database.tableName, Key: leadsTableKeys.lead(leadId), ConsistentRead: true }));
  if (!stored) throw new Error(`Lead ${leadId} is not stored`);
  const withFiller = (length: number) => ({ ...stored, history: [...(stored.history as unknown[]), fillerEntry(by, length)] });
  let [fits, tooLarge] = [0, leadItemLimitBytes];
  while (tooLarge - fits > 1) {
    const length = Math.floor((fits + tooLarge) / 2);
    const written = await database.client.send(new PutCommand({ TableName: database.tableName, Item: withFiller(length) })).then(
      () => true,
      (error: Error) => (error.name === 'ValidationException' ? false : Promise.reject(error)),
    );
    [fits, tooLarge] = written ? [length, tooLarge] : [fits, length];
  }
  await database.client.send(new PutCommand({ TableName: database.tableName, Item: withFiller(fits) }));
}

/** The same for the in-memory store, whose item limit is `leadBytes` against `leadItemLimitBytes`: the lead as JSON is then exactly at it. */
export function fillMemoryLeadToTheBrim(store: MemoryLeadStore, leadId: string, by = `${leadId}-rep`): void {
  const lead = store.leads.get(leadId);
  if (!lead) throw new Error(`Lead ${leadId} is not stored`);
  const empty = leadBytes({ ...lead, history: [...lead.history, fillerEntry(by, 0)] });
  lead.history.push(fillerEntry(by, leadItemLimitBytes - empty));
}

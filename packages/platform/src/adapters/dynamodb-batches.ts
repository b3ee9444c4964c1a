import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** DynamoDB's limits of keys in one `BatchGetItem` and of requests in one `BatchWriteItem`. */
const batchGetKeyLimit = 100;
const batchWriteRequestLimit = 25;

type ItemKey = Record<string, unknown>;

export interface BatchRetry {
  /** How many times keys left unprocessed are sent again before giving up. */
  rounds?: number;
  /** The first pause before sending them again; it doubles each round, and each pause is a random part of it (AWS's advice: back off, with jitter). */
  pauseMs?: number;
}

/**
 * DynamoDB kept leaving some keys of a batch unprocessed (throttled) however often they were sent again:
 * sent again later, the request may succeed, so an HTTP handler answers it `503` with `Retry-After`
 * (`isBackendUnavailable` knows its name).
 */
export class UnprocessedKeysError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnprocessedKeysError';
  }
}

/** Every item of `keys` that exists, read strongly consistent in `BatchGetItem` calls of 100 keys at once (in no particular order). */
export async function batchGetAll(client: DynamoDBDocumentClient, tableName: string, keys: readonly ItemKey[], retry: BatchRetry = {}): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  await inRounds(keys, batchGetKeyLimit, retry, 'read', async (chunk) => {
    const output = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [...chunk], ConsistentRead: true } } }));
    items.push(...(output.Responses?.[tableName] ?? []));
    return (output.UnprocessedKeys?.[tableName]?.Keys as ItemKey[] | undefined) ?? [];
  });
  return items;
}

/** Deletes every item of `keys` in `BatchWriteItem` calls of 25 keys at once. */
export async function batchDeleteAll(client: DynamoDBDocumentClient, tableName: string, keys: readonly ItemKey[], retry: BatchRetry = {}): Promise<void> {
  await inRounds(keys, batchWriteRequestLimit, retry, 'delete', async (chunk) => {
    const output = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: chunk.map((Key) => ({ DeleteRequest: { Key } })) } }));
    return (output.UnprocessedItems?.[tableName] ?? []).flatMap((request) => (request.DeleteRequest?.Key ? [request.DeleteRequest.Key] : []));
  });
}

/**
 * Sends `keys` in calls of `limit`, all at once, then sends what the calls left unprocessed again after a
 * pause, until nothing is left or `rounds` are spent (then `UnprocessedKeysError`). Unprocessed keys mean
 * throttling: sending them again at once would meet the same throttle.
 */
async function inRounds(keys: readonly ItemKey[], limit: number, retry: BatchRetry, doing: string, send: (chunk: readonly ItemKey[]) => Promise<ItemKey[]>): Promise<void> {
  const rounds = retry.rounds ?? 6;
  const pauseMs = retry.pauseMs ?? 25;
  let pending = keys;
  for (let round = 0; pending.length > 0; round += 1) {
    if (round > rounds) throw new UnprocessedKeysError(`DynamoDB left ${pending.length} of ${keys.length} keys unprocessed to ${doing} after ${rounds} retries`);
    if (round > 0) await new Promise((done) => setTimeout(done, Math.random() * pauseMs * 2 ** (round - 1)));
    const chunks: Array<readonly ItemKey[]> = [];
    for (let start = 0; start < pending.length; start += limit) chunks.push(pending.slice(start, start + limit));
    pending = (await Promise.all(chunks.map(send))).flat();
  }
}

import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Shards of a sparse index's partition key. With one constant value every pending item would share one
 * index partition, which throttles (and back-pressures the table's writes) as soon as a backlog forms;
 * sixteen spread a backlog over as many partitions, and a scheduled reader queries them all at once.
 * Channel ROI's changed-day marks shard their table partition the same way (`roiChangedPartition`).
 */
export const sparseIndexShardCount = 16;

/** The sharded partition value of an item: `<prefix>#<0..15>`, fixed by a hash of the item's id. */
export function shardedPartition(prefix: string, id: string): string {
  // FNV-1a: cheap, and spreads similar ids (uuids, platform ids) evenly.
  let hash = 0x811c9dc5;
  for (let index = 0; index < id.length; index += 1) hash = Math.imul(hash ^ id.charCodeAt(index), 0x01000193);
  return `${prefix}#${(hash >>> 0) % sparseIndexShardCount}`;
}

/**
 * Every partition value a reader must query: each shard, and the bare prefix that items written before
 * the index was sharded still carry.
 */
export function partitionsOf(prefix: string): string[] {
  return [prefix, ...Array.from({ length: sparseIndexShardCount }, (_, shard) => `${prefix}#${shard}`)];
}

export interface ShardedIndexQuery {
  tableName: string;
  indexName: string;
  partitionAttribute: string;
  prefix: string;
  sortAttribute: string;
  /** The sort-key condition, on `#sort`, with its values, e.g. `#sort < :before`. */
  sortCondition: string;
  values: Record<string, unknown>;
  limit: number;
  /**
   * Where the page starts: only items after this sort value and table key (items of equal sort value go in
   * `pk`, then `sk` order; `sk` matters where one partition holds several indexed items, as a lead's sends).
   * The sort condition must still take in `sortValue` itself, for the items after it in a tie.
   * A shard reads its ties in the index's own order, so more than `limit` items of one sort value in one
   * shard may leave some to the next reader that starts from the beginning.
   */
  after?: IndexPosition;
}

/** A place in a sharded index: an item's sort value and table key. */
interface IndexPosition {
  sortValue: string;
  pk: string;
  sk?: string;
}

/** Queries every shard of a sparse index at once and returns the first `limit` items in sort-key order (then `pk`, then `sk` order), after `query.after`. */
export async function queryEveryShard(client: DynamoDBDocumentClient, query: ShardedIndexQuery): Promise<Array<Record<string, unknown>>> {
  const position = (item: Record<string, unknown>): IndexPosition => ({ sortValue: String(item[query.sortAttribute]), pk: String(item.pk), sk: String(item.sk) });
  const { after } = query;
  const isAfter = (item: Record<string, unknown>) => !after || comparePositions(position(item), after) > 0;
  const perShard = await Promise.all(
    partitionsOf(query.prefix).map(async (partition) => {
      const items: Array<Record<string, unknown>> = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: query.tableName,
            IndexName: query.indexName,
            KeyConditionExpression: `#partition = :partition AND ${query.sortCondition}`,
            ExpressionAttributeNames: { '#partition': query.partitionAttribute, '#sort': query.sortAttribute },
            ExpressionAttributeValues: { ...query.values, ':partition': partition },
            Limit: query.limit - items.length,
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...(page.Items ?? []).filter(isAfter));
        startKey = page.LastEvaluatedKey;
      } while (startKey && items.length < query.limit);
      return items;
    }),
  );
  return perShard
    .flat()
    .sort((a, b) => comparePositions(position(a), position(b)))
    .slice(0, query.limit);
}

/** Sort value, then `pk`, then `sk` where both positions name one (a position without `sk` stands for its whole partition). */
/**
 * The items of a sparse due-time index due by `dueBy` (sort value at or before it), from every shard, continuing after
 * `after` when a page goes on from the last one: what each schedule reads its due work with.
 */
export function dueItemsOfEveryShard(client: DynamoDBDocumentClient, query: Omit<ShardedIndexQuery, 'sortCondition' | 'values'> & { dueBy: string }): Promise<Array<Record<string, unknown>>> {
  const { dueBy, after, ...index } = query;
  return queryEveryShard(client, {
    ...index,
    sortCondition: after ? '#sort BETWEEN :after AND :dueBy' : '#sort <= :dueBy',
    values: { ':dueBy': dueBy, ...(after ? { ':after': after.sortValue } : {}) },
    ...(after ? { after } : {}),
  });
}

function comparePositions(a: IndexPosition, b: IndexPosition): number {
  const [left, right] = a.sortValue !== b.sortValue ? [a.sortValue, b.sortValue] : a.pk !== b.pk || a.sk === undefined || b.sk === undefined ? [a.pk, b.pk] : [a.sk, b.sk];
  return left < right ? -1 : left > right ? 1 : 0;
}

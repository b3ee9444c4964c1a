import '@leadflow/domain/zod-locale';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod/mini';
import { decimalsMark, leadRoiFactsSchema, rollupRowSchema, spendGroupBytes, storedDecimals, type ChannelDaySpend, type LeadRoiFacts, type RollupVersion } from '@leadflow/domain';
import type { ChangedDay, ChangedMark, ChannelRoiStore, MeasuredPriors } from '../ports/channel-roi-store';
import { transactionByteLimit, transactionItemLimit } from './dynamodb-limits';
import { DynamoDbMeasuredPriorsReader } from './dynamodb-measured-priors-reader';
import { lastClosedRollupDayKey, leadsTableKeys, roiChangedPartition } from './leads-table-keys';
import { partitionsOf, shardedPartition } from './sparse-index-shards';

const versionSortKey = (version: number) => `V#${String(version).padStart(6, '0')}`;
/** The second and later parts of a version's rows, beside it (not under `V#`, so the latest version is still the last `V#` key). */
const rowsPartKeyPrefix = (version: number) => `P#${String(version).padStart(6, '0')}#`;
/**
 * Gzipped rows per item: DynamoDB refuses items over 400 KB, and the keys and other attributes need a little.
 * Every lead's seconds to each stage make a day's rows about 32 KB of JSON per 1,000 leads; gzip brings
 * a 20,000-lead day to 85–155 KB, yet 100,000 leads over 200 campaigns still come to some 700 KB, hence parts.
 */
const rowsPartBytes = 350 * 1024;

/** A spend transaction's share of DynamoDB's 4 MB: room for the keys, attribute names and changed marks beside the campaigns. */
const transactionByteBudget = transactionByteLimit * 0.9;
/** A spend item as DynamoDB sizes it, about: its campaigns and a little for its keys and other attributes. */
const spendItemBytes = (group: ChannelDaySpend) => spendGroupBytes(group) + 512;

/**
 * Channel ROI in the leads table. Spend: one item per day and channel (`SPEND#<day>` / `CHANNEL#<id>`),
 * so replacing a day and channel is one put. Facts: one item per lead under its capture day
 * (`ROIDAY#<day>` / `LEAD#<id>`, with `filedBy`: the event that first filed it there), so a day's rollup
 * queries exactly that day's leads. Changed days: `ROICHANGED#<0..15>` / `<day>`, so a day may have a mark on
 * each shard (see `roiChangedPartition`). Versions: `ROLLUP#<day>` / `V#000001`…, the rows as gzipped JSON,
 * any beyond the first 350 KB in `P#000001#001`… written in the same transaction (versions stored before: JSON
 * text). The last day a nightly run closed: `ROLLUP` / `LAST_CLOSED_DAY`.
 */
export class DynamoDbChannelRoiStore extends DynamoDbMeasuredPriorsReader implements ChannelRoiStore {
  async replaceSpend(spend: readonly ChannelDaySpend[], mark: { markedAt: string; expiresAt: (day: string) => number }): Promise<void> {
    // Each transaction holds its groups and one changed mark per day among them: at most 100 items, and
    // within the 4 MB a transaction may carry (each group up to the 300 KB the spend check allows).
    let start = 0;
    while (start < spend.length) {
      const chunk: ChannelDaySpend[] = [];
      const days = new Set<string>();
      let bytes = 0;
      const fits = (group: ChannelDaySpend) => chunk.length + days.size + (days.has(group.day) ? 1 : 2) <= transactionItemLimit && (chunk.length === 0 || bytes + spendItemBytes(group) <= transactionByteBudget);
      while (start < spend.length && fits(spend[start])) {
        days.add(spend[start].day);
        chunk.push(spend[start]);
        bytes += spendItemBytes(spend[start]);
        start += 1;
      }
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            ...chunk.map((group) => ({
              Put: {
                TableName: this.tableName,
                Item: {
                  ...leadsTableKeys.spend(group.day, group.channel),
                  entity: 'spend',
                  day: group.day,
                  channel: group.channel,
                  campaigns: group.campaigns,
                  ...decimalsMark(storedDecimals(group)),
                  importedAt: mark.markedAt,
                },
              },
            })),
            ...[...days].map((day) => ({ Put: { TableName: this.tableName, Item: this.changedMarkItem(day, day, mark.markedAt, mark.expiresAt(day)) } })),
          ],
        }),
      );
    }
  }

  async spendOn(day: string): Promise<ChannelDaySpend[]> {
    const items = await this.queryAll(leadsTableKeys.spend(day, '').pk);
    return items.map((item) => ({ day: item.day as string, channel: item.channel as string, campaigns: item.campaigns as ChannelDaySpend['campaigns'], ...decimalsMark(storedDecimals(item)) }));
  }

  async recordFacts(
    facts: Omit<LeadRoiFacts, 'slaBreached'>,
    options: { eventId: string; slaBreached: boolean; otherCaptureDays: readonly string[]; markedAt: string; markExpiresAt: (day: string) => number },
  ): Promise<void> {
    const key = leadsTableKeys.roiFacts(facts.day, facts.leadId);
    const fields = Object.entries({ entity: 'roi-facts', ...facts });
    const names = Object.fromEntries(fields.map(([name], index) => [`#f${index}`, name]));
    const values = Object.fromEntries(fields.map(([, value], index) => [`:f${index}`, value]));
    const assignments = fields.map((_, index) => `#f${index} = :f${index}`);
    const breach = options.slaBreached ? '#sla = :breached' : '#sla = if_not_exists(#sla, :breached)';
    let filedByAnotherEvent: boolean;
    // No REMOVE is needed: a lead only ever gains fields the facts hold (a first contact, a conversion).
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${[...assignments, breach, '#filedBy = if_not_exists(#filedBy, :eventId)'].join(', ')}`,
          ConditionExpression: 'attribute_not_exists(#updated) OR #updated <= :updated',
          ExpressionAttributeNames: { ...names, '#sla': 'slaBreached', '#updated': 'leadUpdatedAt', '#filedBy': 'filedBy' },
          ExpressionAttributeValues: { ...values, ':breached': options.slaBreached, ':updated': facts.leadUpdatedAt, ':eventId': options.eventId },
          ReturnValues: 'ALL_OLD',
        }),
      );
      // Facts stored before events were named (no `filedBy`) are checked once, by the next event.
      filedByAnotherEvent = Attributes?.filedBy !== undefined && Attributes.filedBy !== options.eventId;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Newer facts are stored; a breach still counts.
      if (options.slaBreached) await this.markBreached(key, facts);
      // Whoever stored them may have failed before moving the lead's facts off other days: a race, so rare enough to check again.
      filedByAnotherEvent = false;
    }
    // Only the event that first files the facts under this day (or its retry) looks elsewhere: every later event costs nothing more.
    if (!filedByAnotherEvent) await Promise.all(options.otherCaptureDays.map((day) => this.moveFactsFrom(day, facts, options)));
    // Marked once the facts are whole (a breach moved in included): a rollup that reads this mark reads them as they are.
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: this.changedMarkItem(facts.day, facts.leadId, options.markedAt, options.markExpiresAt(facts.day)) }));
  }

  /** Counts an SLA breach on facts stored from a newer read of the lead; never recreates facts a time-zone move took off this day meanwhile. */
  private async markBreached(key: Record<string, string>, facts: Omit<LeadRoiFacts, 'slaBreached'>): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({ TableName: this.tableName, Key: key, UpdateExpression: 'SET slaBreached = :true', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':true': true } }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      throw new Error(`Lead ${facts.leadId}'s ROI facts left ${facts.day} while its SLA breach was being counted: the event is retried to read the lead again`, { cause: error });
    }
  }

  /**
   * Moves the lead's facts filed under `day` (before the organisation's time zone changed) onto those
   * just recorded: their SLA breach carried over, then deleted in one transaction with `day`'s changed
   * mark, so a rollup of `day` that still saw the lead finds the day marked again (its clearing is
   * conditional on the mark it read) and restates it without the lead. Each step is repeated harmlessly
   * by a retry, so a failure between them leaves nothing counted twice for good.
   */
  private async moveFactsFrom(day: string, facts: Omit<LeadRoiFacts, 'slaBreached'>, options: { markedAt: string; markExpiresAt: (day: string) => number }): Promise<void> {
    const key = leadsTableKeys.roiFacts(day, facts.leadId);
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ProjectionExpression: 'leadUpdatedAt, slaBreached', ConsistentRead: true }));
    if (!Item) return;
    const seen = Item.leadUpdatedAt as string;
    // Written meanwhile from a newer read of the lead, under the previous time zone (while a deployment changes it): read the lead again.
    if (seen > facts.leadUpdatedAt) throw new Error(`Lead ${facts.leadId} has newer ROI facts under ${day} than those read for ${facts.day}: the event is retried to read the lead again`);
    if (Item.slaBreached === true) {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: leadsTableKeys.roiFacts(facts.day, facts.leadId),
          UpdateExpression: 'SET slaBreached = :true',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':true': true },
        }),
      );
    }
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.tableName, Key: key, ConditionExpression: 'attribute_not_exists(pk) OR leadUpdatedAt = :seen', ExpressionAttributeValues: { ':seen': seen } } },
            { Put: { TableName: this.tableName, Item: this.changedMarkItem(day, facts.leadId, options.markedAt, options.markExpiresAt(day)) } },
          ],
        }),
      );
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || error.CancellationReasons?.[0]?.Code !== 'ConditionalCheckFailed') throw error;
      throw new Error(`Lead ${facts.leadId}'s ROI facts under ${day} changed while they were moved to ${facts.day}: the event is retried to move them again`, { cause: error });
    }
  }

  /**
   * `day`'s changed mark on the shard of `shardBy`: a lead's id, so a burst of leads spreads its marks over every shard (spend, rare, by its
   * day). Each marking has an id of its own, which the rollup's clearing compares: two markings in one millisecond are still told apart.
   */
  private changedMarkItem(day: string, shardBy: string, markedAt: string, expiresAt: number): Record<string, unknown> {
    return { ...leadsTableKeys.roiChangedDay(shardedPartition(roiChangedPartition, shardBy), day), entity: 'roi-changed', day, markedAt, markId: randomUUID(), expiresAt };
  }

  async factsOn(day: string): Promise<LeadRoiFacts[]> {
    const items = await this.queryAll(leadsTableKeys.roiFacts(day, '').pk);
    return items.map((item) => leadRoiFactsSchema.parse(withoutKeys(item)));
  }

  async changedDays(from: string, to: string): Promise<ChangedDay[]> {
    // Seventeen queries at once, as `queryEveryShard` sends them: well within the client's 50 sockets. `partitionsOf` takes in the
    // bare `ROICHANGED`, where every mark went before 2026-12-03: a day marked there by the deployment this one replaced is still
    // rolled up, and its mark cleared there. Nothing is marked there any more, so `channelRoi.lookbackDays` + 2 days after the deploy no
    // mark of it is within the nightly window (its TTL then removes it) and this read can go; till then it costs one query a night.
    const partitions = await Promise.all(partitionsOf(roiChangedPartition).map((partition) => this.queryAll(partition, { from, to })));
    const marks = new Map<string, ChangedMark[]>();
    for (const item of partitions.flat()) {
      const day = item.day as string;
      const dayMarks = marks.get(day) ?? [];
      dayMarks.push({ shard: item.pk as string, markedAt: item.markedAt as string, ...(typeof item.markId === 'string' ? { markId: item.markId } : {}) });
      marks.set(day, dayMarks);
    }
    return [...marks.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, dayMarks]) => ({ day, marks: dayMarks }));
  }

  async clearChanged(changed: ChangedDay): Promise<void> {
    await Promise.all(
      changed.marks.map(async (mark) => {
        try {
          await this.client.send(
            new DeleteCommand({
              TableName: this.tableName,
              Key: leadsTableKeys.roiChangedDay(mark.shard, changed.day),
              // A mark from before marks had ids is told by its time; any marking since carries an id, so it is kept.
              ...(mark.markId === undefined
                ? { ConditionExpression: 'markedAt = :markedAt AND attribute_not_exists(markId)', ExpressionAttributeValues: { ':markedAt': mark.markedAt } }
                : { ConditionExpression: 'markId = :markId', ExpressionAttributeValues: { ':markId': mark.markId } }),
            }),
          );
        } catch (error) {
          // Marked again meanwhile: the next rollup takes it. A shard whose mark was not read keeps its own mark anyway.
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }),
    );
  }

  async markChanged(day: string, mark: { markedAt: string; expiresAt: number }): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: this.changedMarkItem(day, day, mark.markedAt, mark.expiresAt) }));
  }

  async lastClosedDay(): Promise<string | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: lastClosedRollupDayKey(), ConsistentRead: true }));
    return typeof Item?.day === 'string' ? Item.day : undefined;
  }

  async recordClosedDay(day: string, closedAt: string): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...lastClosedRollupDayKey(), entity: 'roi-closed-day', day, closedAt },
          ConditionExpression: 'attribute_not_exists(pk) OR #day < :day',
          ExpressionAttributeNames: { '#day': 'day' },
          ExpressionAttributeValues: { ':day': day },
        }),
      );
    } catch (error) {
      // That day or a later one is recorded already: the run was for an earlier night, or this one's again.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async latestVersion(day: string): Promise<RollupVersion | undefined> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
        ExpressionAttributeValues: { ':pk': leadsTableKeys.rollupVersion(day, '').pk, ':v': 'V#' },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = page.Items?.[0];
    return item && this.versionFromItem(item);
  }

  async version(day: string, version: number): Promise<RollupVersion | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: leadsTableKeys.rollupVersion(day, versionSortKey(version)), ConsistentRead: true }));
    return Item && this.versionFromItem(Item);
  }

  async versionAsOf(day: string, at: string): Promise<RollupVersion | undefined> {
    // Only the numbers and times of the day's versions (their parts carry neither), then the one version.
    const versions = await this.queryAll(leadsTableKeys.rollupVersion(day, '').pk, { prefix: 'V#' }, 'version, rolledUpAt');
    let newest: number | undefined;
    for (const item of versions) {
      if (typeof item.version === 'number' && Date.parse(String(item.rolledUpAt)) <= Date.parse(at) && (newest === undefined || item.version > newest)) newest = item.version;
    }
    return newest === undefined ? undefined : this.version(day, newest);
  }

  async writeMeasuredPriors(measured: MeasuredPriors): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...leadsTableKeys.measuredPriors(), entity: 'measured-channel-priors', ...measured } }));
  }

  async addVersion(version: RollupVersion): Promise<boolean> {
    const rows = gzipSync(JSON.stringify(version.rows));
    const parts = Array.from({ length: Math.max(1, Math.ceil(rows.length / rowsPartBytes)) }, (_, index) => rows.subarray(index * rowsPartBytes, (index + 1) * rowsPartBytes));
    // One transaction, so a version is never stored without all its parts. DynamoDB takes up to 4 MB in one: `rollUpDay` bounds a
    // day's campaign rows (names of at most 200 characters, campaigns without spend folded past 50 a channel), so what grows is
    // the leads' seconds, some 6 KB gzipped per 1,000 leads, and a channel's spend rows, some 400 KB at most.
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...leadsTableKeys.rollupVersion(version.day, versionSortKey(version.version)),
                  entity: 'roi-rollup',
                  day: version.day,
                  version: version.version,
                  rolledUpAt: version.rolledUpAt,
                  ...decimalsMark(storedDecimals(version)),
                  rowsGzip: parts[0],
                  rowsParts: parts.length,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...parts.slice(1).map((part, index) => ({
              Put: {
                TableName: this.tableName,
                Item: { ...leadsTableKeys.rollupVersion(version.day, `${rowsPartKeyPrefix(version.version)}${String(index + 1).padStart(3, '0')}`), entity: 'roi-rollup-part', rowsGzip: part },
              },
            })),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  private async versionFromItem(item: Record<string, unknown>): Promise<RollupVersion> {
    return {
      day: item.day as string,
      version: item.version as number,
      rolledUpAt: item.rolledUpAt as string,
      ...decimalsMark(storedDecimals(item)),
      rows: z.array(rollupRowSchema).parse(JSON.parse(await this.rowsJson(item))),
    };
  }

  /** A version's rows as JSON: gunzipped from the item and its parts, or the text of a version stored before rows were gzipped. */
  private async rowsJson(item: Record<string, unknown>): Promise<string> {
    if (typeof item.rows === 'string') return item.rows;
    const parts = [item.rowsGzip as Uint8Array];
    if ((item.rowsParts as number) > 1) {
      const rest = await this.queryAll(item.pk as string, { prefix: rowsPartKeyPrefix(item.version as number) });
      // A query may see the version before the rest of its transaction: better to fail than to read its rows cut short.
      if (rest.length !== (item.rowsParts as number) - 1) throw new Error(`Rollup version ${String(item.version)} of ${String(item.day)} has ${rest.length + 1} of its ${String(item.rowsParts)} parts`);
      parts.push(...rest.map((part) => part.rowsGzip as Uint8Array));
    }
    return gunzipSync(Buffer.concat(parts)).toString('utf8');
  }

  /** Every item of `pk` (those whose sort key begins with `sort.prefix`, or is from `sort.from` to `sort.to`), with only the `projection` attributes when one is given. */
  private async queryAll(pk: string, sort?: { prefix: string } | { from: string; to: string }, projection?: string): Promise<Array<Record<string, unknown>>> {
    const sortCondition =
      sort === undefined
        ? { condition: '', values: {} }
        : 'prefix' in sort
          ? { condition: ' AND begins_with(sk, :prefix)', values: { ':prefix': sort.prefix } }
          : { condition: ' AND sk BETWEEN :from AND :to', values: { ':from': sort.from, ':to': sort.to } };
    const items: Array<Record<string, unknown>> = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: `pk = :pk${sortCondition.condition}`,
          ExpressionAttributeValues: { ':pk': pk, ...sortCondition.values },
          ...(projection === undefined ? {} : { ProjectionExpression: projection }),
          ConsistentRead: true,
          ExclusiveStartKey: cursor,
        }),
      );
      items.push(...(page.Items ?? []));
      cursor = page.LastEvaluatedKey;
    } while (cursor);
    return items;
  }
}

function withoutKeys(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, entity: _entity, filedBy: _filedBy, ...rest } = item;
  return rest;
}

import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  defaultRetention,
  expiresAfterDays,
  leadIntakeRecordSchema,
  pendingFetchPlatformSchema,
  platformLeadOfDeliveryKey,
  type LeadEvent,
  type LeadIntakeRecord,
  type PendingFetchPlatform,
  type Retention,
} from '@leadflow/domain';
import { logger } from '../logger';
import type { DueIntakeRecord, IntakeResolution, LeadIntakeRecordStore, LeadOfRecords, PendingFetchPosition } from '../ports/lead-intake-records';
import { leadReferencesOf } from './dynamodb-lead-references';
import { ignoringFailedCondition } from './dynamodb-writes';
import { leadsTableKeys } from './leads-table-keys';
import { outboxPut } from './outbox-item';
import { dueItemsOfEveryShard, shardedPartition } from './sparse-index-shards';

const intakeKeyPrefix = 'INTAKE#';

/** Keys of intake records in the `leads` table: one per platform lead, `INTAKE#meta#<leadgen_id>`. */
export const leadIntakeKeys = (platform: PendingFetchPlatform, platformLeadId: string) => ({ pk: `${intakeKeyPrefix}${platform}#${platformLeadId}`, sk: 'INTAKE' });

/** The partition prefix of the sparse `pending-fetch-by-due-time` index: only pending records carry it, as `pending#<shard>`. */
export const pendingFetchPartition = 'pending';
export const pendingFetchIndexName = 'pending-fetch-by-due-time';

/**
 * Intake records in the single `leads` table. A pending record carries `pendingFetchPartition` (sharded)
 * and its `nextAttemptAt`, so the sparse index lists exactly the records due; resolving removes both.
 * A resolved record (and the raw delivery it holds) is kept `retention.intakePayloadDays`, for audit and
 * to recognise late redeliveries, then removed by the table's TTL, whether it was resolved later or stored
 * resolved (erased before its lead was delivered); pending records never expire.
 */
export class DynamoDbLeadIntakeRecords implements LeadIntakeRecordStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retention: Pick<Retention, 'intakePayloadDays'> = defaultRetention,
  ) {}

  async recordDelivery(record: LeadIntakeRecord): Promise<{ created: boolean; record: LeadIntakeRecord }> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...leadIntakeKeys(record.platform, record.platformLeadId),
            entity: 'lead-intake',
            ...record,
            ...(record.status === 'pending_fetch'
              ? { pendingFetchPartition: shardedPartition(pendingFetchPartition, `${record.platform}#${record.platformLeadId}`) }
              : { expiresAt: expiresAfterDays(record.resolvedAt ?? record.receivedAt, this.retention.intakePayloadDays) }),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, record };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.getRecord(record.platform, record.platformLeadId);
      if (!existing) throw new Error(`Intake record ${record.platform}/${record.platformLeadId} was reported present but cannot be read`, { cause: error });
      return { created: false, record: existing };
    }
  }

  async getRecord(platform: PendingFetchPlatform, platformLeadId: string): Promise<LeadIntakeRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: leadIntakeKeys(platform, platformLeadId), ConsistentRead: true }));
    return Item ? recordFromItem(Item) : undefined;
  }

  async recordsOfLead(lead: LeadOfRecords): Promise<LeadIntakeRecord[]> {
    const records = await Promise.all((await this.deliveriesOfLead(lead)).map(({ platform, platformLeadId }) => this.getRecord(platform, platformLeadId)));
    // A reference names a delivery key this lead took, so its record went to this lead; a record saying otherwise is not the person's.
    return records.filter((record): record is LeadIntakeRecord => record !== undefined && (record.leadId === undefined || record.leadId === lead.leadId)).sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  }

  async eraseRawDeliveriesOfLead(lead: LeadOfRecords): Promise<void> {
    const held = (await this.recordsOfLead(lead)).filter((record) => record.rawDelivery !== undefined);
    for (const record of held) {
      // Conditional on the record still being there, so one the table's TTL removed meanwhile is not written back.
      await ignoringFailedCondition(
        this.client.send(
          new UpdateCommand({ TableName: this.tableName, Key: leadIntakeKeys(record.platform, record.platformLeadId), UpdateExpression: 'REMOVE rawDelivery', ConditionExpression: 'attribute_exists(pk)' }),
        ),
      );
    }
  }

  /**
   * The platform leads whose delivery keys the lead's references name (`LEADREFS#<leadId>`, written with the
   * lead and with each touch), and the one in its source; each once.
   */
  private async deliveriesOfLead(lead: LeadOfRecords): Promise<Array<{ platform: PendingFetchPlatform; platformLeadId: string }>> {
    const found = new Map<string, { platform: PendingFetchPlatform; platformLeadId: string }>();
    const platform = pendingFetchPlatformSchema.safeParse(lead.source?.kind);
    if (platform.success && lead.source?.platformLeadId) found.set(`${platform.data}#${lead.source.platformLeadId}`, { platform: platform.data, platformLeadId: lead.source.platformLeadId });
    // References to delivery keys sort as `DEDUP#delivery#…`: the sort key of a reference to the key `delivery#`, as a prefix.
    const prefix = leadsTableKeys.deliveryKeyReference(lead.leadId, 'delivery#').sk;
    for (const { reference } of await leadReferencesOf(this.client, this.tableName, lead.leadId, prefix)) {
      const delivery = platformLeadOfDeliveryKey(reference.sk.slice(prefix.length - 'delivery#'.length));
      if (delivery) found.set(`${delivery.platform}#${delivery.platformLeadId}`, delivery);
    }
    return [...found.values()];
  }

  async listDue(dueBy: string, page: { limit: number; after?: PendingFetchPosition }): Promise<{ due: DueIntakeRecord[]; next?: PendingFetchPosition }> {
    const { after, limit } = page;
    const items = await dueItemsOfEveryShard(this.client, {
      tableName: this.tableName,
      indexName: pendingFetchIndexName,
      partitionAttribute: 'pendingFetchPartition',
      prefix: pendingFetchPartition,
      sortAttribute: 'nextAttemptAt',
      dueBy,
      limit,
      // The position's platform was read from a key, so it is one the table holds, even if no longer a known platform.
      ...(after ? { after: { sortValue: after.at, pk: leadIntakeKeys(after.platform as PendingFetchPlatform, after.platformLeadId).pk } } : {}),
    });
    // Only the keys: the job reads each record itself, so one that no longer reads as a record fails alone, not the page.
    const due: DueIntakeRecord[] = [];
    for (const item of items) {
      const key = intakeKeyOf(String(item.pk));
      const platform = pendingFetchPlatformSchema.safeParse(key.platform);
      if (platform.success) due.push({ platform: platform.data, platformLeadId: key.platformLeadId, dueAt: String(item.nextAttemptAt) });
      else logger.error('A pending intake record names no known platform; it is skipped and stays in the index until it is repaired', { pk: item.pk, problem: `unknown platform ${JSON.stringify(key.platform)}` });
    }
    const last = items.length === limit ? items.at(-1) : undefined;
    return { due, ...(last ? { next: { at: String(last.nextAttemptAt), ...intakeKeyOf(String(last.pk)) } } : {}) };
  }

  async resolve(platform: PendingFetchPlatform, platformLeadId: string, resolution: IntakeResolution): Promise<'resolved' | 'unchanged'> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: leadIntakeKeys(platform, platformLeadId),
          // An erased record keeps only what recognises a late delivery of its lead: not the delivery it received.
          UpdateExpression: `SET #status = :status, resolvedAt = :at, expiresAt = :expiresAt${resolution.leadId ? ', leadId = :leadId' : ''}${resolution.reason ? ', statusReason = :reason' : ''} REMOVE pendingFetchPartition, nextAttemptAt${resolution.status === 'erased' ? ', rawDelivery' : ''}`,
          // An erased record stays erased: a read that finishes after the person's deletion must not revive it.
          ConditionExpression: 'attribute_exists(pk) AND #status <> :erased',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': resolution.status,
            ':at': resolution.at,
            ':expiresAt': expiresAfterDays(resolution.at, this.retention.intakePayloadDays),
            ':erased': 'erased',
            ...(resolution.leadId ? { ':leadId': resolution.leadId } : {}),
            ...(resolution.reason ? { ':reason': resolution.reason } : {}),
          },
        }),
      );
      return 'resolved';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return 'unchanged';
    }
  }

  async recordFailure(failed: LeadIntakeRecord, event: LeadEvent): Promise<'recorded' | 'already_resolved'> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: leadIntakeKeys(failed.platform, failed.platformLeadId),
                UpdateExpression: 'SET attempts = :attempts, lastError = :error, lastAttemptAt = :at, nextAttemptAt = :next',
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':attempts': failed.attempts, ':error': failed.lastError ?? 'unknown error', ':at': failed.lastAttemptAt, ':next': failed.nextAttemptAt, ':pending': 'pending_fetch' },
              },
            },
            outboxPut(this.tableName, event),
          ],
        }),
      );
      return 'recorded';
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return 'already_resolved';
      throw error;
    }
  }
}

/** The platform and platform lead id an intake record's key `INTAKE#<platform>#<id>` holds, as written (the platform not checked). */
function intakeKeyOf(pk: string): { platform: string; platformLeadId: string } {
  const key = pk.slice(intakeKeyPrefix.length);
  const separator = key.indexOf('#');
  return { platform: key.slice(0, separator), platformLeadId: key.slice(separator + 1) };
}

function recordFromItem(item: Record<string, unknown>): LeadIntakeRecord {
  const { pk: _pk, sk: _sk, entity: _entity, pendingFetchPartition: _partition, expiresAt: _expiresAt, ...record } = item;
  return leadIntakeRecordSchema.parse(record);
}

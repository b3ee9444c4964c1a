import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { batchGetAll } from './dynamodb-batches';
import {
  defaultRetention,
  deliveryDedupKey,
  leadExpiresAt,
  personDedupKey,
  type Retention,
  outOfOfficeSchema,
  releasableStatuses,
  type Lead,
  type LeadClaim,
  type LeadOfferChange,
  type LeadRelease,
  type LeadTransition,
  type MyLeadsCursor,
  type MyLeadsFilter,
  type OutOfOffice,
  type PoolChange,
  type PoolCursor,
  type PoolListingFilter,
} from '@leadflow/domain';
import { type DueLeadsPage, type DuePosition, type LeadDueIndex, type LeadFull, type LeadStore, type OwnerAssignment, type OwnerAssignmentOutcome, type RoutingGuard, type RepStates } from '../ports/lead-store';
import { DynamoDbConsentLedger } from './dynamodb-consent-ledger';
import { transactionItemLimit } from './dynamodb-limits';
import { failedConditions, ignoringFailedCondition, isItemTooLarge, isTransactionConflict, oversizedItems, retryOnTransactionConflict, type TransactItem } from './dynamodb-writes';
import { leadFromItem, leadIndexAttributes, nurtureDueAttributes } from './lead-item';
import { leadReferencesOf, type LeadReference } from './dynamodb-lead-references';
import { isWebhookDeliveryReference, webhookReferenceExpiryItems } from './dynamodb-webhook-delivery-store';
import { leadsTableKeys, nurtureDuePartition, openOfferPartition, poolWaitingPartition } from './leads-table-keys';
import { outboxPut } from './outbox-item';
import { dueItemsOfEveryShard, shardedPartition } from './sparse-index-shards';
import { holdingCapIncrement, openLeadDecrement } from './rep-load-updates';
import { logger } from '../logger';

/**
 * The lead store on the single `leads` table. A lead that is no longer worked (test, quarantined,
 * invalid) carries `expiresAt` for the table's TTL, from `retention`, and so do the person keys it holds
 * and its consent ledger entries: what the person gave is kept no longer than the lead. Taking submissions in is
 * `DynamoDbLeadIngestion`'s and erasing a person `DynamoDbLeadErasure`'s, each apart so that only the functions
 * that do it bundle it.
 */
export class DynamoDbLeadStore implements LeadStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retention: Retention = defaultRetention,
  ) {}

  async getLead(leadId: string): Promise<Lead | undefined> {
    return readLead(this.client, this.tableName, leadId);
  }

  async unsubscribeSecretFor(leadId: string, candidate: string): Promise<string | { refused: LeadFull } | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: leadsTableKeys.lead(leadId),
          UpdateExpression: 'SET unsubscribeSecret = if_not_exists(unsubscribeSecret, :candidate)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':candidate': candidate },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return String(Attributes?.unsubscribeSecret);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      // A lead at the item limit has no room for a secret it does not have yet (one it has is only read back).
      if (isItemTooLarge(error)) return { refused: 'lead_full' };
      throw error;
    }
  }

  async unsubscribeSecretOf(leadId: string): Promise<string | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: leadsTableKeys.lead(leadId), ProjectionExpression: 'unsubscribeSecret', ConsistentRead: true }));
    return typeof Item?.unsubscribeSecret === 'string' ? Item.unsubscribeSecret : undefined;
  }

  async findLeadIdByPersonKey(key: string): Promise<string | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: leadsTableKeys.dedup(key), ConsistentRead: true }));
    return Item?.kind === 'person' ? String(Item.leadId) : undefined;
  }

  async takeTurn(counterId: string): Promise<number> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: leadsTableKeys.routeTurn(counterId),
        UpdateExpression: 'ADD turn :one SET entity = :entity',
        ExpressionAttributeValues: { ':one': 1, ':entity': 'route-turn' },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.turn);
  }

  async giveBackTurn(counterId: string, turn: number, whileRoutable?: RoutingGuard & { leadId: string }): Promise<void> {
    const giveBack = {
      TableName: this.tableName,
      Key: leadsTableKeys.routeTurn(counterId),
      UpdateExpression: 'ADD turn :minusOne',
      ConditionExpression: 'turn = :turn',
      ExpressionAttributeValues: { ':minusOne': -1, ':turn': turn },
    };
    if (!whileRoutable) return ignoringFailedCondition(this.client.send(new UpdateCommand(giveBack)));
    const routable = routableLeadCondition(whileRoutable);
    const stillRoutable = {
      TableName: this.tableName,
      Key: leadsTableKeys.lead(whileRoutable.leadId),
      ConditionExpression: routable.condition,
      ExpressionAttributeNames: routable.names,
      ExpressionAttributeValues: routable.values,
    };
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: [{ Update: giveBack }, { ConditionCheck: stillRoutable }] }));
    } catch (error) {
      if (!failedConditions(error)) throw error;
    }
  }

  async readRepStates(repIds: readonly string[]): Promise<RepStates> {
    const states: RepStates = { openLeads: new Map(), outOfOffice: new Map() };
    if (repIds.length === 0) return states;
    const keys = repIds.flatMap((repId) => [leadsTableKeys.repLoad(repId), leadsTableKeys.repOutOfOffice(repId)]);
    for (const item of await batchGetAll(this.client, this.tableName, keys)) {
      if (item.entity === 'rep-load') states.openLeads.set(String(item.repId), Number(item.open));
      if (item.entity === 'rep-out-of-office') {
        const { pk: _pk, sk: _sk, entity: _entity, ...record } = item;
        states.outOfOffice.set(String(item.repId), outOfOfficeSchema.parse(record));
      }
    }
    return states;
  }

  async setOutOfOffice(record: OutOfOffice): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...leadsTableKeys.repOutOfOffice(record.repId), entity: 'rep-out-of-office', ...record } }));
  }

  async assignOwner(change: OwnerAssignment): Promise<OwnerAssignmentOutcome> {
    const routable = routableLeadCondition(change);
    try {
      await retryOnTransactionConflict(() =>
        this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: leadsTableKeys.lead(change.leadId),
                  // Assigning closes an open offer (the offer's fallback assigns through here): the lead leaves the offer index.
                  // The lead joins the route's pool, whose rules (release reasons, recycling, managers) now apply to it.
                  UpdateExpression:
                    'SET ownerId = :owner, ownerAgenda = :agenda, assignment = :assignment, poolId = :pool, routing = :routing, #status = :assigned, updatedAt = :at, history = list_append(history, :entry) REMOVE offerExpiryPartition, offerExpiresAt',
                  // Only a lead still `new` is assigned: one erased or invalidated meanwhile stays with nobody.
                  ConditionExpression: routable.condition,
                  ExpressionAttributeNames: routable.names,
                  ExpressionAttributeValues: {
                    ...routable.values,
                    ':owner': change.ownerId,
                    ':agenda': change.agenda,
                    ':assignment': change.assignment,
                    ':pool': change.assignment.poolId,
                    ':routing': change.routing,
                    ':assigned': 'assigned',
                    ':at': change.assignment.assignedAt,
                    ':entry': [change.historyEntry],
                  },
                },
              },
              holdingCapIncrement(this.tableName, change.ownerId, change.capacity, change.seenOpenLeads),
              outboxPut(this.tableName, change.event),
            ],
          }),
        ),
      );
      return 'assigned';
    } catch (error) {
      if (oversizedItems(error)?.[0]) return 'lead_full';
      const failed = failedConditions(error);
      if (failed?.[0]) return 'already_assigned';
      if (failed?.[1]) return change.seenOpenLeads === undefined ? 'at_capacity' : 'load_changed';
      throw error;
    }
  }

  async leaveInPool(change: PoolChange & RoutingGuard & { leadId: string }): Promise<'pooled' | 'already_routed' | LeadFull> {
    const nextStepAt = change.nurture?.state.nextStepAt;
    const nurtureDue = nextStepAt ? nurtureDueAttributes(change.leadId, nextStepAt) : undefined;
    const routable = routableLeadCondition(change);
    try {
      await retryOnTransactionConflict(() =>
        this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: leadsTableKeys.lead(change.leadId),
                  UpdateExpression: `SET poolId = :pool, poolWaiting = :waiting, routing = :routing, #status = :inPool, updatedAt = :at, history = list_append(history, :entry)${change.nurture ? ', nurture = :nurture' : ''}${nurtureDue ? ', nurtureDuePartition = :nurtureDuePartition, nurtureDueAt = :nurtureDueAt' : ''} REMOVE offerExpiryPartition, offerExpiresAt`,
                  ConditionExpression: routable.condition,
                  ExpressionAttributeNames: routable.names,
                  ExpressionAttributeValues: {
                    ...routable.values,
                    ':pool': change.poolId,
                    ':waiting': poolWaitingPartition(change.poolId),
                    ':routing': change.routing,
                    ':inPool': 'in_pool',
                    ':at': change.routing.decidedAt,
                    ':entry': [change.historyEntry, ...(change.nurture ? [change.nurture.historyEntry] : [])],
                    ...(change.nurture ? { ':nurture': change.nurture.state } : {}),
                    ...(nurtureDue ? { ':nurtureDuePartition': nurtureDue.nurtureDuePartition, ':nurtureDueAt': nurtureDue.nurtureDueAt } : {}),
                  },
                },
              },
              outboxPut(this.tableName, change.event),
            ],
          }),
        ),
      );
      return 'pooled';
    } catch (error) {
      if (oversizedItems(error)?.[0]) return 'lead_full';
      if (failedConditions(error)?.[0]) return 'already_routed';
      throw error;
    }
  }

  async offerLead(change: LeadOfferChange & Pick<RoutingGuard, 'scoredAt'>): Promise<'offered' | 'already_routed' | LeadFull> {
    const scored = scoreGuard(change);
    try {
      await retryOnTransactionConflict(() =>
        this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: leadsTableKeys.lead(change.leadId),
                  UpdateExpression: 'SET offer = :offer, offerExpiryPartition = :partition, offerExpiresAt = :expiresAt, updatedAt = :at, history = list_append(history, :entry)',
                  ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(ownerId) AND attribute_not_exists(offer) AND #status = :new${scored.condition}`,
                  ExpressionAttributeNames: { '#status': 'status', ...scored.names },
                  ExpressionAttributeValues: {
                    ...scored.values,
                    ':new': 'new',
                    ':offer': change.offer,
                    ':partition': shardedPartition(openOfferPartition, change.leadId),
                    ':expiresAt': change.offer.expiresAt,
                    ':at': change.offer.offeredAt,
                    ':entry': [change.historyEntry],
                  },
                },
              },
              outboxPut(this.tableName, change.event),
            ],
          }),
        ),
      );
      return 'offered';
    } catch (error) {
      if (oversizedItems(error)?.[0]) return 'lead_full';
      if (failedConditions(error)?.[0]) return 'already_routed';
      throw error;
    }
  }

  async listExpiredOffers(now: string, page: { limit: number; after?: DuePosition }): Promise<DueLeadsPage> {
    return this.dueLeadsPage({ indexName: 'offer-expiry-by-time', partitionAttribute: 'offerExpiryPartition', prefix: openOfferPartition, sortAttribute: 'offerExpiresAt' }, now, page);
  }

  async listDueNurturedLeads(dueBy: string, page: { limit: number; after?: DuePosition }): Promise<DueLeadsPage> {
    return this.dueLeadsPage({ indexName: 'nurture-due-by-time', partitionAttribute: 'nurtureDuePartition', prefix: nurtureDuePartition, sortAttribute: 'nurtureDueAt' }, dueBy, page);
  }

  async leaveDueIndex(seen: Lead, index: LeadDueIndex): Promise<'left' | 'lead_changed'> {
    const attributes = index === 'nurture' ? ['nurtureDuePartition', 'nurtureDueAt'] : ['offerExpiryPartition', 'offerExpiresAt'];
    try {
      // Only removes attributes, so a lead at the item limit takes it.
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: leadsTableKeys.lead(seen.leadId),
          UpdateExpression: `REMOVE ${attributes.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND size(#history) = :seenHistory AND touches = :seenTouches',
          ExpressionAttributeNames: { '#history': 'history' },
          ExpressionAttributeValues: { ':seenHistory': seen.history.length, ':seenTouches': seen.touches },
        }),
      );
      return 'left';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'lead_changed';
      throw error;
    }
  }

  /** A page of a sharded due-time index of leads: due by `dueBy`, after `page.after` (its time, then its lead's key). */
  private async dueLeadsPage(index: { indexName: string; partitionAttribute: string; prefix: string; sortAttribute: string }, dueBy: string, page: { limit: number; after?: DuePosition }): Promise<DueLeadsPage> {
    const { after, limit } = page;
    const items = await dueItemsOfEveryShard(this.client, {
      tableName: this.tableName,
      ...index,
      dueBy,
      limit,
      ...(after ? { after: { sortValue: after.at, pk: leadsTableKeys.lead(after.leadId).pk } } : {}),
    });
    // The unreadable item stays due, and the position moves past it, so it holds back none after it.
    const leads = readableLeads(items, index.indexName);
    const last = items.length === limit ? items.at(-1) : undefined;
    // The position is the item's own key (`LEAD#<leadId>`), which even an unreadable item has.
    return { leads, ...(last ? { next: { at: String(last[index.sortAttribute]), leadId: String(last.pk).slice(leadsTableKeys.lead('').pk.length) } } : {}) };
  }

  async claimLead(claim: LeadClaim): Promise<'claimed' | 'lead_changed' | 'daily_limit' | 'holding_cap' | LeadFull> {
    const { limit } = claim.daily;
    try {
      await retryOnTransactionConflict(() =>
        this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: leadsTableKeys.lead(claim.leadId),
                  UpdateExpression:
                    'SET ownerId = :owner, ownerAgenda = :agenda, assignment = :assignment, #status = :assigned, updatedAt = :at, history = list_append(history, :entry) REMOVE poolWaiting, nurture, nurtureDuePartition, nurtureDueAt, #lock',
                  // A lock left on the waiting lead is lifted with the claim: the one the plan saw (and names on the timeline).
                  ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(ownerId) AND #status = :inPool AND poolId = :pool AND (attribute_not_exists(previousOwnerId) OR previousOwnerId <> :owner OR releasedAt <= :cooldownCutoff) AND ${claim.lockedAt === undefined ? 'attribute_not_exists(#lock)' : '#lock.#at = :lockedAt'}`,
                  ExpressionAttributeNames: { '#status': 'status', '#lock': 'lock', ...(claim.lockedAt === undefined ? {} : { '#at': 'at' }) },
                  ExpressionAttributeValues: {
                    ...(claim.lockedAt === undefined ? {} : { ':lockedAt': claim.lockedAt }),
                    ':owner': claim.ownerId,
                    ':agenda': claim.agenda,
                    ':assignment': claim.assignment,
                    ':assigned': 'assigned',
                    ':inPool': 'in_pool',
                    ':pool': claim.poolId,
                    ':cooldownCutoff': claim.cooldownCutoff,
                    ':at': claim.claimedAt,
                    ':entry': [claim.historyEntry, ...(claim.nurtureLeftEntry ? [claim.nurtureLeftEntry] : [])],
                  },
                },
              },
              {
                // Pool admins are counted too (for the record) but have no limit to stay under.
                Update: {
                  TableName: this.tableName,
                  Key: leadsTableKeys.repDailyClaims(claim.ownerId, claim.poolId, claim.daily.day),
                  UpdateExpression: 'ADD claims :one SET entity = :entity, repId = :repId, poolId = :pool, expiresAt = :expiresAt',
                  ...(limit === undefined ? {} : { ConditionExpression: 'attribute_not_exists(claims) OR claims < :limit' }),
                  ExpressionAttributeValues: {
                    ':one': 1,
                    ':entity': 'rep-daily-claims',
                    ':repId': claim.ownerId,
                    ':pool': claim.poolId,
                    ':expiresAt': claim.daily.expiresAt,
                    ...(limit === undefined ? {} : { ':limit': limit }),
                  },
                },
              },
              holdingCapIncrement(this.tableName, claim.ownerId, claim.holdingCap),
              ...[claim.event, ...(claim.unlockedEvent ? [claim.unlockedEvent] : [])].map((event) => outboxPut(this.tableName, event)),
            ],
          }),
        ),
      );
      return 'claimed';
    } catch (error) {
      if (oversizedItems(error)?.[0]) return 'lead_full';
      const failed = failedConditions(error);
      if (failed?.[0]) return 'lead_changed';
      if (failed?.[1]) return 'daily_limit';
      if (failed?.[2]) return 'holding_cap';
      // Still conflicting after every retry: another claim is mid-flight on this lead; the caller reads it again.
      if (isTransactionConflict(error)) return 'lead_changed';
      throw error;
    }
  }

  async releaseLead(release: LeadRelease): Promise<'released' | 'lead_changed' | LeadFull> {
    try {
      await retryOnTransactionConflict(() =>
        this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: leadsTableKeys.lead(release.leadId),
                  UpdateExpression:
                    'SET #status = :inPool, poolWaiting = :waiting, previousOwnerId = :owner, releasedAt = :at, updatedAt = :at, history = list_append(history, :entry) REMOVE ownerId, ownerAgenda, assignment, nextStepAt, followUp, #lock',
                  // The lock lifted is the one the plan saw (and names on the timeline).
                  ConditionExpression: `attribute_exists(pk) AND ownerId = :owner AND poolId = :pool AND #status IN (${releasableStatuses.map((_, index) => `:held${index}`).join(', ')}) AND ${release.lockedAt === undefined ? 'attribute_not_exists(#lock)' : '#lock.#at = :lockedAt'}`,
                  ExpressionAttributeNames: { '#status': 'status', '#lock': 'lock', ...(release.lockedAt === undefined ? {} : { '#at': 'at' }) },
                  ExpressionAttributeValues: {
                    ...(release.lockedAt === undefined ? {} : { ':lockedAt': release.lockedAt }),
                    ':inPool': 'in_pool',
                    ':owner': release.ownerId,
                    ':pool': release.poolId,
                    ':waiting': poolWaitingPartition(release.poolId),
                    ':at': release.releasedAt,
                    ':entry': [release.historyEntry],
                    ...Object.fromEntries(releasableStatuses.map((status, index) => [`:held${index}`, status])),
                  },
                },
              },
              openLeadDecrement(this.tableName, release.ownerId),
              ...[release.event, ...(release.unlockedEvent ? [release.unlockedEvent] : [])].map((event) => outboxPut(this.tableName, event)),
            ],
          }),
        ),
      );
      return 'released';
    } catch (error) {
      if (oversizedItems(error)?.[0]) return 'lead_full';
      const failed = failedConditions(error);
      if (failed?.[0]) return 'lead_changed';
      if (failed?.[1]) throw new Error(`Rep ${release.ownerId} owns lead ${release.leadId} but their open-lead counter is zero`, { cause: error });
      throw error;
    }
  }

  async listPoolLeads(poolId: string, page: { limit: number; after?: PoolCursor }, filter: PoolListingFilter = {}): Promise<{ leads: Lead[]; next?: PoolCursor }> {
    const waiting = poolWaitingPartition(poolId);
    const { capturedFrom, capturedTo } = filter;
    // A cursor from a page read under another window (or one that has moved on since): DynamoDB refuses a start
    // outside the query's range, so one past its end has nothing after it, and one before its start begins it.
    if (page.after && capturedTo && page.after.capturedAt > capturedTo) return { leads: [] };
    const after = page.after && capturedFrom && page.after.capturedAt < capturedFrom ? undefined : page.after;
    const captured = capturedFrom && capturedTo ? ' AND capturedAt BETWEEN :from AND :to' : capturedFrom ? ' AND capturedAt >= :from' : capturedTo ? ' AND capturedAt <= :to' : '';
    const kept = filterExpression({ 'score.grade': filter.grade, 'score.temperature': filter.temperature, channel: filter.channel }, { tags: filter.tag }, filter.nurturing ? ['nurture'] : []);
    const { items, resumeAt } = await this.queryPage(
      {
        IndexName: 'pool-waiting-by-capture',
        KeyConditionExpression: `poolWaiting = :waiting${captured}`,
        ...kept,
        ExpressionAttributeValues: { ':waiting': waiting, ...(capturedFrom ? { ':from': capturedFrom } : {}), ...(capturedTo ? { ':to': capturedTo } : {}), ...kept.ExpressionAttributeValues },
        ExclusiveStartKey: after && { ...leadsTableKeys.lead(after.leadId), poolWaiting: waiting, capturedAt: after.capturedAt },
      },
      page.limit,
    );
    return { leads: readableLeads(items, 'pool-waiting-by-capture'), next: resumeAt && { capturedAt: String(resumeAt.capturedAt), leadId: leadIdOfKey(resumeAt) } };
  }

  async listOwnedLeads(ownerId: string, filter: MyLeadsFilter, page: { limit: number; after?: MyLeadsCursor }): Promise<{ leads: Lead[]; next?: MyLeadsCursor }> {
    // A cursor at or past the `due` bound (from a page read without it, or with a later one) has nothing after it in range.
    if (page.after && filter.dueBefore && page.after.agenda >= filter.dueBefore) return { leads: [] };
    const statuses = Object.fromEntries(filter.statuses.map((status, index) => [`:status${index}`, status]));
    const kept = filterExpression({ 'score.grade': filter.grade }, { tags: filter.tag });
    const { items, resumeAt } = await this.queryPage(
      {
        IndexName: 'owner-agenda',
        KeyConditionExpression: `ownerId = :owner${filter.dueBefore ? ' AND ownerAgenda < :due' : ''}`,
        FilterExpression: [`#status IN (${Object.keys(statuses).join(', ')})`, kept.FilterExpression].filter(Boolean).join(' AND '),
        ExpressionAttributeNames: { '#status': 'status', ...kept.ExpressionAttributeNames },
        ExpressionAttributeValues: { ':owner': ownerId, ...statuses, ...(filter.dueBefore ? { ':due': filter.dueBefore } : {}), ...kept.ExpressionAttributeValues },
        ExclusiveStartKey: page.after && { ...leadsTableKeys.lead(page.after.leadId), ownerId, ownerAgenda: page.after.agenda },
      },
      page.limit,
    );
    return { leads: readableLeads(items, 'owner-agenda'), next: resumeAt && { agenda: String(resumeAt.ownerAgenda), leadId: leadIdOfKey(resumeAt) } };
  }

  /**
   * Up to `limit` items of an index query whose filter may drop some, and where the next page resumes: after
   * the last item when at least one more passes the filter (one more than the page is read to know), or after
   * the last item evaluated when the page has read `maxEvaluatedPerPage` items (the page is then short, even
   * empty). So a cursor is given only when the list goes on, and a filter that keeps few items of a large
   * index part costs a bounded number of reads per page rather than one request per item, or a timeout.
   */
  private async queryPage(input: Omit<QueryCommandInput, 'TableName' | 'Limit'>, limit: number): Promise<{ items: Array<Record<string, unknown>>; resumeAt?: Record<string, unknown> }> {
    const items: Array<Record<string, unknown>> = [];
    let start = input.ExclusiveStartKey;
    let evaluated = 0;
    for (;;) {
      const wanted = limit + 1 - items.length;
      // DynamoDB's Limit counts items evaluated, before the filter: a filtered query asks for many at a time.
      const { Items, LastEvaluatedKey, ScannedCount } = await this.client.send(
        new QueryCommand({ ...input, TableName: this.tableName, Limit: input.FilterExpression ? Math.max(wanted, filteredQueryLimit) : wanted, ExclusiveStartKey: start }),
      );
      items.push(...(Items ?? []));
      evaluated += ScannedCount ?? Items?.length ?? 0;
      if (items.length > limit) return { items: items.slice(0, limit), resumeAt: items[limit - 1] };
      if (!LastEvaluatedKey) return { items };
      if (evaluated >= maxEvaluatedPerPage) return { items, resumeAt: LastEvaluatedKey };
      start = LastEvaluatedKey;
    }
  }

  async applyTransition(transition: LeadTransition): Promise<'applied' | 'lead_changed' | 'holding_cap' | LeadFull> {
    const { before, after } = transition;
    const update = leadUpdate(before, after, leadExpiry(after, this.retention));
    const followers = await this.retentionFollowers(before, after);
    const events = [transition.event, ...(transition.unlockedEvent ? [transition.unlockedEvent] : [])];
    // The person keys and the first ledger entries change with the lead; entries beyond one transaction follow once it is written (never ahead of it).
    const room = Math.max(0, transactionItemLimit - transition.openLeads.length - 1 - events.length);
    try {
      await retryOnTransactionConflict(() =>
        this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: leadsTableKeys.lead(before.leadId),
                  ...update,
                  // Every change appends to the history and every touch counts itself (its timeline entry is dropped once enough are kept):
                  // the same length and count mean the lead is still as it was read.
                  ConditionExpression: 'attribute_exists(pk) AND size(#history) = :seenHistory AND touches = :seenTouches',
                  ExpressionAttributeNames: { ...update.ExpressionAttributeNames, '#history': 'history' },
                  ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':seenHistory': before.history.length, ':seenTouches': before.touches },
                },
              },
              ...transition.openLeads.map((move) => (move.change === 1 ? holdingCapIncrement(this.tableName, move.repId, move.cap) : openLeadDecrement(this.tableName, move.repId))),
              ...events.map((event) => outboxPut(this.tableName, event)),
              ...followers.slice(0, room),
            ],
          }),
        ),
      );
    } catch (error) {
      // The timeline would take the item over 400 KB: DynamoDB refuses it however often it is sent.
      if (oversizedItems(error)?.[0]) return 'lead_full';
      const failed = failedConditions(error);
      if (failed?.[0] || (!failed && isTransactionConflict(error))) return 'lead_changed';
      // A person key released or taken by another lead since it was read: read the lead again.
      if (failed?.slice(transition.openLeads.length + 1 + events.length).some(Boolean)) return 'lead_changed';
      const move = transition.openLeads.find((_, index) => failed?.[index + 1]);
      if (move?.change === 1) return 'holding_cap';
      if (move) throw new Error(`Rep ${move.repId} holds lead ${before.leadId} but their open-lead counter is zero`, { cause: error });
      throw error;
    }
    await writeAfterTheLead(this.client, followers.slice(room));
    return 'applied';
  }

  /**
   * When a transition gives the lead an expiry, changes it or takes it away (a reactivation), the same
   * change for the person keys the lead still holds (a key now another lead's is left alone), for its
   * consent ledger entries and its references; nothing when the expiry stays as it was. A reference to a
   * webhook delivery takes the earlier of the lead's expiry and the delivery's (`webhookReferenceExpiryItems`).
   */
  private async retentionFollowers(before: Lead, after: Lead) {
    const expiresAt = leadExpiresAt(after, this.retention);
    if (expiresAt === leadExpiresAt(before, this.retention)) return [];
    const change = expiresAt === undefined ? { UpdateExpression: 'REMOVE expiresAt', values: {} } : { UpdateExpression: 'SET expiresAt = :expiresAt', values: { ':expiresAt': expiresAt } };
    const { leadId } = after;
    const personKeys = [...new Set([before, after].flatMap(personKeysOf))];
    const [holders, consents, deliveryKeys] = await Promise.all([
      Promise.all(personKeys.map((key) => holderOf(this.client, this.tableName, key))),
      new DynamoDbConsentLedger(this.client, this.tableName).entriesFor(leadId),
      deliveryKeysHeldBy(this.client, this.tableName, after),
    ]);
    const toDeliveries = deliveryKeys.references.flatMap(({ reference, target }) => (target && isWebhookDeliveryReference(reference) ? [{ reference, target }] : []));
    const webhookReferences = await webhookReferenceExpiryItems(this.client, this.tableName, toDeliveries, expiresAt);
    const update = (Key: Record<string, string>, condition: string, values: Record<string, unknown> = {}) => ({
      Update: {
        TableName: this.tableName,
        Key,
        UpdateExpression: change.UpdateExpression,
        // An update of a missing item would create it: each is conditional on the item (still) being there.
        ConditionExpression: condition,
        ...(Object.keys({ ...change.values, ...values }).length ? { ExpressionAttributeValues: { ...change.values, ...values } } : {}),
      },
    });
    return [
      ...personKeys.filter((_, index) => holders[index] === leadId).map((key) => update(leadsTableKeys.dedup(key), 'leadId = :leadId', { ':leadId': leadId })),
      // Ahead of the ledger entries, so they and the checks of their deliveries' expiry go in the lead's own transaction while they fit (beyond it, `writeAfterTheLead`).
      ...webhookReferences,
      ...consents.map((entry) => update(leadsTableKeys.consent(entry), 'attribute_exists(pk)')),
      ...deliveryKeys.keys.map((Key) => update(Key, 'leadId = :leadId', { ':leadId': leadId })),
      ...deliveryKeys.references.filter(({ reference }) => !isWebhookDeliveryReference(reference)).map(({ reference }) => update(reference, 'attribute_exists(pk)')),
    ];
  }
}

/** Items one query of a filtered list page evaluates: a filter that discards most of them still costs one request per 200. */
const filteredQueryLimit = 200;

/** Items one list page evaluates at most (five filtered queries, more only for items large enough to fill 1 MB sooner); past it the page ends where it stopped reading, with a cursor. */
const maxEvaluatedPerPage = 1_000;

/** The lead id of a lead item or of an index query's `LastEvaluatedKey` (which holds the table key, not `leadId`). */
function leadIdOfKey(key: Record<string, unknown>): string {
  return String(key.pk).slice(leadsTableKeys.lead('').pk.length);
}

/**
 * The changes that follow a lead's own transaction (its items' expiry, an erasure's stripping), once the lead is written:
 * nothing can refuse the lead's change any more, so a check of a delivery's expiry is left out, and an item gone
 * meanwhile (a ledger entry or reference whose condition fails) has nothing to follow: the others still do. A chunk
 * that other writes keep cancelling is written an update at a time, each retried on a conflict, so a
 * conflict never leaves the lead's followers behind it as they were.
 */
export async function writeAfterTheLead(client: DynamoDBDocumentClient, followers: readonly TransactItem[]): Promise<void> {
  const updates = followers.filter((item) => item.ConditionCheck === undefined);
  for (let start = 0; start < updates.length; start += transactionItemLimit) {
    const chunk = updates.slice(start, start + transactionItemLimit);
    try {
      await retryOnTransactionConflict(() => client.send(new TransactWriteCommand({ TransactItems: chunk })));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      for (const { Update } of chunk) if (Update) await ignoringFailedCondition(retryOnTransactionConflict(() => client.send(new UpdateCommand(Update))));
    }
  }
}

/** The lead's TTL attribute as an update: set while the lead may expire, removed once it is worked again. */
export function leadExpiry(lead: Lead, retention: Retention): { set?: Record<string, unknown>; remove?: string[] } {
  const expiresAt = leadExpiresAt(lead, retention);
  return expiresAt === undefined ? { remove: ['expiresAt'] } : { set: { expiresAt } };
}

/** The lead as stored, read consistently; `undefined` when there is none. */
export async function readLead(client: DynamoDBDocumentClient, tableName: string, leadId: string): Promise<Lead | undefined> {
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: leadsTableKeys.lead(leadId), ConsistentRead: true }));
  return Item ? leadFromItem(Item) : undefined;
}

/** The id of the lead holding a dedup key (a person's or a delivery's), read consistently; `undefined` when none does. */
export async function holderOf(client: DynamoDBDocumentClient, tableName: string, dedupKey: string): Promise<string | undefined> {
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: leadsTableKeys.dedup(dedupKey), ConsistentRead: true }));
  return Item ? String(Item.leadId) : undefined;
}

/**
 * The delivery keys the lead holds, and every reference the lead has (`LEADREFS#<leadId>`: to its delivery
 * keys and to webhook deliveries holding its person's answers), which follow a change of its retention. The
 * keys are those its references name, and the key of the platform delivery that created it (a lead stored
 * before references were written has none).
 */
export async function deliveryKeysHeldBy(client: DynamoDBDocumentClient, tableName: string, lead: Lead): Promise<{ keys: Array<Record<string, string>>; references: LeadReference[] }> {
  const references = await leadReferencesOf(client, tableName, lead.leadId);
  const candidates = new Set<string>();
  if (lead.source.platformLeadId) candidates.add(leadsTableKeys.dedup(deliveryDedupKey(lead.source.kind, lead.source.sourceId, lead.source.platformLeadId)).pk);
  for (const { reference, target } of references) if (reference.sk.startsWith('DEDUP#') && target) candidates.add(target.pk);
  const keys = [...candidates].map((pk) => ({ pk, sk: 'DEDUP' }));
  const holders = await Promise.all(keys.map((Key) => client.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))));
  return { keys: keys.filter((_, index) => holders[index].Item?.leadId === lead.leadId), references };
}

/**
 * The leads of a page an index query read. An item that no longer reads as a lead (written by hand, or by a
 * version whose schema has moved on) is logged as an error naming it and left out, not the page: one such item
 * must not stop a pool's members, a rep's list or a schedule from reaching every other lead. Pages resume after
 * the item's own key, which even an unreadable item has, so it holds back none after it.
 */
function readableLeads(items: readonly Record<string, unknown>[], indexName: string): Lead[] {
  return items.flatMap((item) => {
    try {
      return [leadFromItem(item)];
    } catch (error) {
      logger.error('A lead item does not read as a lead; it is left out of the page and stays as it is until it is repaired', { pk: item.pk, indexName, problem: (error as Error).message.slice(0, 500) });
      return [];
    }
  });
}

/**
 * The update that turns the stored `before` into `after`: changed and added top-level fields set, gone
 * ones removed (other attributes of the item stay), new history entries appended, and the index
 * attributes (`leadIndexAttributes`) set or removed to match `after`; `extra` sets or removes attributes
 * the lead does not hold (a job's own index attributes).
 */
export function leadUpdate(
  before: Lead,
  after: Lead,
  extra: { set?: Record<string, unknown>; remove?: readonly string[] } = {},
): { UpdateExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> } {
  const set: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(after)) {
    if (field !== 'history' && value !== undefined && JSON.stringify(value) !== JSON.stringify(before[field as keyof Lead])) set[field] = value;
  }
  const remove = Object.keys(before).filter((field) => before[field as keyof Lead] !== undefined && after[field as keyof Lead] === undefined);
  const indexed = leadIndexAttributes(after);
  for (const [attribute, value] of Object.entries(leadIndexAttributes(before))) if (value !== undefined && !(attribute in indexed)) remove.push(attribute);
  Object.assign(set, indexed, extra.set);
  remove.push(...(extra.remove ?? []));
  // New entries are appended; a timeline whose entries changed (an erasure takes typed words out) is written whole.
  const rewritesHistory = before.history.some((entry, index) => JSON.stringify(entry) !== JSON.stringify(after.history[index]));
  if (rewritesHistory) set.history = after.history;
  const appended = rewritesHistory ? [] : after.history.slice(before.history.length);
  const assignments = [...Object.keys(set).map((field) => `#${field} = :${field}`), ...(appended.length ? ['#history = list_append(#history, :appendedHistory)'] : [])];
  return {
    UpdateExpression: [`SET ${assignments.join(', ')}`, remove.length ? `REMOVE ${remove.map((field) => `#${field}`).join(', ')}` : ''].join(' ').trim(),
    ExpressionAttributeNames: Object.fromEntries([...Object.keys(set), ...remove, ...(appended.length ? ['history'] : [])].map((field) => [`#${field}`, field])),
    ExpressionAttributeValues: { ...Object.fromEntries(Object.entries(set).map(([field, value]) => [`:${field}`, value])), ...(appended.length ? { ':appendedHistory': appended } : {}) },
  };
}

/**
 * A filter expression keeping items whose (dotted) attributes equal the `equal` values and whose list
 * attributes hold the `containing` ones, and that have the `present` attributes; undefined values keep everything.
 */
function filterExpression(
  equal: Record<string, string | undefined>,
  containing: Record<string, string | undefined> = {},
  present: readonly string[] = [],
): { FilterExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, string> } {
  const defined = (values: Record<string, string | undefined>) => Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const conditions = [...defined(equal).map(([path, value]) => ({ path, value, contains: false })), ...defined(containing).map(([path, value]) => ({ path, value, contains: true }))];
  if (conditions.length === 0 && present.length === 0) return {};
  const names: Record<string, string> = {};
  const values: Record<string, string> = {};
  const clauses = conditions.map(({ path, value, contains }, index) => {
    const parts = path.split('.');
    for (const part of parts) names[`#f${part}`] = part;
    values[`:f${index}`] = value;
    const attribute = parts.map((part) => `#f${part}`).join('.');
    return contains ? `contains(${attribute}, :f${index})` : `${attribute} = :f${index}`;
  });
  for (const attribute of present) {
    names[`#f${attribute}`] = attribute;
    clauses.push(`attribute_exists(#f${attribute})`);
  }
  return { FilterExpression: clauses.join(' AND '), ExpressionAttributeNames: names, ...(conditions.length ? { ExpressionAttributeValues: values } : {}) };
}

/** A routing write's condition: the lead is `new` and unowned, not on offer (unless the write closes it), and not re-scored since `scoredAt`. */
function routableLeadCondition(change: RoutingGuard): ConditionParts {
  const scored = scoreGuard(change);
  return {
    condition: `attribute_exists(pk) AND attribute_not_exists(ownerId) AND #status = :new${change.closesOffer ? '' : ' AND attribute_not_exists(offerExpiresAt)'}${scored.condition}`,
    names: { '#status': 'status', ...scored.names },
    values: { ':new': 'new', ...scored.values },
  };
}

interface ConditionParts {
  condition: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** The lead still has the score a routing decision was made on (none asked: any score). */
function scoreGuard(change: Pick<RoutingGuard, 'scoredAt'>): ConditionParts {
  if (change.scoredAt === undefined) return { condition: '', names: {}, values: {} };
  return { condition: ' AND #score.#scoredAt = :scoredAt', names: { '#score': 'score', '#scoredAt': 'scoredAt' }, values: { ':scoredAt': change.scoredAt } };
}

/** The email and phone dedup keys of the lead's contact (the keys it holds, unless another lead took them first). */
function personKeysOf(lead: Lead): string[] {
  return [lead.contact.email && personDedupKey('email', lead.contact.email), lead.contact.phone && personDedupKey('phone', lead.contact.phone)].filter((key): key is string => Boolean(key));
}

import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { partitionItems } from './dynamodb-partition';
import { consentLedgerEntrySchema, holdsPersonalData, wasErased, withoutPersonalData, type ConsentLedgerEntry, type ConsentsGiven, type LeadHistoryEntry } from '@leadflow/domain';
import type { ConsentLedger } from '../ports/consent-ledger';
import { consentLedgerPartition, leadsTableKeys } from './leads-table-keys';

/**
 * The table item of one ledger entry; the lead store writes the entries of a capture in the lead's own
 * transaction, with the lead's `expiresAt` when it has one (a test, quarantined or invalid lead's ledger
 * holds the person's IP and user agent no longer than the lead).
 */
export function consentLedgerItem(entry: ConsentLedgerEntry, expiresAt?: number): Record<string, unknown> {
  return { ...leadsTableKeys.consent(entry), entity: 'consent', ...consentLedgerEntrySchema.parse(entry), ...(expiresAt === undefined ? {} : { expiresAt }) };
}

export class DynamoDbConsentLedger implements ConsentLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * Appends an entry (a withdrawal) with its lead's expiry, so proof of consent or withdrawal is kept exactly
   * as long as the lead: for ever while it is worked, and no longer than a test, quarantined, invalid or
   * erased lead. The lead's expiry is checked in the write, so a change of it in between is read again; an
   * entry for a lead no longer in the table (its retention ran out) is not written. An erased lead's entry
   * is written without the IP and user agent: an entry holding them is written only while the lead's timeline
   * is as read, so an erasure landing in between (a confirmation pressed as the person is erased) makes it read again.
   * A withdrawal takes the lead's mark of the consent given for its purpose away (see `withdrawnMark`).
   */
  async append(entry: ConsentLedgerEntry): Promise<void> {
    consentLedgerEntrySchema.parse(entry);
    const lead = leadsTableKeys.lead(entry.leadId);
    for (let tries = 1; ; tries += 1) {
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: lead,
          ProjectionExpression: 'pk, expiresAt, #history, consentGiven',
          ExpressionAttributeNames: { '#history': 'history' },
          ConsistentRead: true,
        }),
      );
      if (!Item) return;
      const expiresAt = typeof Item.expiresAt === 'number' ? Item.expiresAt : undefined;
      const history = (Item.history ?? []) as LeadHistoryEntry[];
      const written = wasErased({ history }) ? withoutPersonalData(entry) : entry;
      const expiryUnchanged = expiresAt === undefined ? 'attribute_exists(pk) AND attribute_not_exists(expiresAt)' : 'expiresAt = :expiresAt';
      // Every change of the lead, an erasure too, appends to its timeline: the same length means it was not erased since.
      const holdsPerson = holdsPersonalData(written);
      const mark = withdrawnMark(entry, Item.consentGiven as ConsentsGiven | undefined);
      const conditions = [expiryUnchanged, ...(holdsPerson ? ['size(#history) = :seenHistory'] : []), ...(mark ? [mark.condition] : [])].join(' AND ');
      const names = { ...(holdsPerson ? { '#history': 'history' } : {}), ...mark?.names };
      const values = { ...(expiresAt === undefined ? {} : { ':expiresAt': expiresAt }), ...(holdsPerson ? { ':seenHistory': history.length } : {}), ...mark?.values };
      const check = {
        TableName: this.tableName,
        Key: lead,
        ConditionExpression: conditions,
        ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      };
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: [
              mark?.remove ? { Update: { ...check, UpdateExpression: mark.remove } } : { ConditionCheck: check },
              // The key holds time, purpose and action, so a retried append of the same change writes the same item once.
              { Put: { TableName: this.tableName, Item: consentLedgerItem(written, expiresAt) } },
            ],
          }),
        );
        return;
      } catch (error) {
        const changed = error instanceof TransactionCanceledException && ['ConditionalCheckFailed', 'TransactionConflict'].includes(error.CancellationReasons?.[0]?.Code ?? '');
        if (!changed || tries >= 5) throw error;
      }
    }
  }

  async entriesFor(leadId: string): Promise<ConsentLedgerEntry[]> {
    return (await storedConsentEntries(this.client, this.tableName, leadId)).map(({ entry }) => entry);
  }
}

/**
 * What a withdrawal does to the lead's `consentGiven` mark of its purpose: takes it away (`remove`), so the next
 * post giving that consent is recorded, on the mark as read; with none there, checks that a touch set none meanwhile.
 * Other entries leave the marks as they are.
 */
function withdrawnMark(entry: ConsentLedgerEntry, marks: ConsentsGiven | undefined): { condition: string; remove?: string; names: Record<string, string>; values: Record<string, unknown> } | undefined {
  if (entry.action !== 'withdrawn') return undefined;
  const names = { '#consentGiven': 'consentGiven', '#withdrawnPurpose': entry.purpose };
  const mark = marks?.[entry.purpose];
  if (!mark) return { condition: 'attribute_not_exists(#consentGiven.#withdrawnPurpose)', names, values: {} };
  return {
    condition: '#consentGiven.#withdrawnPurpose.#markAt = :markAt',
    remove: 'REMOVE #consentGiven.#withdrawnPurpose',
    names: { ...names, '#markAt': 'at' },
    values: { ':markAt': mark.at },
  };
}

/** A lead's ledger entries in time order, each with the expiry its item carries (`undefined`: kept). */
export async function storedConsentEntries(client: DynamoDBDocumentClient, tableName: string, leadId: string): Promise<Array<{ entry: ConsentLedgerEntry; expiresAt?: number }>> {
  return (await partitionItems(client, tableName, consentLedgerPartition(leadId))).map((item) => {
    const { pk: _pk, sk: _sk, entity: _entity, expiresAt, ...entry } = item;
    return { entry: consentLedgerEntrySchema.parse(entry), ...(typeof expiresAt === 'number' ? { expiresAt } : {}) };
  });
}

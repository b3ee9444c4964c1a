import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { consentLedgerEntrySchema, type ConsentLedgerEntry } from '@leadflow/domain';
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

  async append(entry: ConsentLedgerEntry): Promise<void> {
    // The key holds time, purpose and action, so a retried append of the same change writes the same item once.
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: consentLedgerItem(entry) }));
  }

  async entriesFor(leadId: string): Promise<ConsentLedgerEntry[]> {
    const entries: ConsentLedgerEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': consentLedgerPartition(leadId) }, ConsistentRead: true, ExclusiveStartKey: startKey }),
      );
      for (const item of page.Items ?? []) {
        const { pk: _pk, sk: _sk, entity: _entity, expiresAt: _expiresAt, ...entry } = item;
        entries.push(consentLedgerEntrySchema.parse(entry));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return entries;
  }
}

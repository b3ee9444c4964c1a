import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { leadReferencesPartition } from './leads-table-keys';

/** A reference kept under a lead (`LEADREFS#<leadId>`), and the key of the item it names (`target`), when it names one. */
export interface LeadReference {
  reference: Record<string, string>;
  target?: Record<string, string>;
}

/**
 * The lead's references whose sort key starts with `prefix` (every one without it), all pages, read
 * consistently: the one reader of the partition for the lead store, erasures and exports.
 */
export async function leadReferencesOf(client: DynamoDBDocumentClient, tableName: string, leadId: string, prefix = ''): Promise<LeadReference[]> {
  const found: LeadReference[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: prefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': leadReferencesPartition(leadId), ...(prefix ? { ':prefix': prefix } : {}) },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) found.push({ reference: { pk: String(item.pk), sk: String(item.sk) }, ...(item.target ? { target: item.target as Record<string, string> } : {}) });
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return found;
}

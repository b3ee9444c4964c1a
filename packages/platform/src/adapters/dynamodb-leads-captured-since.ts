import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Lead } from '@leadflow/domain';
import { leadFromItem } from './lead-item';

/**
 * Every lead captured at or after `since`, read with a filtered Scan of the table (it only reads: the
 * routing dry run uses it against a deployed table too). A Scan reads the whole table and bills for it;
 * a lead-by-capture-time index would be the step up for large tables.
 */
export async function readLeadsCapturedSince(client: DynamoDBDocumentClient, tableName: string, since: Date): Promise<Lead[]> {
  const leads: Lead[] = [];
  const pages = paginateScan({ client }, { TableName: tableName, FilterExpression: 'entity = :lead AND capturedAt >= :since', ExpressionAttributeValues: { ':lead': 'lead', ':since': since.toISOString() } });
  for await (const page of pages) leads.push(...(page.Items ?? []).map(leadFromItem));
  return leads;
}

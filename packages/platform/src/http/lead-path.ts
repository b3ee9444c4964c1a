import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { maxLeadIdLength } from '@leadflow/domain';
import { notFound } from './http-errors';

/**
 * The `{leadId}` of a `/leads/{leadId}…` route. An id longer than any lead's is a `404`, as an unknown
 * id is: sent to DynamoDB as a key, an over-long one would be refused there and answered as a `500`.
 */
export function leadIdFromPath(event: APIGatewayProxyEventV2): string {
  const leadId = event.pathParameters?.leadId ?? '';
  if (leadId.length > maxLeadIdLength) throw notFound(`Lead "${leadId.slice(0, 40)}…" does not exist`);
  return leadId;
}

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { notFound } from './http-errors';

/** Longer than any lead id this backend gives (a UUID), and far inside DynamoDB's 2,048-byte key limit. */
const maxLeadIdLength = 128;

/**
 * The `{leadId}` of a `/leads/{leadId}…` route. An id longer than any lead's is a `404`, as an unknown
 * id is: sent to DynamoDB as a key, an over-long one would be refused there and answered as a `500`.
 */
export function leadIdFromPath(event: APIGatewayProxyEventV2): string {
  const leadId = event.pathParameters?.leadId ?? '';
  if (leadId.length > maxLeadIdLength) throw notFound(`Lead "${leadId.slice(0, 40)}…" does not exist`);
  return leadId;
}

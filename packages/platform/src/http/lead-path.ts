import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { maxLeadIdLength } from '@leadflow/domain';
import { notFound } from './http-errors';

/**
 * The `{leadId}` of a `/leads/{leadId}…` route. An id longer than any lead's is a `404`, as an unknown
 * id is: sent to DynamoDB as a key, an over-long one would be refused there and answered as a `500`.
 */
export function leadIdFromPath(event: APIGatewayProxyEventV2): string {
  const leadId = event.pathParameters?.leadId ?? '';
  if (leadId.length > maxLeadIdLength) throw notFound(`Lead ${quotedPathId(leadId)} does not exist`);
  return leadId;
}

/** A path id as an answer's message quotes it: its first 40 characters, so a long one does not fill the answer. */
export function quotedPathId(id: string): string {
  return id.length > 40 ? `"${id.slice(0, 40)}…"` : `"${id}"`;
}

import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { unknownQueryParameterIssues } from '@leadflow/domain';
import { badRequest } from './http-errors';

/**
 * For a route that takes no query parameters (`httpHandler`'s default): each one sent is a 400 naming it, as the
 * routes that take some refuse the ones they do not, rather than answering as if it had been read (`/routing?pool=x`).
 */
export function refuseQueryParameters(event: Pick<APIGatewayProxyEventV2, 'queryStringParameters'>): void {
  const unknown = unknownQueryParameterIssues(event.queryStringParameters ?? {}, []);
  if (unknown.length) throw badRequest('The query is invalid', unknown);
}

import { encodePageCursor, myLeadsFilter, myLeadsQuerySchema, myLeadView, pageCursorScope, pageCursorScopeIssues, toQueryIssueList, unknownTagIssues, type Configuration } from '@leadflow/domain';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { badRequest } from './http/http-errors';
import { personalDataResponse } from './http/responses';
import type { LeadStore } from './ports/lead-store';

/**
 * A page of the leads `ownerId` owns, in the order to work them, answered with their contact details:
 * `GET /me/leads` (the caller's) and `GET /reps/{repId}/leads` (a rep's, for managers). Each route's
 * cursors name their list (`list`), so a cursor of one cannot page the other.
 */
export async function ownedLeadsAnswer(
  deps: { config: Configuration; leads: Pick<LeadStore, 'listOwnedLeads'>; now: () => Date },
  request: { event: APIGatewayProxyEventV2; ownerId: string; list: 'my-leads' | 'rep-leads' },
): Promise<APIGatewayProxyStructuredResultV2> {
  const query = myLeadsQuerySchema.safeParse(request.event.queryStringParameters ?? {});
  if (!query.success) throw badRequest('The query is invalid', toQueryIssueList(query.error, myLeadsQuerySchema));
  const scope = pageCursorScope(request.list, request.ownerId);
  const unknown = [...unknownTagIssues(query.data.tag, deps.config.tags), ...pageCursorScopeIssues(query.data.cursor, scope)];
  if (unknown.length) throw badRequest('The query is invalid', unknown);
  const at = deps.now();
  const page = await deps.leads.listOwnedLeads(request.ownerId, myLeadsFilter(query.data, at), { limit: query.data.limit, after: query.data.cursor?.at });
  return personalDataResponse({ ownerId: request.ownerId, leads: page.leads.map((lead) => myLeadView(lead, at)), ...(page.next ? { cursor: encodePageCursor(page.next, scope) } : {}) });
}

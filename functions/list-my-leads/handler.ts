import { encodePageCursor, mayWorkPools, myLeadsFilter, myLeadsQuerySchema, myLeadView, pageCursorScope, pageCursorScopeIssues, toIssueList, unknownTagIssues } from '@leadflow/domain';
import { badRequest, forbidden, httpHandler, personalDataResponse, lambdaDependenciesOf, principalFrom, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `GET /me/leads[?status=…][&grade=…][&tag=…][&due=…][&overdue=true][&limit=50][&cursor=…]`: the caller's own
 * leads in the order to work them (overdue next steps, then due soonest, then hottest and best grade).
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now'>) {
  return httpHandler(async (event) => {
    const principal = principalFrom(event);
    if (!mayWorkPools(principal)) throw forbidden('Own leads are for reps, managers and admins');
    const query = myLeadsQuerySchema.safeParse(event.queryStringParameters ?? {});
    if (!query.success) throw badRequest('The query is invalid', toIssueList(query.error));
    const { config, leads, now } = dependencies();
    const scope = pageCursorScope('my-leads', principal.id);
    const unknown = [...unknownTagIssues(query.data.tag, config.tags), ...pageCursorScopeIssues(query.data.cursor, scope)];
    if (unknown.length) throw badRequest('The query is invalid', unknown);
    const at = now();
    const page = await leads.listOwnedLeads(principal.id, myLeadsFilter(query.data, at), { limit: query.data.limit, after: query.data.cursor?.at });
    return personalDataResponse({ ownerId: principal.id, leads: page.leads.map((lead) => myLeadView(lead, at)), ...(page.next ? { cursor: encodePageCursor(page.next, scope) } : {}) });
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now }));

import { canViewPool, encodePageCursor, pageCursorScope, pageCursorScopeIssues, poolLeadView, poolListingFilter, poolListingQuerySchema, toQueryIssueList, unknownChannelIssues, unknownTagIssues } from '@leadflow/domain';
import { badRequest, forbidden, httpHandler, personalDataResponse, lambdaDependenciesOf, notFound, quotedPathId, principalFrom, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `GET /pools/{poolId}/leads[?limit=50][&cursor=…][&grade=A][&temperature=hot][&channel=…][&tag=…][&minAgeHours=…][&maxAgeHours=…]`:
 * the leads waiting unowned in a pool that pass the filters, oldest first,
 * for its members and admins, managers and admins; contact details masked for reps until they claim.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now'>) {
  return httpHandler(
    async (event) => {
      const principal = principalFrom(event);
      const { config, leads, now } = dependencies();
      const poolId = event.pathParameters?.poolId ?? '';
      const pool = config.pools.find((candidate) => candidate.id === poolId);
      if (!pool) throw notFound(`Pool ${quotedPathId(poolId)} does not exist`);
      if (!canViewPool(principal, pool)) throw forbidden(`${principal.id} is not a member of pool ${poolId}`);
      const query = poolListingQuerySchema.safeParse(event.queryStringParameters ?? {});
      if (!query.success) throw badRequest('The pool listing query is invalid', toQueryIssueList(query.error, poolListingQuerySchema));
      // A pool's cursor, not a caller's: every member pages through the same waiting leads.
      const scope = pageCursorScope('pool-leads', pool.id);
      const unknown = [...unknownChannelIssues(query.data.channel, config.channels), ...unknownTagIssues(query.data.tag, config.tags), ...pageCursorScopeIssues(query.data.cursor, scope)];
      if (unknown.length) throw badRequest('The pool listing query is invalid', unknown);
      const page = await leads.listPoolLeads(pool.id, { limit: query.data.limit, after: query.data.cursor?.at }, poolListingFilter(query.data, now()));
      const seesContact = principal.roles.includes('manager') || principal.roles.includes('admin');
      return personalDataResponse({ poolId, leads: page.leads.map((lead) => poolLeadView(lead, seesContact)), ...(page.next ? { cursor: encodePageCursor(page.next, scope) } : {}) });
    },
    { query: 'read' },
  );
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now }));

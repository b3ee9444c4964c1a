import { canViewChannelRoi, funnelTotal, reportPageQuerySchema, showsChanges, toQueryIssueList } from '@leadflow/domain';
import { badRequest, channelRoiPage, channelRoiReportLines, forbidden, httpHandler, lambdaDependenciesOf, principalFrom, reportWithinLimit, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `GET /reports/channel-roi.html?from&to[&groupBy][&attribution][&sinceVersion|&changedSince]`: the export as a page, with a chart of spend
 * against revenue per channel and, unless it shows only what changed since an earlier export, the range's funnel.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'roi'>) {
  return httpHandler(
    async (event) => {
      if (!canViewChannelRoi(principalFrom(event))) throw forbidden('Channel ROI is for finance, managers and admins');
      const parsed = reportPageQuerySchema.safeParse(event.queryStringParameters ?? {});
      if (!parsed.success) throw badRequest('The report parameters are invalid', toQueryIssueList(parsed.error, reportPageQuerySchema));
      const query = parsed.data;
      const deps = dependencies();
      const lines = await channelRoiReportLines(query, deps);
      const body = channelRoiPage({
        organisation: deps.config.organisation.name,
        currency: deps.config.organisation.currency,
        from: query.from,
        to: query.to,
        attribution: query.attribution,
        lines,
        shape: { groupBy: query.groupBy, withChanges: showsChanges(query) },
        ...(showsChanges(query) ? {} : { funnel: funnelTotal(lines, query.attribution) }),
      });
      return reportWithinLimit(
        {
          statusCode: 200,
          // The page runs no script and loads nothing: a strict policy costs nothing.
          headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'", 'cache-control': 'no-store' },
          body,
        },
        query,
        query.groupBy === 'campaign' ? ['groupBy=channel'] : [],
      );
    },
    { query: 'read' },
  );
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, roi: providers.roi }));

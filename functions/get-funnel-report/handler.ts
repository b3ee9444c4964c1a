import { canViewChannelRoi, funnelCsv, funnelJsonRows, funnelQuerySchema, funnelTotal, funnelTotalJson, toQueryIssueList } from '@leadflow/domain';
import { badRequest, csvAttachment, forbidden, funnelReportLines, httpHandler, jsonResponse, lambdaDependenciesOf, prefersMediaType, principalFrom, reportWithinLimit, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `GET /reports/funnel?from&to[&groupBy][&attribution][&format]`: leads at each funnel stage per day, with
 * the rates and median days between stages, from each day's latest rollup version; as JSON (with the
 * range's total) or CSV, chosen by `format`, else by an `Accept` preferring `text/csv` to JSON.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'roi'>) {
  return httpHandler(
    async (event) => {
      if (!canViewChannelRoi(principalFrom(event))) throw forbidden('The funnel is for finance, managers and admins');
      const parsed = funnelQuerySchema.safeParse(event.queryStringParameters ?? {});
      if (!parsed.success) throw badRequest('The report parameters are invalid', toQueryIssueList(parsed.error, funnelQuerySchema));
      const query = parsed.data;
      const format = query.format ?? (prefersMediaType(event, 'text/csv', 'application/json') ? 'csv' : 'json');
      const lines = await funnelReportLines(query, dependencies());
      const smaller = [...(format === 'json' ? ['format=csv'] : []), ...(query.groupBy === 'day' ? [] : [query.groupBy === 'campaign' ? 'groupBy=channel' : 'groupBy=day'])];
      if (format === 'json') {
        return reportWithinLimit(jsonResponse(200, { ...query, format, rows: funnelJsonRows(lines, query.groupBy), total: funnelTotalJson(funnelTotal(lines, query.attribution)) }), query, smaller);
      }
      return reportWithinLimit(csvAttachment(`funnel-${query.from}-${query.to}-${query.groupBy}-${query.attribution}.csv`, funnelCsv(lines, query.groupBy)), query, smaller);
    },
    { query: 'read' },
  );
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, roi: providers.roi }));

import { canViewChannelRoi, channelRoiCsv, channelRoiJsonRows, reportAsOf, reportQuerySchema, showsChanges, toQueryIssueList } from '@leadflow/domain';
import { badRequest, channelRoiReportLines, csvAttachment, forbidden, httpHandler, jsonResponse, lambdaDependenciesOf, principalFrom, reportWithinLimit, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `GET /reports/channel-roi?from&to[&groupBy][&attribution][&format][&sinceVersion|&changedSince]`: each day's
 * latest rollup version as CSV (RFC 4180) or JSON; with `sinceVersion`, only the rows changed since that
 * version of each day, with `changedSince`, since each day's latest version at that time. Every answer
 * carries `asOf` (the JSON's field, the `X-Report-As-Of` header): the `changedSince` of the next export.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'roi' | 'now'>) {
  return httpHandler(
    async (event) => {
      if (!canViewChannelRoi(principalFrom(event))) throw forbidden('Channel ROI is for finance, managers and admins');
      const parsed = reportQuerySchema.safeParse(event.queryStringParameters ?? {});
      if (!parsed.success) throw badRequest('The report parameters are invalid', toQueryIssueList(parsed.error, reportQuerySchema));
      const query = parsed.data;
      const deps = dependencies();
      // Before anything is read: a version stored after this time is not in this export.
      const asOf = reportAsOf(deps.now());
      const lines = await channelRoiReportLines(query, deps);
      const shape = { groupBy: query.groupBy, withChanges: showsChanges(query) };
      const smaller = [...(query.format === 'json' ? ['format=csv'] : []), ...(query.groupBy === 'campaign' ? ['groupBy=channel'] : [])];
      if (query.format === 'json') {
        return reportWithinLimit(jsonResponse(200, { ...query, asOf, currency: deps.config.organisation.currency, rows: channelRoiJsonRows(lines, shape) }, { 'x-report-as-of': asOf }), query, smaller);
      }
      const since = query.sinceVersion !== undefined ? `-since-v${query.sinceVersion}` : query.changedSince !== undefined ? `-changed-since-${compactTime(query.changedSince)}` : '';
      const answer = csvAttachment(`channel-roi-${query.from}-${query.to}-${query.groupBy}-${query.attribution}${since}.csv`, channelRoiCsv(lines, shape));
      return reportWithinLimit({ ...answer, headers: { ...answer.headers, 'x-report-as-of': asOf } }, query, smaller);
    },
    { query: 'read' },
  );
}

/** A time for a file name, in UTC: `2026-03-11T12:00:00+01:00` → `20260311T110000Z`. */
function compactTime(time: string): string {
  return new Date(time).toISOString().replace(/[-:]|\.\d+/g, '');
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, roi: providers.roi, now: providers.now }));

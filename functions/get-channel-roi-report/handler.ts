import { canViewChannelRoi, channelRoiCsv, channelRoiJsonRows, reportQuerySchema, showsChanges, toIssueList } from '@leadflow/domain';
import { badRequest, channelRoiReportLines, csvAttachment, forbidden, httpHandler, jsonResponse, lambdaDependenciesOf, principalFrom, reportWithinLimit, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `GET /reports/channel-roi?from&to[&groupBy][&attribution][&format][&sinceVersion|&changedSince]`: each day's
 * latest rollup version as CSV (RFC 4180) or JSON; with `sinceVersion`, only the rows changed since that
 * version of each day, with `changedSince`, since each day's latest version at that time.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'roi'>) {
  return httpHandler(async (event) => {
    if (!canViewChannelRoi(principalFrom(event))) throw forbidden('Channel ROI is for finance, managers and admins');
    const parsed = reportQuerySchema.safeParse(event.queryStringParameters ?? {});
    if (!parsed.success) throw badRequest('The report parameters are invalid', toIssueList(parsed.error));
    const query = parsed.data;
    const deps = dependencies();
    const lines = await channelRoiReportLines(query, deps);
    const shape = { groupBy: query.groupBy, withChanges: showsChanges(query) };
    const smaller = [...(query.format === 'json' ? ['format=csv'] : []), ...(query.groupBy === 'campaign' ? ['groupBy=channel'] : [])];
    if (query.format === 'json') {
      return reportWithinLimit(jsonResponse(200, { ...query, currency: deps.config.organisation.currency, rows: channelRoiJsonRows(lines, shape) }), query, smaller);
    }
    const fileName = `channel-roi-${query.from}-${query.to}-${query.groupBy}-${query.attribution}${query.sinceVersion === undefined ? '' : `-since-v${query.sinceVersion}`}${query.changedSince === undefined ? '' : `-changed-since-${query.changedSince.replace(/[^0-9TZ]/g, '')}`}.csv`;
    return reportWithinLimit(csvAttachment(fileName, channelRoiCsv(lines, shape)), query, smaller);
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, roi: providers.roi }));

import { canImportLeads, fromLineIssues, importFileLines, readImportFromLine, readLeadImportFile, resolveImportTarget, unknownQueryParameterIssues } from '@leadflow/domain';
import { badRequest, forbidden, httpHandler, importLeads, itemsWithin, jsonResponse, lambdaDependenciesOf, maxResponseBytes, principalFrom, readCsvBody, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** No row starts in the last seconds of the invocation: the rows in flight finish and the answer reaches API Gateway within its 30 s. */
const finishMarginMs = 10_000; // a row in flight whose DynamoDB call goes silent takes ~8 s before the SDK gives up (settings.ts)
/** Room in the answer for its counts and headers beside the row errors. */
const answerMarginBytes = 64 * 1024;

/**
 * `POST /imports?source=<channel>[&campaign=<id>][&pool=<poolId>][&country=<CC>][&fromLine=<n>]` with a
 * `text/csv` body: imports a lead list through the shared intake and answers the counts and the row
 * errors, and `nextLine` when it ran out of time: the same file sent again with `fromLine` stores the rest.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'ingestion' | 'measuredPriors' | 'now' | 'newId'>) {
  return httpHandler(
    async (event, context) => {
      const principal = principalFrom(event);
      if (!canImportLeads(principal)) throw forbidden('Importing leads needs the manager or admin role');
      const text = readCsvBody(event);
      const deps = dependencies();
      const query = event.queryStringParameters ?? {};
      const target = resolveImportTarget(deps.config, query);
      const from = readImportFromLine(query.fromLine);
      const unknown = unknownQueryParameterIssues(query, ['source', 'campaign', 'pool', 'country', 'fromLine']);
      if (!target.ok || !from.ok || unknown.length) throw badRequest('The import parameters are invalid', [...unknown, ...(target.ok ? [] : target.issues), ...(from.ok ? [] : from.issues)]);
      const file = readLeadImportFile(text);
      if (!file.ok) throw badRequest('The file cannot be imported', file.issues);
      const pastTheEnd = from.fromLine === undefined ? [] : fromLineIssues(file.file, from.fromLine);
      if (pastTheEnd.length) throw badRequest('The import parameters are invalid', pastTheEnd);
      const rows = from.fromLine === undefined ? file.file : importFileLines(file.file, from.fromLine);
      // Sixteen rows in flight, so that a file of some thousands of rows can finish within API Gateway's 30 s.
      const summary = await importLeads(rows, target.target, deps, { concurrency: 16, remainingMs: () => context.getRemainingTimeInMillis() - finishMarginMs });
      // The counts always; the row errors as far as they fit in one answer (a file of nothing but bad rows has more).
      const errors = itemsWithin(summary.errors, maxResponseBytes - answerMarginBytes);
      return jsonResponse(200, { ...summary, errors: errors.listed, ...(errors.notListed ? { errorsNotListed: errors.notListed } : {}) });
    },
    { query: 'read' },
  );
}

export const handler = createHandler(
  lambdaDependenciesOf({ config: providers.config, leads: providers.leads, ingestion: providers.ingestion, measuredPriors: providers.measuredPriors, now: providers.now, newId: providers.newId }),
);

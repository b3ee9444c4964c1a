import { canImportLeads, readLeadImportFile, resolveImportTarget } from '@leadflow/domain';
import { badRequest, forbidden, httpHandler, importLeads, jsonResponse, lambdaDependenciesOf, principalFrom, readCsvBody, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `POST /imports?source=<channel>[&campaign=<id>][&pool=<poolId>][&country=<CC>]` with a `text/csv`
 * body: imports a lead list through the shared intake and answers the counts and the row errors.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'measuredPriors' | 'now' | 'newId'>) {
  return httpHandler(async (event) => {
    const principal = principalFrom(event);
    if (!canImportLeads(principal)) throw forbidden('Importing leads needs the manager or admin role');
    const text = readCsvBody(event);
    const deps = dependencies();
    const target = resolveImportTarget(deps.config, event.queryStringParameters ?? {});
    if (!target.ok) throw badRequest('The import parameters are invalid', target.issues);
    const file = readLeadImportFile(text);
    if (!file.ok) throw badRequest('The file cannot be imported', file.issues);
    // Sixteen rows in flight, so that a file of some thousands of rows can finish within API Gateway's 30 s.
    return jsonResponse(200, await importLeads(file.file, target.target, deps, { concurrency: 16 }));
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, measuredPriors: providers.measuredPriors, now: providers.now, newId: providers.newId }));

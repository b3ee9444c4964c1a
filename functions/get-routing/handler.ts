import { canViewRouting, compileRoutingTable } from '@leadflow/domain';
import { forbidden, httpHandler, jsonResponse, lambdaDependenciesOf, principalFrom, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** `GET /routing`: the routing table in order, each route with the EventBridge rule compiled from it. */
export function createHandler(dependencies: DependencyResolver<'config'>) {
  return httpHandler(async (event) => {
    if (!canViewRouting(principalFrom(event))) throw forbidden('The routing table is for managers and admins');
    const routes = compileRoutingTable(dependencies().config.routing).map(({ route, ruleName, pattern }) => ({ ...route, ruleName, pattern }));
    return jsonResponse(200, { routes });
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config }));

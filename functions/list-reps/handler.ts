import { canViewReps, repRoster } from '@leadflow/domain';
import { forbidden, httpHandler, jsonResponse, lambdaDependenciesOf, principalFrom, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `GET /reps`: every configured rep with what routing sees now (available, or why not), their open leads
 * against their capacity and their holding cap in each pool: for a manager choosing whom to give a lead.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now'>) {
  return httpHandler(async (event) => {
    if (!canViewReps(principalFrom(event))) throw forbidden('The reps and their workload are for managers and admins');
    const { config, leads, now } = dependencies();
    const at = now();
    const states = await leads.readRepStates(config.reps.map((rep) => rep.id));
    return jsonResponse(200, { asOf: at.toISOString(), reps: repRoster(config, states, at) });
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now }));

import { planStatusChange, statusBodySchema } from '@leadflow/domain';
import { lambdaDependenciesOf, leadTransitionHandler, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `POST /leads/{leadId}/status` `{"status": "contacted" | "qualified" | "invalid" | "reactivate", …}`: one
 * step of the lifecycle; an illegal one is a `409` naming the lead's current status.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now' | 'newId'>) {
  return leadTransitionHandler(dependencies, {
    doing: 'changed',
    body: ({ pool }) => statusBodySchema(pool),
    plan: ({ lead, pool, principal, body, now, eventId }) => planStatusChange({ lead, pool, principal, body, now, eventId }),
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now, newId: providers.newId }));

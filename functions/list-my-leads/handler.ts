import { mayWorkPools } from '@leadflow/domain';
import { forbidden, httpHandler, lambdaDependenciesOf, ownedLeadsAnswer, principalFrom, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `GET /me/leads[?status=…][&grade=…][&tag=…][&due=…][&overdue=true][&limit=50][&cursor=…]`: the caller's own
 * leads in the order to work them (overdue next steps, then due soonest, then hottest and best grade).
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now'>) {
  return httpHandler(
    async (event) => {
      const principal = principalFrom(event);
      if (!mayWorkPools(principal)) throw forbidden('Own leads are for reps, managers and admins');
      return ownedLeadsAnswer(dependencies(), { event, ownerId: principal.id, list: 'my-leads' });
    },
    { query: 'read' },
  );
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now }));

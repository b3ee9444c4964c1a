import { canViewRepLeads } from '@leadflow/domain';
import { forbidden, httpHandler, lambdaDependenciesOf, notFound, quotedPathId, ownedLeadsAnswer, principalFrom, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `GET /reps/{repId}/leads[?status=…][&grade=…][&tag=…][&due=…][&overdue=true][&limit=50][&cursor=…]`: a rep's
 * leads as `GET /me/leads` shows the rep their own, for a manager or an admin (a team's overdue work, or what
 * a departing rep still holds), or for the rep themself.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now'>) {
  return httpHandler(
    async (event) => {
      const principal = principalFrom(event);
      const repId = event.pathParameters?.repId ?? '';
      if (!canViewRepLeads(principal, repId)) throw forbidden("A rep's leads are for the rep themself, managers and admins");
      const deps = dependencies();
      // Leads are owned by configured reps (README: a departing rep stays configured, `active: false`, until their leads are moved).
      if (!deps.config.reps.some((rep) => rep.id === repId)) throw notFound(`Rep ${quotedPathId(repId)} does not exist`);
      return ownedLeadsAnswer(deps, { event, ownerId: repId, list: 'rep-leads' });
    },
    { query: 'read' },
  );
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now }));

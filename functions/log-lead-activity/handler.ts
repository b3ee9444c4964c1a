import { activityBodySchema, planActivity } from '@leadflow/domain';
import { lambdaDependenciesOf, leadTransitionHandler, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** `POST /leads/{leadId}/activities` `{"kind", "outcome"?, "nextStepAt"?}`: the owner (or a manager) logs a follow-up. */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now' | 'newId'>) {
  return leadTransitionHandler(dependencies, {
    doing: 'logged',
    body: ({ now }) => activityBodySchema(now),
    plan: ({ lead, principal, body, now, eventId }) => planActivity({ lead, principal, activity: body, now, eventId }),
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now, newId: providers.newId }));

import { activityBodySchema, planActivity } from '@leadflow/domain';
import { lambdaDependencies, leadTransitionHandler, type DependencyResolver } from '@leadflow/platform';

/** `POST /leads/{leadId}/activities` `{"kind", "outcome"?, "nextStepAt"?}`: the owner (or a manager) logs a follow-up. */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now' | 'newId'>) {
  return leadTransitionHandler(dependencies, {
    doing: 'logged',
    body: ({ now }) => activityBodySchema(now),
    plan: ({ lead, principal, body, now, eventId }) => planActivity({ lead, principal, activity: body, now, eventId }),
  });
}

export const handler = createHandler(lambdaDependencies);

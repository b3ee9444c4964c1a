import { assignBodyFor, planManualAssignment } from '@leadflow/domain';
import { lambdaDependenciesOf, leadTransitionHandler, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `POST /leads/{leadId}/assign` `{"repId", "reason"?}`: a manager or pool admin gives a lead waiting in its
 * pool to a member, or transfers an owned one; the open-lead counters of both reps move in the same write.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now' | 'newId'>) {
  return leadTransitionHandler(dependencies, {
    doing: 'assigned',
    body: ({ config }) => assignBodyFor(config.reps),
    plan: ({ lead, pool, principal, body, config, now, eventId }) =>
      planManualAssignment({ lead, pool, principal, target: config.reps.find((rep) => rep.id === body.repId), repId: body.repId, reason: body.reason, now, eventId }),
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now, newId: providers.newId }));

import { lockBodySchema, planLockChange } from '@leadflow/domain';
import { lambdaDependenciesOf, leadTransitionHandler, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** `POST /leads/{leadId}/unlock` (optional `{"reason"}`): a manager unlocks a lead, so recycling may take it again. */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now' | 'newId'>) {
  return leadTransitionHandler(dependencies, {
    doing: 'unlocked',
    bodyOptional: true,
    body: () => lockBodySchema,
    plan: ({ lead, principal, body, now, eventId }) => planLockChange({ lead, principal, lock: false, reason: body.reason, now, eventId }),
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, now: providers.now, newId: providers.newId }));

import { planTagChange, tagBodySchema } from '@leadflow/domain';
import { lambdaDependenciesOf, leadTransitionHandler, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** `POST /leads/{leadId}/tags` (`{"tag"}`): the owner or a manager adds a configured tag, as the tag's `setBy` allows. */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now' | 'newId'>) {
  return leadTransitionHandler(dependencies, {
    doing: 'tagged',
    body: ({ config }) => tagBodySchema(config.tags),
    plan: ({ lead, principal, body, config, now, eventId }) => planTagChange({ lead, principal, tag: body.tag, add: true, tags: config.tags, now, eventId }),
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, newId: providers.newId, now: providers.now }));

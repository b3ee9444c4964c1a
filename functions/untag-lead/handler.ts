import { planTagChange, tagBodySchema } from '@leadflow/domain';
import { lambdaDependenciesOf, leadTransitionHandler, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** `DELETE /leads/{leadId}/tags/{tag}`: the owner or a manager removes a tag, as the tag's `setBy` allows. */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'now' | 'newId'>) {
  return leadTransitionHandler(dependencies, {
    doing: 'untagged',
    bodyOptional: true,
    pathFields: ['tag'],
    body: ({ config }) => tagBodySchema(config.tags),
    plan: ({ lead, principal, body, config, now, eventId }) => planTagChange({ lead, principal, tag: body.tag, add: false, tags: config.tags, now, eventId }),
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, newId: providers.newId, now: providers.now }));

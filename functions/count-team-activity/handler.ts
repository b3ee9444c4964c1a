import type { EventBridgeEvent } from 'aws-lambda';
import { leadEventDetailSchemas, teamActivityCount, teamActivityEventTypes } from '@leadflow/domain';
import { type DependencyResolver, lambdaDependenciesOf, loggedHandler } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * Keeps the managers' digest counters: each assignment, claim, first contact, first breach, recycle and
 * conversion adds one to its rep's count for the day, once per event, so the digest reads one item per
 * team instead of the leads table.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'teamActivity'>) {
  return async (event: EventBridgeEvent<string, unknown>): Promise<void> => {
    const { config, teamActivity } = dependencies();
    const type = event['detail-type'];
    if (!(teamActivityEventTypes as readonly string[]).includes(type)) throw new Error(`count-team-activity does not handle ${type}`);
    const eventType = type as (typeof teamActivityEventTypes)[number];
    const detail = leadEventDetailSchemas[eventType].parse(event.detail);
    const count = teamActivityCount(eventType, detail, config);
    if (count) await teamActivity.count(detail.eventId, count);
  };
}

export const handler = loggedHandler(createHandler(lambdaDependenciesOf({ config: providers.config, teamActivity: providers.teamActivity })));

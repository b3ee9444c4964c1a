import type { ScheduledInvocation } from '@leadflow/manifest';
import { type DependencyResolver, lambdaDependenciesOf, loggedHandler, logger, refileFollowUpChecks, type RefileProgress } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * Every minute: once a deployment changed the SLA or a pool's recycle rule, files the leads reps own under
 * the rules configured now, a share per run until all are (`refileFollowUpChecks`); otherwise one read.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'followUps'>) {
  return async (event: ScheduledInvocation): Promise<RefileProgress> => {
    const progress = await refileFollowUpChecks(dependencies());
    if (progress.read > 0) logger.info('Follow-up due times filed under the rules configured now', { time: event.time, ...progress });
    return progress;
  };
}

export const handler = loggedHandler(createHandler(lambdaDependenciesOf({ config: providers.config, followUps: providers.followUps })));

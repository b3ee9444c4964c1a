import type { ScheduledInvocation } from '@leadflow/manifest';
import { type DependencyResolver, lambdaDependenciesOf, loggedHandler, logger, refileFollowUpChecks, type RefileProgress } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * Every minute: once a deployment changed the SLA or a pool's recycle rule, files the leads reps own under
 * the rules configured now, a share per run until all are (`refileFollowUpChecks`); otherwise one read.
 * A stored lead that no longer reads as a lead is logged, and fails the run once the others are filed, so
 * its alarm fires; it holds back no other lead.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'followUps'>) {
  return async (event: ScheduledInvocation): Promise<RefileProgress> => {
    const progress = await refileFollowUpChecks(dependencies());
    if (progress.read > 0) logger.info('Follow-up due times filed under the rules configured now', { time: event.time, ...progress });
    if (progress.changing.length > 0) logger.warn('Leads kept changing while they were filed; the pass starts over once it reaches its end', { leadIds: progress.changing });
    for (const lead of progress.unreadable) logger.error('An owned lead cannot be read, so it cannot be filed under the follow-up rules', { ...lead });
    if (progress.unreadable.length > 0) throw new Error(`Follow-up re-filing could not read lead ${progress.unreadable.map((lead) => lead.leadId).join(', ')}`);
    return progress;
  };
}

export const handler = loggedHandler(createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, followUps: providers.followUps })));

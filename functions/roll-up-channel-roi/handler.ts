import type { Context } from 'aws-lambda';
import type { ScheduledInvocation } from '@leadflow/manifest';
import { type DependencyResolver, lambdaDependenciesOf, loggedHandler, logger, runNightlyChannelRoiRollup } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * Nightly, in the organisation's time zone: rolls up yesterday, any day since the last one a run closed, and
 * changed days within the lookback window, newest first, as of the schedule's own `time` (so a run can be
 * replayed for any night), while its time lasts. A day that could not be rolled up is logged and fails the
 * run once the other days are done, so its alarm fires; days left for want of time are logged and wait,
 * marked, for the next night.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'roi' | 'reports' | 'now'>) {
  return async (event: ScheduledInvocation, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const { days, failed, left } = await runNightlyChannelRoiRollup(new Date(event.time), dependencies(), () => context.getRemainingTimeInMillis());
    logger.info('Channel ROI rolled up', { days: days.map(({ day, version, unchanged }) => ({ day, version, unchanged })) });
    if (left.length > 0) logger.warn("Out of time: the changed days left stay marked for the next night's run", { left: left.length, newest: left[0], oldest: left.at(-1) });
    for (const { day, error } of failed) logger.error('Channel ROI day not rolled up; it stays marked changed for the next run', { day, error });
    if (failed.length > 0)
      throw new AggregateError(
        failed.map(({ error }) => error),
        `Rolling up ${failed.map(({ day }) => day).join(', ')} failed: ${failed.map(({ error }) => error.message).join('; ')}`,
      );
    return left.length > 0 ? { days, left } : { days };
  };
}

export const handler = loggedHandler(createHandler(lambdaDependenciesOf({ config: providers.config, roi: providers.roi, reports: providers.reports, now: providers.now })));

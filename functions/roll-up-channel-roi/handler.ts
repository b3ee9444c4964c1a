import type { ScheduledInvocation } from '@leadflow/manifest';
import { type DependencyResolver, lambdaDependenciesOf, loggedHandler, logger, runNightlyChannelRoiRollup } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * Nightly, in the organisation's time zone: rolls up yesterday and restates changed days within the
 * lookback window, as of the schedule's own `time` (so a run can be replayed for any night).
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'roi' | 'reports'>) {
  return async (event: ScheduledInvocation) => {
    const days = await runNightlyChannelRoiRollup(new Date(event.time), dependencies());
    logger.info('Channel ROI rolled up', { days: days.map(({ day, version, unchanged }) => ({ day, version, unchanged })) });
    return { days };
  };
}

export const handler = loggedHandler(createHandler(lambdaDependenciesOf({ config: providers.config, roi: providers.roi, reports: providers.reports })));

import type { Context } from 'aws-lambda';
import type { ScheduledInvocation } from '@leadflow/manifest';
import { type DependencyResolver, lambdaDependenciesOf, loggedHandler, logger, sendDueConversionFeedback } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** Every minute: delivers the due conversions to Meta and Google in batches, while its time lasts, retrying and dead-lettering failures. */
export function createHandler(dependencies: DependencyResolver<'config' | 'feedback' | 'feedbackSender' | 'secrets'>) {
  return async (event: ScheduledInvocation, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const run = await sendDueConversionFeedback(new Date(event.time), dependencies(), () => context.getRemainingTimeInMillis());
    if (run.deadLettered > 0) logger.error('Conversions given up on; they are kept as dead letters with their last error', { ...run });
    else if (run.left) logger.warn('Out of time: the conversions left are sent by the next run', { ...run });
    else if (run.sent + run.retrying > 0) logger.info('Conversions reported to the ad platforms', { ...run });
    return run;
  };
}

export const handler = loggedHandler(createHandler(lambdaDependenciesOf({ config: providers.config, feedback: providers.feedback, feedbackSender: providers.feedbackSender, secrets: providers.secrets })));

import type { Context } from 'aws-lambda';
import type { ScheduledInvocation } from '@leadflow/manifest';
import { lambdaDependenciesOf, loggedHandler, sendDueNurtureEmails, type DependencyResolver, type NurtureOutcome, type NurtureSenderDependencies } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** Every hour: sends the nurture emails due by the schedule's `time`, each step once, while its time lasts. */
export function createHandler(dependencies: DependencyResolver<keyof NurtureSenderDependencies>) {
  return async (event: ScheduledInvocation, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<{ outcomes: NurtureOutcome[] }> => ({
    outcomes: await sendDueNurtureEmails(dependencies(), new Date(event.time), () => context.getRemainingTimeInMillis()),
  });
}

export const handler = loggedHandler(
  createHandler(
    lambdaDependenciesOf({
      config: providers.config,
      leads: providers.leads,
      consents: providers.consents,
      mailer: providers.mailerSendingAtMostOnce,
      publicBaseUrl: providers.publicBaseUrl,
      newId: providers.newId,
    }),
  ),
);

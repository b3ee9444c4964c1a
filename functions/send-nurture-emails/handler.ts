import type { ScheduledInvocation } from '@leadflow/manifest';
import { lambdaDependencies, sendDueNurtureEmails, type DependencyResolver, type NurtureOutcome, type NurtureSenderDependencies } from '@leadflow/platform';

/** Every hour: sends the nurture emails due by the schedule's `time`, each step once. */
export function createHandler(dependencies: DependencyResolver<keyof NurtureSenderDependencies>) {
  return async (event: ScheduledInvocation): Promise<{ outcomes: NurtureOutcome[] }> => ({ outcomes: await sendDueNurtureEmails(dependencies(), new Date(event.time)) });
}

export const handler = createHandler(lambdaDependencies);

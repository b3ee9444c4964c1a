import type { Context } from 'aws-lambda';
import type { ScheduledInvocation } from '@leadflow/manifest';
import { type DependencyResolver, lambdaDependenciesOf, loggedHandler, logger, retryDueWebhookDeliveries } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** Every minute: attempts the outbound webhook deliveries that are due again, while its time lasts, and dead-letters those out of time. */
export function createHandler(dependencies: DependencyResolver<'config' | 'webhooks' | 'webhookSender' | 'secrets' | 'publicBaseUrl' | 'now'>) {
  return async (event: ScheduledInvocation, context: Pick<Context, 'getRemainingTimeInMillis'>) => {
    const run = await retryDueWebhookDeliveries(new Date(event.time), dependencies(), () => context.getRemainingTimeInMillis());
    if (run.deadLettered > 0) logger.error('Webhook deliveries given up on; replay them with npm run webhooks -- replay', { ...run });
    else if (run.delivered + run.retrying > 0) logger.info('Webhook deliveries retried', { ...run });
    return run;
  };
}

export const handler = loggedHandler(
  createHandler(
    lambdaDependenciesOf({ config: providers.config, webhooks: providers.webhooks, webhookSender: providers.webhookSender, publicBaseUrl: providers.publicBaseUrl, secrets: providers.secrets, now: providers.now }),
  ),
);

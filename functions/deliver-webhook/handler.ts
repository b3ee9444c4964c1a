import { webhookRuleInputSchema } from '@leadflow/domain';
import { type DependencyResolver, deliverWebhookEvent, lambdaDependenciesOf, logger, ruleInputHandler } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * A lead event matched an outbound webhook destination's rule: store its delivery once and POST it at
 * once, signed. A failed attempt is not an error of this function: the delivery waits for the retry schedule.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'webhooks' | 'webhookSender' | 'secrets' | 'publicBaseUrl' | 'now'>) {
  return ruleInputHandler(webhookRuleInputSchema, async (input) => {
    const delivery = await deliverWebhookEvent(input, dependencies());
    if (delivery && delivery.state !== 'delivered')
      logger.warn('Webhook delivery failed; it will be retried', { destinationId: delivery.destinationId, eventId: delivery.eventId, status: delivery.lastStatus, error: delivery.lastError });
  });
}

export const handler = createHandler(
  lambdaDependenciesOf({ config: providers.config, webhooks: providers.webhooks, webhookSender: providers.webhookSender, publicBaseUrl: providers.publicBaseUrl, secrets: providers.secrets, now: providers.now }),
);

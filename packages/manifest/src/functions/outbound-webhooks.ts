import { webhookRule, type OutboundWebhooks } from '@leadflow/domain';
import type { FunctionDefinition } from '../types';

/**
 * Outbound webhooks to the company's CRM: one rule per enabled destination (its pattern from the
 * configuration), each handing `{"destinationId", "event"}` to `deliver-webhook`, and the retry schedule.
 * With destinations configured but none enabled only the schedule runs: it dead-letters the deliveries a
 * disabled destination left pending. Without any destination neither function exists.
 */
export function outboundWebhookFunctions(webhooks: OutboundWebhooks): FunctionDefinition[] {
  if (webhooks.destinations.length === 0) return [];
  const destinations = webhooks.destinations.filter((destination) => destination.enabled);
  const retry: FunctionDefinition = {
    name: 'retry-webhook-deliveries',
    description: 'Attempts outbound webhook deliveries due again (waits double from a minute to an hour), and dead-letters those out of time or of a disabled destination.',
    entry: 'functions/retry-webhook-deliveries/handler.ts',
    trigger: { kind: 'schedule', scheduleName: 'retry-webhook-deliveries', expression: 'rate(1 minute)', timeZone: 'UTC', retryAttempts: 0, maxEventAgeSeconds: 60 },
    tables: { leads: 'readWrite' },
    secrets: ['webhook-signing-secret'],
    usesPublicBaseUrl: true,
    timeoutSeconds: 120,
  };
  if (destinations.length === 0) return [retry];
  return [
    {
      name: 'deliver-webhook',
      description: 'POSTs a lead event, signed, to each outbound webhook destination whose pattern it matches; once per event and destination.',
      entry: 'functions/deliver-webhook/handler.ts',
      trigger: {
        kind: 'event',
        rules: destinations.map((destination) => ({
          ...webhookRule(destination),
          input: { inputPathsMap: {}, inputTemplate: `{"destinationId": "${destination.id}", "event": <aws.events.event.json>}` },
        })),
        retryAttempts: 2,
        maxEventAgeSeconds: 3600,
      },
      // Opening a delivery for a lead whose person was erased meanwhile deletes the reference it had written.
      tables: { leads: 'readWriteDelete' },
      secrets: ['webhook-signing-secret'],
      usesPublicBaseUrl: true,
      timeoutSeconds: 30,
    },
    retry,
  ];
}

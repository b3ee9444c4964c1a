import type { Configuration, Routing } from '@leadflow/domain';
import type { FunctionDefinition } from './types';
import { serviceHealthFunctions } from './functions/service-health';
import { leadCaptureFunctions } from './functions/lead-capture';
import { leadAccessFunctions } from './functions/lead-access';
import { eventDeliveryFunctions } from './functions/event-delivery';
import { leadRoutingFunctions } from './functions/lead-routing';
import { embedScriptFunctions } from './functions/embed-script';
import { adPlatformWebhookFunctions } from './functions/ad-platform-webhooks';
import { leadLookupAndImportFunctions } from './functions/lead-lookup-and-import';
import { leadPoolFunctions } from './functions/lead-pool';
import { leadWorkFunctions } from './functions/lead-work';
import { leadFollowUpFunctions } from './functions/lead-follow-ups';
import { repNotificationFunctions } from './functions/rep-notifications';
import { leadOfferFunctions } from './functions/lead-offers';
import { channelRoiFunctions } from './functions/channel-roi';
import { apiDocumentFunctions } from './functions/api-document';
import { outboundWebhookFunctions } from './functions/outbound-webhooks';
import { leadNurtureFunctions } from './functions/lead-nurture';

/**
 * Every function of the system with its trigger and the access it needs, grouped by area in
 * `functions/`. The CDK app deploys exactly this list and the local runtime hosts exactly this list:
 * routes, rules and schedules live only here. The routing table's rules come from the configuration
 * (`routing`), and schedules that follow the organisation's clock take its time zone, so both call this
 * with the configuration they loaded; so do outbound webhook destinations (`webhooks`), one rule each.
 */
export const manifestFunctions = (configuration: { routing: Routing; organisation: Pick<Configuration['organisation'], 'timeZone'>; webhooks: Configuration['webhooks'] }): readonly FunctionDefinition[] => [
  ...serviceHealthFunctions,
  ...leadCaptureFunctions,
  ...leadAccessFunctions,
  ...eventDeliveryFunctions,
  ...leadRoutingFunctions(configuration.routing),
  ...embedScriptFunctions,
  ...adPlatformWebhookFunctions,
  ...leadLookupAndImportFunctions,
  ...leadPoolFunctions,
  ...leadWorkFunctions,
  ...leadFollowUpFunctions,
  ...repNotificationFunctions,
  ...leadOfferFunctions,
  ...channelRoiFunctions(configuration.organisation.timeZone),
  ...apiDocumentFunctions,
  ...outboundWebhookFunctions(configuration.webhooks),
  ...leadNurtureFunctions,
];

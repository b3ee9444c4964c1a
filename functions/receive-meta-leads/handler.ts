import { acceptedValues, maxMetaDeliveryBytes, readMetaLeadgenDelivery, secretRefs, verifyMetaSignature } from '@leadflow/domain';
import {
  badRequest,
  headerValue,
  httpHandler,
  jsonResponse,
  lambdaDependenciesOf,
  limitWebhookIntake,
  notFound,
  parseJsonObject,
  rawBody,
  receivePlatformLeads,
  unauthorized,
  unreadableAndIgnored,
  type DependencyResolver,
} from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `POST /webhooks/meta`: a `leadgen` delivery. Checks `X-Hub-Signature-256` over the raw body, stores
 * each lead's delivery as a pending intake record, and answers 200 once those are durable; each new lead
 * is read from the Graph API and stored before answering, or left pending for the retry schedule. A change
 * naming no readable lead is answered under `unreadable` (and alarmed on), a malformed optional id or time
 * under `ignored`; the others are stored all the same (see `readMetaLeadgenDelivery`).
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'ingestion' | 'erasures' | 'measuredPriors' | 'intakes' | 'platformLeads' | 'secrets' | 'metrics' | 'rateLimiter' | 'now' | 'newId'>) {
  return httpHandler(
    async (event) => {
      const deps = dependencies();
      if (!deps.config.integrations.meta) throw notFound('Meta Lead Ads is not configured');
      await limitWebhookIntake(deps, event, 'meta', deps.now());
      // Meta batches up to 1,000 changes and drops a batch refused for 36 hours: a larger limit than other bodies (see maxMetaDeliveryBytes).
      const raw = rawBody(event, maxMetaDeliveryBytes);
      const appSecret = await deps.secrets.get(secretRefs.metaAppSecret);
      if (!acceptedValues(appSecret).some((value) => verifyMetaSignature(raw, headerValue(event, 'x-hub-signature-256'), value))) {
        throw unauthorized('X-Hub-Signature-256 is missing or does not match the body (sha256=<hex HMAC-SHA256 of the raw body with the app secret>)');
      }
      const delivery = readMetaLeadgenDelivery(parseJsonObject(raw, { keepLargeIntegers: true }));
      if (!delivery.ok) throw badRequest('The Meta leadgen delivery is invalid', delivery.issues);
      // Answered, logged and counted first: the good changes are stored all the same, since Meta would drop the whole batch.
      const setAside = unreadableAndIgnored(deps, 'meta', delivery);
      const deliveries = await receivePlatformLeads(
        deps,
        delivery.notifications.map((notification) => ({ platform: 'meta' as const, ...notification })),
        deps.now(),
        raw.toString('utf8'),
      );
      return jsonResponse(200, { deliveries, ...setAside });
    },
    { query: 'ignored' },
  );
}

export const handler = createHandler(lambdaDependenciesOf(providers.platformLeadIntake));

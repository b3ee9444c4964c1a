import { acceptedValues, linkedInSignatureReading, readLinkedInNotification, secretRefs, type PlatformLeadRequest } from '@leadflow/domain';
import {
  badRequest,
  erasePlatformLead,
  headerValue,
  httpHandler,
  jsonResponse,
  lambdaDependenciesOf,
  limitWebhookIntake,
  logger,
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
 * `POST /webhooks/linkedin`: a Lead Sync `LEAD_ACTION` notification, checked with `X-LI-Signature`.
 * `CREATED`: the delivery is stored as a pending intake record, then the lead form response is read back
 * and stored. `DELETED`: the person's data is erased from the lead. Other actions are acknowledged. A malformed
 * optional field is left out and answered under `ignored` (see `readLinkedInNotification`).
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'ingestion' | 'erasures' | 'measuredPriors' | 'intakes' | 'platformLeads' | 'secrets' | 'metrics' | 'rateLimiter' | 'now' | 'newId'>) {
  return httpHandler(
    async (event) => {
      const deps = dependencies();
      if (!deps.config.integrations.linkedin) throw notFound('LinkedIn Lead Sync is not configured');
      await limitWebhookIntake(deps, event, 'linkedin', deps.now());
      const raw = rawBody(event);
      const clientSecret = await deps.secrets.get(secretRefs.linkedInClientSecret);
      const signatureReading = acceptedValues(clientSecret)
        .map((value) => linkedInSignatureReading(raw, headerValue(event, 'x-li-signature'), value))
        .find((reading) => reading !== undefined);
      if (!signatureReading) {
        throw unauthorized('X-LI-Signature is missing or does not match the body (hex HMAC-SHA256 with the client secret over "hmacsha256=" + the raw body, or over the raw body, optionally prefixed "hmacsha256=")');
      }
      // Which of the two readings LinkedIn sends is not settled (spec §4(b)): logged, to tighten the check once known.
      logger.info('LinkedIn signature matched', { signatureReading });
      const read = readLinkedInNotification(parseJsonObject(raw, { keepLargeIntegers: true }));
      if (!read.ok) throw badRequest('The LinkedIn lead notification is invalid', read.issues);
      const { action, leadAction, responseId, responseUrn, formId, formUrn, leadType, occurredAt } = read.notification;
      const request: PlatformLeadRequest = { platform: 'linkedin', responseId, responseUrn, formId, formUrn, leadType, occurredAt };
      const now = deps.now();
      const delivery = raw.toString('utf8');
      const setAside = unreadableAndIgnored(deps, 'linkedin', { unreadable: [], ignored: read.ignored });
      if (action === 'CREATED') return jsonResponse(200, { deliveries: await receivePlatformLeads(deps, [request], now, delivery), ...setAside });
      if (action === 'DELETED') return jsonResponse(200, { deliveries: [await erasePlatformLead(deps, request, now)], ...setAside });
      return jsonResponse(200, { deliveries: [], ignored: `leadAction "${leadAction}" needs no action` });
    },
    { query: 'ignored' },
  );
}

export const handler = createHandler(lambdaDependenciesOf(providers.platformLeadIntake));

import { acceptedValues, readGenericLeadWebhook, secretRefs, signedDeliveryId, verifyLeadSignature } from '@leadflow/domain';
import {
  badRequest,
  conflict,
  DeliveryIdReusedError,
  headerValue,
  httpHandler,
  ingestSubmission,
  intakeAcknowledgement,
  jsonResponse,
  lambdaDependenciesOf,
  limitWebhookIntake,
  notFound,
  parseJsonObject,
  rawBody,
  unauthorized,
  type DependencyResolver,
  quotedPathId,
} from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `POST /webhooks/generic/{sourceId}`: a lead from a configured partner or server, signed with
 * `X-Lead-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>` (300 s
 * tolerance). `event_id`, or else the `Idempotency-Key` header, or else the signed timestamp and body, makes a
 * redelivery a replay of the same lead; the id sent again with other content is a `409` naming it.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'ingestion' | 'measuredPriors' | 'secrets' | 'rateLimiter' | 'now' | 'newId'>) {
  return httpHandler(
    async (event) => {
      const { config, ingestion, measuredPriors, secrets, rateLimiter, now, newId } = dependencies();
      const sourceId = event.pathParameters?.sourceId ?? '';
      const source = config.integrations.generic?.sources.find((candidate) => candidate.id === sourceId);
      if (!source) throw notFound(`Webhook source ${quotedPathId(sourceId)} does not exist`);
      const at = now();
      await limitWebhookIntake({ config, rateLimiter }, event, `generic:${source.id}`, at);
      const raw = rawBody(event);
      const signingSecret = await secrets.get(secretRefs.genericSourceSecret(source.id));
      const check = verifyLeadSignature(raw, headerValue(event, 'x-lead-signature'), acceptedValues(signingSecret), at);
      if (!check.ok) throw unauthorized(check.problem);
      const read = readGenericLeadWebhook(parseJsonObject(raw, { keepLargeIntegers: true }), source, {
        now: at,
        signedDeliveryId: signedDeliveryId(check.timestamp, raw),
        idempotencyKey: headerValue(event, 'idempotency-key'),
      });
      if (!read.ok) throw badRequest(`The delivery from source "${source.id}" is invalid`, read.issues);
      if (read.submission.isTest && !source.includeTestLeads) return jsonResponse(200, { skipped: 'test lead (is_test), and the source does not include test leads' });
      try {
        return jsonResponse(200, intakeAcknowledgement(await ingestSubmission({ config, ingestion, newId, measuredPriors }, read.submission, at)));
      } catch (error) {
        // A redelivery says what the first delivery said; another lead under the same id would be dropped as its replay.
        if (!(error instanceof DeliveryIdReusedError) || !read.deliveryIdFrom) throw error;
        throw conflict(`The delivery from source "${source.id}" reuses an id for other content`, [
          { path: read.deliveryIdFrom, message: 'was sent before with other content: a redelivery must be the same delivery, and another lead needs an id of its own' },
        ]);
      }
    },
    { query: 'ignored' },
  );
}

export const handler = createHandler(lambdaDependenciesOf(providers.deliveredLeadIntake));

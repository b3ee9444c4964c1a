import { formSubmissionIdempotencyKey, idempotencyKeyIssues, readWebFormPost, secretRefs, type Form } from '@leadflow/domain';
import {
  badRequest,
  corsHeaders,
  headerValue,
  httpHandler,
  ingestSubmission,
  jsonResponse,
  lambdaDependenciesOf,
  notFound,
  readFormBody,
  tooManyRequests,
  type DependencyResolver,
  type HumanVerifier,
  type SecretStore,
  escapeHtml,
  prefersHtml,
  quotedPathId,
} from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const turnstileTokenField = 'cf-turnstile-response';

/**
 * `POST /forms/{formId}/submissions`: rate-limit, validate and clean the post, verify the visitor, then
 * store the lead (or a touch on the person's existing lead) with its event in one transaction.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'ingestion' | 'measuredPriors' | 'rateLimiter' | 'humanVerifier' | 'secrets' | 'now' | 'newId'>) {
  const formOf = (event: APIGatewayProxyEventV2) => dependencies().config.forms.find((candidate) => candidate.id === (event.pathParameters?.formId ?? ''));
  // Every answer to an allowed origin carries CORS headers, refusals included: the embed script shows their field errors.
  const headersFor = (event: APIGatewayProxyEventV2) => {
    const form = formOf(event);
    return form ? corsHeaders(form.allowedOrigins, headerValue(event, 'origin')) : {};
  };
  return httpHandler(
    async (event) => {
      const { config, ingestion, measuredPriors, rateLimiter, humanVerifier, secrets, now, newId } = dependencies();
      const form = formOf(event);
      if (!form) throw notFound(`Form ${quotedPathId(event.pathParameters?.formId ?? '')} does not exist`);
      const ip = event.requestContext.http.sourceIp;
      const at = now();

      const limit = await rateLimiter.hit(`form:${form.id}:ip:${ip}`, form.rateLimitPerMinute, at);
      if (!limit.allowed) throw tooManyRequests(limit.retryAfterSeconds);

      const body = await readFormBody(event);
      const post = readWebFormPost(form, body, { now: at, ip, userAgent: event.requestContext.http.userAgent });
      const idempotencyKey = headerValue(event, 'idempotency-key');
      const keyIssues = idempotencyKeyIssues(idempotencyKey);
      if (!post.ok || keyIssues.length) throw badRequest(`The submission to form "${form.id}" is invalid`, [...(post.ok ? [] : post.issues), ...keyIssues]);
      const storedKey = idempotencyKey === undefined ? undefined : formSubmissionIdempotencyKey(form.id, idempotencyKey, post.submission.contact);
      // A Turnstile token verifies once: only a post that will be stored spends it, so a visitor correcting a field can send it again.
      // A retry of a stored post (its answer lost) carries the spent token: refused, it is answered as the replay it is.
      if (form.turnstile) {
        try {
          await verifyHuman(form, body, ip, humanVerifier, secrets);
        } catch (refusal) {
          const replay = storedKey ? await ingestion.replayOfIdempotencyKey(storedKey, at.toISOString()) : undefined;
          if (!replay) throw refusal;
          return acknowledge(event, form, replay);
        }
      }

      const outcome = await ingestSubmission({ config, ingestion, newId, measuredPriors }, post.submission, at, storedKey);
      return acknowledge(event, form, outcome);
    },
    { headersFor, query: 'ignored' },
  );
}

async function verifyHuman(form: Form, body: Record<string, unknown>, ip: string, verifier: HumanVerifier, secrets: SecretStore) {
  const token = body[turnstileTokenField];
  if (typeof token !== 'string' || token === '') throw badRequest('Human verification is missing', [{ path: turnstileTokenField, message: 'is required for this form' }]);
  const secretKey = await secrets.get(secretRefs.turnstileSecretKey(form.id));
  const result = await verifier.verify({ secretKey: secretKey.current, token, remoteIp: ip });
  if (!result.success) throw badRequest('Human verification failed', [{ path: turnstileTokenField, message: `was not accepted (${result.errorCodes.join(', ') || 'no reason given'})` }]);
}

/**
 * A browser posting a plain HTML form (it asks for HTML, not JSON) is sent on to the thank-you page. The
 * answer never says whether the person already had a lead: anyone may post, and it would tell them who is
 * in the company's pipeline.
 */
function acknowledge(event: APIGatewayProxyEventV2, form: Form, result: { leadId: string }): APIGatewayProxyStructuredResultV2 {
  if (!prefersHtml(event)) return jsonResponse(202, { leadId: result.leadId });
  if (form.thankYouUrl) {
    const location = new URL(form.thankYouUrl);
    location.searchParams.set('leadId', result.leadId);
    return { statusCode: 303, headers: { location: location.toString() }, body: '' };
  }
  return {
    statusCode: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!doctype html><html lang="en"><meta charset="utf-8"><title>Thank you</title><body><h1>Thank you</h1><p>We received your request to ${escapeHtml(form.name)} and will be in touch soon.</p><p><small>Reference: ${escapeHtml(result.leadId)}</small></p></body></html>`,
  };
}

export const handler = createHandler(
  lambdaDependenciesOf({
    config: providers.config,
    ingestion: providers.ingestion,
    measuredPriors: providers.measuredPriors,
    rateLimiter: providers.rateLimiter,
    humanVerifier: providers.humanVerifier,
    secrets: providers.secrets,
    now: providers.now,
    newId: providers.newId,
  }),
);

import { acceptedValues, googleLeadToSubmission, readGoogleLeadCredentials, secretRefs, secretsEqual } from '@leadflow/domain';
import {
  badRequest,
  forbidden,
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
} from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `POST /webhooks/google`: a Google Ads lead form delivery. Its `google_key` must equal the key configured
 * for its `form_id` (compared in constant time); the answers are in the body, so the lead is stored
 * directly. Test leads (`is_test`) are stored flagged if the form includes them, and never routed.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'ingestion' | 'measuredPriors' | 'secrets' | 'rateLimiter' | 'now' | 'newId'>) {
  return httpHandler(
    async (event) => {
      const { config, ingestion, measuredPriors, secrets, rateLimiter, now, newId } = dependencies();
      const google = config.integrations.google;
      if (!google) throw notFound('Google Ads lead forms are not configured');
      const at = now();
      await limitWebhookIntake({ config, rateLimiter }, event, 'google', at);
      const body = parseJsonObject(rawBody(event), { keepLargeIntegers: true });
      const credentials = readGoogleLeadCredentials(body);
      if (!credentials.ok) throw badRequest('The Google lead delivery is invalid', credentials.issues);
      const form = google.forms.find((candidate) => candidate.formId === credentials.formId);
      if (!form) throw forbidden(`Google lead form ${credentials.formId} is not configured to deliver leads here`);
      const given = credentials.googleKey;
      const formKey = await secrets.get(secretRefs.googleFormKey(form.formId));
      if (!given || !acceptedValues(formKey).some((value) => secretsEqual(given, value))) throw unauthorized('google_key is missing or does not match the key configured for this form');

      const read = googleLeadToSubmission(body, form);
      if (!read.ok) throw badRequest('The Google lead delivery is invalid', read.issues);
      if (read.submission.isTest && !form.includeTestLeads) return jsonResponse(200, { skipped: 'test lead (is_test), and the form does not include test leads' });
      return jsonResponse(200, intakeAcknowledgement(await ingestSubmission({ config, ingestion, newId, measuredPriors }, read.submission, at)));
    },
    { query: 'ignored' },
  );
}

export const handler = createHandler(lambdaDependenciesOf(providers.deliveredLeadIntake));

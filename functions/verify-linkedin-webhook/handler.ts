import { linkedInChallengeResponse, secretRefs } from '@leadflow/domain';
import { badRequest, httpHandler, jsonResponse, lambdaDependenciesOf, notFound, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `GET /webhooks/linkedin?challengeCode=…`: LinkedIn's validation (on registration and every two hours).
 * Answers `{challengeCode, challengeResponse}`, the response being hex HMAC-SHA256 of the code keyed
 * with the client secret. Only codes shaped like LinkedIn's (a uuid4: letters, digits and "-", at most
 * 64) are answered, so the answer can never double as the signature of a delivery.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'secrets'>) {
  return httpHandler(
    async (event) => {
      const { config, secrets } = dependencies();
      if (!config.integrations.linkedin) throw notFound('LinkedIn Lead Sync is not configured');
      const challengeCode = event.queryStringParameters?.challengeCode ?? '';
      // LinkedIn validates with one secret, the one its app now has: the current value.
      const clientSecret = await secrets.get(secretRefs.linkedInClientSecret);
      const challengeResponse = linkedInChallengeResponse(clientSecret.current, challengeCode);
      if (!challengeResponse)
        throw badRequest('challengeCode is missing or not a LinkedIn challenge code', [{ path: 'challengeCode', message: 'is required: letters, digits and "-" only, at most 64 (LinkedIn sends a uuid4)' }]);
      return jsonResponse(200, { challengeCode, challengeResponse });
    },
    { query: 'read' },
  );
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, secrets: providers.secrets }));

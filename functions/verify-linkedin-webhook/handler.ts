import { linkedInChallengeResponse, secretRefs } from '@leadflow/domain';
import { badRequest, httpHandler, jsonResponse, lambdaDependencies, notFound, type DependencyResolver } from '@leadflow/platform';

/**
 * `GET /webhooks/linkedin?challengeCode=…`: LinkedIn's validation (on registration and every two hours).
 * Answers `{challengeCode, challengeResponse}`, the response being hex HMAC-SHA256 of the code keyed
 * with the client secret.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'secrets'>) {
  return httpHandler(async (event) => {
    const { config, secrets } = dependencies();
    if (!config.integrations.linkedin) throw notFound('LinkedIn Lead Sync is not configured');
    const challengeCode = event.queryStringParameters?.challengeCode;
    if (!challengeCode || challengeCode.length > 256) throw badRequest('challengeCode is missing', [{ path: 'challengeCode', message: 'is required (at most 256 characters)' }]);
    // LinkedIn validates with one secret, the one its app now has: the current value.
    const clientSecret = await secrets.get(secretRefs.linkedInClientSecret);
    return jsonResponse(200, { challengeCode, challengeResponse: linkedInChallengeResponse(clientSecret.current, challengeCode) });
  });
}

export const handler = createHandler(lambdaDependencies);

import { acceptedValues, secretRefs, secretsEqual } from '@leadflow/domain';
import { badRequest, forbidden, httpHandler, lambdaDependenciesOf, notFound, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `GET /webhooks/meta`: Meta's subscription handshake. With `hub.mode=subscribe` and the configured
 * `hub.verify_token`, answers `hub.challenge` as plain text. A wrong mode or token is 403, a missing or over-256-character
 * challenge 400, and 404 when Meta is not configured.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'secrets'>) {
  return httpHandler(
    async (event) => {
      const { config, secrets } = dependencies();
      if (!config.integrations.meta) throw notFound('Meta Lead Ads is not configured');
      const query = event.queryStringParameters ?? {};
      const token = query['hub.verify_token'];
      const verifyToken = await secrets.get(secretRefs.metaVerifyToken);
      if (query['hub.mode'] !== 'subscribe' || !token || !acceptedValues(verifyToken).some((value) => secretsEqual(token, value))) {
        throw forbidden('hub.mode must be "subscribe" and hub.verify_token must match the configured verify token');
      }
      const challenge = query['hub.challenge'];
      if (!challenge || challenge.length > 256) throw badRequest('hub.challenge is missing', [{ path: 'hub.challenge', message: 'is required (at most 256 characters)' }]);
      return { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: challenge };
    },
    { query: 'read' },
  );
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, secrets: providers.secrets }));

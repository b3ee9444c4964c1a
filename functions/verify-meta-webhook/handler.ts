import { secretsEqual } from '@leadflow/domain';
import { badRequest, forbidden, httpHandler, lambdaDependencies, notFound, type DependencyResolver } from '@leadflow/platform';

/**
 * `GET /webhooks/meta`: Meta's subscription handshake. With `hub.mode=subscribe` and the configured
 * `hub.verify_token`, answers `hub.challenge` as plain text; anything else is 403.
 */
export function createHandler(dependencies: DependencyResolver<'config'>) {
  return httpHandler(async (event) => {
    const meta = dependencies().config.integrations.meta;
    if (!meta) throw notFound('Meta Lead Ads is not configured');
    const query = event.queryStringParameters ?? {};
    const token = query['hub.verify_token'];
    if (query['hub.mode'] !== 'subscribe' || !token || !secretsEqual(token, meta.verifyToken)) {
      throw forbidden('hub.mode must be "subscribe" and hub.verify_token must match the configured verify token');
    }
    const challenge = query['hub.challenge'];
    if (!challenge || challenge.length > 256) throw badRequest('hub.challenge is missing', [{ path: 'hub.challenge', message: 'is required (at most 256 characters)' }]);
    return { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: challenge };
  });
}

export const handler = createHandler(lambdaDependencies);

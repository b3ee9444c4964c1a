import { httpHandler, lambdaDependenciesOf, unsubscribeLead, unsubscribeLinkLead, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `POST /u/{token}`: unsubscribes the link's lead from nurture email — the one-click POST of RFC 8058
 * (body `List-Unsubscribe=One-Click`) and the confirmation page's button alike.
 */
export function createHandler(dependencies: DependencyResolver<'leads' | 'consents' | 'secrets' | 'now' | 'newId'>) {
  return httpHandler(
    async (event) => {
      const deps = dependencies();
      const checked = await unsubscribeLinkLead(deps, event.pathParameters?.token ?? '');
      return 'page' in checked ? checked.page : unsubscribeLead(deps, checked.lead);
    },
    { query: 'ignored' },
  );
}

export const handler = createHandler(lambdaDependenciesOf({ leads: providers.leads, consents: providers.consents, newId: providers.newId, secrets: providers.secrets, now: providers.now }));

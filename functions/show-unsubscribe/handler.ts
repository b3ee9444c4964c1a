import { httpHandler, lambdaDependenciesOf, unsubscribeConfirmationPage, unsubscribeLinkLead, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** `GET /u/{token}`: the unsubscribe link's confirmation page; a GET never unsubscribes (mail scanners open links). */
export function createHandler(dependencies: DependencyResolver<'leads' | 'secrets'>) {
  return httpHandler(
    async (event) => {
      const checked = await unsubscribeLinkLead(dependencies(), event.pathParameters?.token ?? '');
      return 'page' in checked ? checked.page : unsubscribeConfirmationPage(checked.lead);
    },
    { query: 'ignored' },
  );
}

export const handler = createHandler(lambdaDependenciesOf({ leads: providers.leads, secrets: providers.secrets }));

import { confirmationLinkLead, httpHandler, lambdaDependenciesOf, nurtureConfirmationPage, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** `GET /c/{token}`: the double opt-in link's page, with the button that confirms; a GET never confirms (mail scanners open links). */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'consents' | 'secrets' | 'now'>) {
  return httpHandler(
    async (event) => {
      const deps = dependencies();
      const checked = await confirmationLinkLead(deps, event.pathParameters?.token ?? '');
      return 'page' in checked ? checked.page : nurtureConfirmationPage(deps.config, checked.lead, checked.consent);
    },
    { query: 'ignored' },
  );
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, consents: providers.consents, secrets: providers.secrets, now: providers.now }));

import { confirmationLinkLead, confirmNurtureConsent, httpHandler, lambdaDependenciesOf, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** `POST /c/{token}`: the confirmation page's button: the person's marketing consent confirmed on the ledger, and their nurture sequence started. */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'consents' | 'secrets' | 'now' | 'newId'>) {
  return httpHandler(
    async (event) => {
      const deps = dependencies();
      const checked = await confirmationLinkLead(deps, event.pathParameters?.token ?? '');
      return 'page' in checked ? checked.page : confirmNurtureConsent(deps, checked, { ip: event.requestContext.http.sourceIp, userAgent: event.requestContext.http.userAgent });
    },
    { query: 'ignored' },
  );
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, consents: providers.consents, secrets: providers.secrets, now: providers.now, newId: providers.newId }));

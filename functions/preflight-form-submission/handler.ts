import { corsHeaders, headerValue, httpHandler, lambdaDependenciesOf, notFound, type DependencyResolver, quotedPathId } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** `OPTIONS /forms/{formId}/submissions`: the CORS preflight, allowing only the form's configured origins. */
export function createHandler(dependencies: DependencyResolver<'config'>) {
  return httpHandler(
    async (event) => {
      const formId = event.pathParameters?.formId ?? '';
      const form = dependencies().config.forms.find((candidate) => candidate.id === formId);
      if (!form) throw notFound(`Form ${quotedPathId(formId)} does not exist`);
      const headers = corsHeaders(form.allowedOrigins, headerValue(event, 'origin'));
      return { statusCode: headers['access-control-allow-origin'] ? 204 : 403, headers, body: '' };
    },
    { query: 'ignored' },
  );
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config }));

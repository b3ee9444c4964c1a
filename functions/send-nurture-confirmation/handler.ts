import '@leadflow/domain/zod-locale';
import * as z from 'zod/mini';
import { leadPooledDetailSchema, leadTouchedDetailSchema } from '@leadflow/domain';
import { eventHandler, lambdaDependenciesOf, sendNurtureConfirmation, type ConfirmationEmailDependencies, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * On `lead.pooled` by a `nurture` route, and on `lead.touched` (a new post by the person): emails the link that
 * confirms their marketing consent, when the lead waits for it and the limits allow (see `sendNurtureConfirmation`).
 */
export function createHandler(dependencies: DependencyResolver<keyof ConfirmationEmailDependencies | 'now'>) {
  return eventHandler(z.union([leadPooledDetailSchema, leadTouchedDetailSchema]), async (detail) => {
    const deps = dependencies();
    await sendNurtureConfirmation(deps, detail.leadId, deps.now());
  });
}

export const handler = createHandler(
  lambdaDependenciesOf({
    config: providers.config,
    leads: providers.leads,
    consents: providers.consents,
    mailer: providers.mailerSendingAtMostOnce,
    secrets: providers.secrets,
    publicBaseUrl: providers.publicBaseUrl,
    newId: providers.newId,
    now: providers.now,
  }),
);

import { allowsMarketingEmail, canViewLead, consentPurposeSchema, doubleOptInRequired, hasConsent, marketingEmailConsent } from '@leadflow/domain';
import { forbidden, httpHandler, personalDataResponse, lambdaDependenciesOf, principalFrom, requestedLead, type DependencyResolver, leadIdFromPath } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/** `GET /leads/{leadId}/consents`: the lead's consent ledger in time order and the consent in force per purpose, for whoever may see the lead. */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'consents' | 'now'>) {
  return httpHandler(async (event) => {
    const principal = principalFrom(event);
    const leadId = leadIdFromPath(event);
    const { config, leads, consents, now } = dependencies();
    const lead = await requestedLead(leads, leadId, config.retention, now());
    if (!canViewLead(principal, lead)) throw forbidden(`Lead "${leadId}" belongs to another rep`);
    const entries = await consents.entriesFor(leadId);
    // Marketing email is in force only once confirmed where double opt-in asks for it, as the nurture sender reads it.
    const marketing = allowsMarketingEmail(marketingEmailConsent(entries, (source) => doubleOptInRequired(config, source)));
    const inForce = Object.fromEntries(consentPurposeSchema.options.map((purpose) => [purpose, purpose === 'marketing_email' ? marketing : hasConsent(entries, purpose)]));
    return personalDataResponse({ leadId, entries, inForce });
  });
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, consents: providers.consents, now: providers.now }));

import {
  allowsMarketingEmail,
  canViewLead,
  consentLedgerPage,
  consentLedgerQuerySchema,
  consentPurposeSchema,
  doubleOptInRequired,
  encodePageCursor,
  hasConsent,
  marketingEmailConsent,
  pageCursorScope,
  pageCursorScopeIssues,
  toQueryIssueList,
} from '@leadflow/domain';
import { badRequest, forbidden, httpHandler, personalDataResponse, lambdaDependenciesOf, principalFrom, requestedLead, type DependencyResolver, leadIdFromPath } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `GET /leads/{leadId}/consents[?limit=50][&cursor=…]`: a page of the lead's consent ledger in time order and the
 * consent in force per purpose (read from the whole ledger), for whoever may see the lead.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'leads' | 'consents' | 'now'>) {
  return httpHandler(
    async (event) => {
      const principal = principalFrom(event);
      const leadId = leadIdFromPath(event);
      const { config, leads, consents, now } = dependencies();
      const lead = await requestedLead(leads, leadId, config.retention, now());
      if (!canViewLead(principal, lead)) throw forbidden(`Lead "${leadId}" belongs to another rep`);
      const query = consentLedgerQuerySchema.safeParse(event.queryStringParameters ?? {});
      if (!query.success) throw badRequest('The consent ledger query is invalid', toQueryIssueList(query.error, consentLedgerQuerySchema));
      const scope = pageCursorScope('lead-consents', leadId);
      const otherList = pageCursorScopeIssues(query.data.cursor, scope);
      if (otherList.length) throw badRequest('The consent ledger query is invalid', otherList);
      const entries = await consents.entriesFor(leadId);
      // Marketing email is in force only once confirmed where double opt-in asks for it, as the nurture sender reads it.
      const marketing = allowsMarketingEmail(marketingEmailConsent(entries, (source) => doubleOptInRequired(config, source)));
      const inForce = Object.fromEntries(consentPurposeSchema.options.map((purpose) => [purpose, purpose === 'marketing_email' ? marketing : hasConsent(entries, purpose)]));
      const page = consentLedgerPage(entries, query.data.limit, query.data.cursor?.at);
      return personalDataResponse({ leadId, entries: page.entries, inForce, ...(page.next ? { cursor: encodePageCursor(page.next, scope) } : {}) });
    },
    { query: 'read' },
  );
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, leads: providers.leads, consents: providers.consents, now: providers.now }));

import { isOpenOffer, maskedContact, offerAcceptorRefusal, oneTapActions } from '@leadflow/domain';
import { checkOneTapLink, httpHandler, lambdaDependenciesOf, linkRefusalPage, oneTapConfirmationPage, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

/**
 * `GET /a/{token}`: the confirmation page of a one-tap link. Mail scanners and link previews open links,
 * so a GET only reads: it shows the lead and a button whose POST acts, or why the link cannot be used.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'secrets' | 'leads' | 'links' | 'now'>) {
  return httpHandler(
    async (event) => {
      const deps = dependencies();
      const checked = await checkOneTapLink(deps, event.pathParameters?.token ?? '');
      if ('refusal' in checked) return linkRefusalPage(checked.refusal);
      const { claims, lead } = checked;
      const action = oneTapActions[claims.action];
      const pool = deps.config.pools.find((candidate) => candidate.id === lead.poolId);
      // An open offer: the rep is one of several, and the first to confirm owns the lead; until then its name is masked, as in the offer.
      const offered = claims.action === 'accept' && isOpenOffer(lead);
      const acceptorRefusal = offered ? offerAcceptorRefusal(deps.config.reps.find((rep) => rep.id === claims.repId)) : undefined;
      if (acceptorRefusal) return linkRefusalPage(acceptorRefusal);
      const question = offered
        ? `This lead is offered to ${lead.offer.repIds.length} reps until ${lead.offer.expiresAt.replace('T', ' ').slice(0, 16)} UTC; the first to accept owns it. Take it and call them now?`
        : action.question;
      const name = offered ? maskedContact(lead.contact).name : lead.contact.name;
      return oneTapConfirmationPage({
        ...action,
        question,
        lead: { name: name || 'New lead', company: lead.contact.company },
        reasons: claims.action === 'release' ? (pool?.releaseReasons ?? []) : undefined,
      });
    },
    { query: 'ignored' },
  );
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, secrets: providers.secrets, leads: providers.leads, links: providers.links, now: providers.now }));

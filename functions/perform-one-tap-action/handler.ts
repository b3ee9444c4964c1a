import {
  actionLinkRefusal,
  holdingCapOf,
  isOpenOffer,
  offerAcceptorRefusal,
  offerTakenRefusal,
  oneTapActions,
  planAcceptance,
  planOfferAcceptance,
  planRelease,
  planStatusChange,
  type ActionLinkClaims,
  type Lead,
  type LinkRefusal,
  type OneTapAction,
} from '@leadflow/domain';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { checkOneTapLink, httpHandler, lambdaDependenciesOf, linkRefusalPage, logger, mediaType, oneTapMessagePage, rawBody, utf8Text, type Dependencies, type DependencyResolver } from '@leadflow/platform';
import * as providers from '@leadflow/platform/lambda-providers';

type ActionDependencies = Pick<Dependencies, 'config' | 'secrets' | 'leads' | 'links' | 'now' | 'newId'>;
interface ActionContext {
  deps: ActionDependencies;
  claims: ActionLinkClaims;
  linkId: string;
  lead: Lead;
  form: URLSearchParams;
}
type ActionResult = { done: true } | { refusal: LinkRefusal } | { badField: { field: string; message: string } };

const usedMeanwhile: LinkRefusal = { reason: 'used', message: 'This link was used a moment ago. Each link works once.' };
const changedMeanwhile: LinkRefusal = { reason: 'lead_changed', message: 'This lead changed a moment ago and is no longer yours to do this with.' };
/** The store refused the step as taking the lead over its item limit: trying again cannot help, so the page says so. */
const leadFull: LinkRefusal = { reason: 'lead_full', message: "This lead's timeline is too long to record this step; nothing was changed. Open the lead in Leadflow instead." };

/** One executor per one-tap action; each writes the link's use so it works once. */
const executors: Record<OneTapAction, (context: ActionContext) => Promise<ActionResult>> = {
  // The first accept of an open offer makes the rep the owner; any other accept acknowledges a lead already theirs. Each is one transaction.
  accept: async ({ deps, claims, linkId, lead }) => {
    if (isOpenOffer(lead)) {
      const rep = deps.config.reps.find((candidate) => candidate.id === claims.repId);
      const acceptorRefusal = offerAcceptorRefusal(rep);
      if (acceptorRefusal) return { refusal: acceptorRefusal };
      const pool = deps.config.pools.find((candidate) => candidate.id === lead.offer.poolId);
      if (!rep || !pool) return { refusal: changedMeanwhile };
      const cap = holdingCapOf(rep, pool);
      const outcome = await deps.links.recordOfferAcceptance(linkId, planOfferAcceptance({ lead, repId: rep.id, now: deps.now(), eventId: deps.newId() }), claims.expiresAt, cap);
      if (outcome === 'link_used') return { refusal: usedMeanwhile };
      if (outcome === 'taken') return { refusal: await refusalAsItIsNow(deps, claims, offerTakenRefusal) };
      if (outcome === 'at_capacity') return { refusal: { reason: 'at_capacity', message: `You already hold as many open leads as you may (${cap}); nothing was changed.` } };
      if (outcome === 'lead_full') return { refusal: leadFull };
      return { done: true };
    }
    const outcome = await deps.links.recordAcceptance(linkId, planAcceptance({ lead, repId: claims.repId, now: deps.now(), eventId: deps.newId() }), claims.expiresAt);
    if (outcome === 'link_used') return { refusal: usedMeanwhile };
    if (outcome === 'lead_changed') return { refusal: await refusalAsItIsNow(deps, claims, changedMeanwhile) };
    if (outcome === 'lead_full') return { refusal: leadFull };
    return { done: true };
  },
  // The lifecycle's `contacted` step, as the rep's own POST /leads/{id}/status would take it.
  contacted: async (context) => {
    const { deps, claims, lead } = context;
    const pool = deps.config.pools.find((candidate) => candidate.id === lead.poolId);
    if (!pool) return { refusal: changedMeanwhile };
    const plan = planStatusChange({ lead, pool, principal: { id: claims.repId, roles: ['rep'] }, body: { status: 'contacted' }, now: deps.now(), eventId: deps.newId() });
    if ('refusal' in plan) return { refusal: { reason: 'lead_changed', message: plan.refusal.message } };
    return usingLink(context, async () => writeOutcome(await deps.leads.applyTransition(plan.transition)));
  },
  // The pool's release (its own transaction).
  release: async (context) => {
    const { deps, claims, lead, form } = context;
    const pool = deps.config.pools.find((candidate) => candidate.id === lead.poolId);
    // One reason: a form sent with two would otherwise be read as its first.
    const reasons = form.getAll('reason');
    const reason = reasons.length === 1 ? reasons[0] : '';
    if (!pool || !pool.releaseReasons.includes(reason)) return { badField: { field: 'reason', message: `choose one of: ${(pool?.releaseReasons ?? []).join(', ')}` } };
    const plan = planRelease({ lead, pool, repId: claims.repId, reason, now: deps.now(), eventId: deps.newId() });
    if ('refusal' in plan) return { refusal: plan.refusal.rule === 'lead_full' ? leadFull : { reason: 'not_yours', message: plan.refusal.message } };
    return usingLink(context, async () => writeOutcome(await deps.leads.releaseLead(plan.release)));
  },
};

/** A store write's outcome as `usingLink` reads it: written, refused as too full, or anything else (the lead changed). */
function writeOutcome(outcome: 'applied' | 'released' | 'lead_changed' | 'holding_cap' | 'lead_full'): 'applied' | 'lead_full' | 'refused' {
  if (outcome === 'applied' || outcome === 'released') return 'applied';
  return outcome === 'lead_full' ? 'lead_full' : 'refused';
}

/**
 * Writes the link's use, then the action's own transaction (`write`: `applied`, `lead_full`, or `refused` when the lead
 * changed). The use is forgotten when the action is refused or fails (a throttled table, say), so the rep's retry of the
 * same link does the action instead of hearing the link was used.
 */
async function usingLink({ deps, claims, linkId }: ActionContext, write: () => Promise<'applied' | 'lead_full' | 'refused'>): Promise<ActionResult> {
  if (!(await deps.links.markUsed(linkId, deps.now().toISOString(), claims.expiresAt))) return { refusal: usedMeanwhile };
  let outcome: 'applied' | 'lead_full' | 'refused';
  try {
    outcome = await write();
  } catch (error) {
    await forgetUse(deps, linkId);
    throw error;
  }
  if (outcome === 'applied') return { done: true };
  await forgetUse(deps, linkId);
  if (outcome === 'lead_full') return { refusal: leadFull };
  return { refusal: await refusalAsItIsNow(deps, claims, changedMeanwhile) };
}

/**
 * Why the lead refused a write it allowed when the link was checked, read again (erased, taken by another
 * rep, back in its pool); `otherwise` when it would now allow it (it changed and may change back).
 */
async function refusalAsItIsNow(deps: ActionDependencies, claims: ActionLinkClaims, otherwise: LinkRefusal): Promise<LinkRefusal> {
  return actionLinkRefusal(claims, await deps.leads.getLead(claims.leadId)) ?? otherwise;
}

/** Takes back a link's use whose action did not happen; should that fail too, the rep is still told what became of the action, and the link stays used. */
async function forgetUse(deps: ActionDependencies, linkId: string): Promise<void> {
  await deps.links.forget(linkId).catch((error: unknown) => logger.warn('The one-tap link stays used though its action did not happen', { linkId, error }));
}

/**
 * `POST /a/{token}`: does a one-tap link's action, once, for the link's rep only, after the same checks
 * as its GET page. Answers with a small page in plain words; a refused link changes nothing.
 */
export function createHandler(dependencies: DependencyResolver<'config' | 'secrets' | 'leads' | 'links' | 'now' | 'newId'>) {
  return httpHandler(
    async (event) => {
      const deps = dependencies();
      const checked = await checkOneTapLink(deps, event.pathParameters?.token ?? '');
      if ('refusal' in checked) return linkRefusalPage(checked.refusal);
      const result = await executors[checked.claims.action]({ deps, ...checked, form: formOf(event) });
      return resultPage(checked.claims.action, result);
    },
    { query: 'ignored' },
  );
}

function formOf(event: APIGatewayProxyEventV2): URLSearchParams {
  if (mediaType(event) !== 'application/x-www-form-urlencoded') return new URLSearchParams();
  return new URLSearchParams(utf8Text(rawBody(event)));
}

function resultPage(action: OneTapAction, result: ActionResult): APIGatewayProxyStructuredResultV2 {
  if ('refusal' in result) return linkRefusalPage(result.refusal);
  if ('badField' in result) return oneTapMessagePage(400, 'Please go back and choose', `${result.badField.field}: ${result.badField.message}. Nothing was changed.`);
  return oneTapMessagePage(200, oneTapActions[action].title, oneTapActions[action].done);
}

export const handler = createHandler(lambdaDependenciesOf({ config: providers.config, secrets: providers.secrets, leads: providers.leads, links: providers.links, now: providers.now, newId: providers.newId }));

import { actionLinkRefusal, secretRefs, verifyActionLinkToken, type ActionLinkClaims, type Lead, type LinkRefusal } from '@leadflow/domain';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Dependencies } from './dependencies';
import { oneTapMessagePage } from './http/one-tap-pages';

const refusalStatus: Record<LinkRefusal['reason'], number> = { forged: 403, expired: 410, used: 409, not_yours: 403, lead_changed: 409, taken: 409, at_capacity: 409, lead_full: 409 };

/** The page that says why a link cannot be used; nothing was changed. */
export function linkRefusalPage(refusal: LinkRefusal): APIGatewayProxyStructuredResultV2 {
  return oneTapMessagePage(refusalStatus[refusal.reason], 'This link cannot be used', refusal.message);
}

/**
 * Everything a one-tap link must pass before its page is shown or its action done, GET and POST alike:
 * the signature and expiry, one use, and that the lead still lets the link's rep do it.
 */
export async function checkOneTapLink(deps: Pick<Dependencies, 'secrets' | 'leads' | 'links' | 'now'>, token: string): Promise<{ refusal: LinkRefusal } | { claims: ActionLinkClaims; linkId: string; lead: Lead }> {
  const checked = verifyActionLinkToken(token, await deps.secrets.get(secretRefs.actionLinkKey), deps.now());
  if ('refusal' in checked) return checked;
  const usedAt = await deps.links.usedAt(checked.linkId);
  if (usedAt) return { refusal: { reason: 'used', message: `This link was already used (${usedAt.replace('T', ' ').slice(0, 16)} UTC). Each link works once.` } };
  const lead = await deps.leads.getLead(checked.claims.leadId);
  const refusal = actionLinkRefusal(checked.claims, lead);
  if (refusal || !lead) return { refusal: refusal ?? { reason: 'lead_changed', message: 'This lead no longer exists.' } };
  return { ...checked, lead };
}

import { hasConsent, parseUnsubscribeToken, planNurtureExit, readableContact, secretRefs, unsubscribeTokenValid, wasErased, type Lead } from '@leadflow/domain';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Dependencies } from './dependencies';
import { oneTapConfirmationPage, oneTapMessagePage } from './http/one-tap-pages';

export type UnsubscribeDependencies = Pick<Dependencies, 'leads' | 'consents' | 'secrets' | 'now' | 'newId'>;

/**
 * The lead an unsubscribe link was made for, or the page saying the link is not valid. The link proves
 * itself with the lead's stored unsubscribe secret, which no key rotation changes; links sent before leads had
 * one are signed, and work while the action-link key that signed them is current or previous.
 */
export async function unsubscribeLinkLead(deps: Pick<UnsubscribeDependencies, 'leads' | 'secrets'>, token: string): Promise<{ lead: Lead } | { page: APIGatewayProxyStructuredResultV2 }> {
  const refused = { page: oneTapMessagePage(403, 'This link cannot be used', 'This unsubscribe link is not valid: it was changed or was not made by us. Use the link in our latest email.') };
  const parsed = parseUnsubscribeToken(token);
  if (!parsed) return refused;
  const lead = await deps.leads.getLead(parsed.leadId);
  // A person erased, or a lead past its retention (gone with the secret its links prove themselves with), receives nothing from us either way.
  if (!lead || wasErased(lead)) return { page: unsubscribedPage() };
  const valid = unsubscribeTokenValid(parsed, await deps.leads.unsubscribeSecretOf(parsed.leadId), await deps.secrets.get(secretRefs.actionLinkKey));
  return valid ? { lead } : refused;
}

const unsubscribedPage = () => oneTapMessagePage(200, 'You are unsubscribed', 'You will not receive these emails any more.');

/** What a GET shows: a button whose POST unsubscribes (mail scanners open links, so a GET never acts). */
export function unsubscribeConfirmationPage(lead: Lead): APIGatewayProxyStructuredResultV2 {
  return oneTapConfirmationPage({ title: 'Unsubscribe', question: 'Stop receiving these emails from us?', button: 'Unsubscribe', lead: { name: readableContact(lead.contact).email ?? lead.contact.name ?? 'You' } });
}

/**
 * Unsubscribes a lead from nurture email: a `withdrawn` entry for `marketing_email` (source
 * `unsubscribe`) on its consent ledger, unless the ledger withdrew it already, and the lead out of
 * its sequence, even a lead too full for the exit's timeline entry. Doing it twice changes nothing more.
 */
export async function unsubscribeLead(deps: UnsubscribeDependencies, lead: Lead): Promise<APIGatewayProxyStructuredResultV2> {
  const at = deps.now();
  const entries = (await deps.consents.entriesFor(lead.leadId)).filter((entry) => entry.purpose === 'marketing_email');
  if (entries.length === 0 || hasConsent(entries, 'marketing_email')) {
    await deps.consents.append({ leadId: lead.leadId, purpose: 'marketing_email', action: 'withdrawn', at: at.toISOString(), source: 'unsubscribe' });
  }
  let current: Lead | undefined = lead;
  for (let tries = 1; current?.nurture && tries <= 3; tries += 1) {
    const exit = planNurtureExit({ lead: current, reason: 'unsubscribed', by: 'unsubscribe', now: at, eventId: deps.newId() });
    const written = await deps.leads.applyTransition(exit);
    // At the item limit the exit goes without its timeline entry: a write that only removes attributes always fits.
    const outcome = written === 'lead_full' ? await deps.leads.applyTransition({ ...exit, after: { ...exit.after, history: exit.before.history } }) : written;
    if (outcome === 'applied') break;
    current = await deps.leads.getLead(lead.leadId);
  }
  return unsubscribedPage();
}

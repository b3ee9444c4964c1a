import { retentionEnded, type Lead, type Retention } from '@leadflow/domain';
import { notFound } from './http/http-errors';
import { quotedPathId } from './http/lead-path';
import type { LeadStore } from './ports/lead-store';

/**
 * The lead a request names, as the people working leads may reach it: a `404` when there is none, and when its
 * retention has ended. Such a lead is as good as deleted (the person's next submission makes a new lead), though
 * the table's TTL removes it only within days; only a person's export and erasure still reach it until then.
 */
export async function requestedLead(leads: Pick<LeadStore, 'getLead'>, leadId: string, retention: Retention, at: Date): Promise<Lead> {
  const lead = await leads.getLead(leadId);
  if (!lead) throw notFound(`Lead ${quotedPathId(leadId)} does not exist`);
  if (retentionEnded(lead, retention, at.toISOString())) throw notFound(`Lead ${quotedPathId(leadId)} is past its retention and is being deleted`);
  return lead;
}

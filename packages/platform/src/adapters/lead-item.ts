import { agendaKey, isOpenOffer, leadSchema, type Lead } from '@leadflow/domain';
import { nurtureDuePartition, openOfferPartition, poolWaitingPartition } from './leads-table-keys';
import { shardedPartition } from './sparse-index-shards';

/**
 * The lead held in a `LEAD` item of the table, validated against its schema (without the index attributes and its
 * unsubscribe secret). An item that does not read as a lead throws an error naming its key and each failing field
 * (its path and reason, never the value: it may be personal data), for the log of whoever must repair it.
 */
export function leadFromItem(item: Record<string, unknown>): Lead {
  const {
    pk: _pk,
    sk: _sk,
    entity: _entity,
    poolWaiting: _poolWaiting,
    ownerAgenda: _ownerAgenda,
    followUpDueAt: _followUpDueAt,
    followUpDuePartition: _followUpDuePartition,
    offerExpiryPartition: _offerExpiryPartition,
    offerExpiresAt: _offerExpiresAt,
    nurtureDuePartition: _nurtureDuePartition,
    nurtureDueAt: _nurtureDueAt,
    expiresAt: _expiresAt,
    unsubscribeSecret: _unsubscribeSecret,
    ...lead
  } = item;
  const parsed = leadSchema.safeParse(lead);
  if (parsed.success) return parsed.data;
  // zod's message lists each issue's path and reason, not the value read.
  throw new Error(`Lead item ${String(item.pk)} does not read as a lead: ${parsed.error.message}`);
}

/**
 * The index attributes a lead item carries, derived from the lead: `poolWaiting` while it waits unowned
 * in its pool (sparse index `pool-waiting-by-capture`), `ownerAgenda` while it has an owner (index
 * `owner-agenda`, partition `ownerId`), `offerExpiryPartition` and `offerExpiresAt` while an offer to several
 * reps is open (sparse index `offer-expiry-by-time`), `nurtureDuePartition` and `nurtureDueAt` while it waits
 * in its pool with a nurture step ahead (sparse index `nurture-due-by-time`). Absent means the item leaves that index.
 */
export function leadIndexAttributes(lead: Lead): { poolWaiting?: string; ownerAgenda?: string; offerExpiryPartition?: string; offerExpiresAt?: string; nurtureDuePartition?: string; nurtureDueAt?: string } {
  return {
    ...(lead.nurture?.nextStepAt && lead.status === 'in_pool' && !lead.ownerId ? nurtureDueAttributes(lead.leadId, lead.nurture.nextStepAt) : {}),
    ...(isOpenOffer(lead) ? { offerExpiryPartition: shardedPartition(openOfferPartition, lead.leadId), offerExpiresAt: lead.offer.expiresAt } : {}),
    ...(lead.status === 'in_pool' && !lead.ownerId ? { poolWaiting: poolWaitingPartition(lead.poolId) } : {}),
    ...(lead.ownerId ? { ownerAgenda: agendaKey(lead) } : {}),
  };
}

/** The `nurture-due-by-time` index attributes of a waiting lead whose next nurture step is due at `nextStepAt`. */
export function nurtureDueAttributes(leadId: string, nextStepAt: string): { nurtureDuePartition: string; nurtureDueAt: string } {
  return { nurtureDuePartition: shardedPartition(nurtureDuePartition, leadId), nurtureDueAt: nextStepAt };
}

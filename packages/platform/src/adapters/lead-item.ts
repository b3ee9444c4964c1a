import { agendaKey, isOpenOffer, leadSchema, type Lead } from '@leadflow/domain';
import { openOfferPartition, poolWaitingPartition } from './leads-table-keys';
import { shardedPartition } from './sparse-index-shards';

/** The lead held in a `LEAD` item of the table, validated against its schema. */
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
    expiresAt: _expiresAt,
    ...lead
  } = item;
  return leadSchema.parse(lead);
}

/**
 * The index attributes a lead item carries, derived from the lead: `poolWaiting` while it waits unowned
 * in its pool (sparse index `pool-waiting-by-capture`), `ownerAgenda` while it has an owner (index
 * `owner-agenda`, partition `ownerId`), `offerExpiryPartition` and `offerExpiresAt` while an offer to several
 * reps is open (sparse index `offer-expiry-by-time`). Absent means the item leaves that index.
 */
export function leadIndexAttributes(lead: Lead): { poolWaiting?: string; ownerAgenda?: string; offerExpiryPartition?: string; offerExpiresAt?: string } {
  return {
    ...(isOpenOffer(lead) ? { offerExpiryPartition: shardedPartition(openOfferPartition, lead.leadId), offerExpiresAt: lead.offer.expiresAt } : {}),
    ...(lead.status === 'in_pool' && !lead.ownerId ? { poolWaiting: poolWaitingPartition(lead.poolId) } : {}),
    ...(lead.ownerId ? { ownerAgenda: agendaKey(lead) } : {}),
  };
}

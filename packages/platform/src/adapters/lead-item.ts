import { agendaKey, leadSchema, type Lead } from '@leadflow/domain';
import { poolWaitingPartition } from './leads-table-keys';

/** The lead held in a `LEAD` item of the table, validated against its schema. */
export function leadFromItem(item: Record<string, unknown>): Lead {
  const { pk: _pk, sk: _sk, entity: _entity, poolWaiting: _poolWaiting, ownerAgenda: _ownerAgenda, followUpDueAt: _followUpDueAt, followUpDuePartition: _followUpDuePartition, expiresAt: _expiresAt, ...lead } = item;
  return leadSchema.parse(lead);
}

/**
 * The index attributes a lead item carries, derived from the lead: `poolWaiting` while it waits unowned
 * in its pool (sparse index `pool-waiting-by-capture`), `ownerAgenda` while it has an owner (index
 * `owner-agenda`, partition `ownerId`). Absent means the item leaves that index.
 */
export function leadIndexAttributes(lead: Lead): { poolWaiting?: string; ownerAgenda?: string } {
  return {
    ...(lead.status === 'in_pool' && !lead.ownerId ? { poolWaiting: poolWaitingPartition(lead.poolId) } : {}),
    ...(lead.ownerId ? { ownerAgenda: agendaKey(lead) } : {}),
  };
}

import { leadSchema, type Lead } from '@leadflow/domain';

/** The lead held in a `LEAD` item of the table, validated against its schema. */
export function leadFromItem(item: Record<string, unknown>): Lead {
  const { pk: _pk, sk: _sk, entity: _entity, poolWaiting: _poolWaiting, followUpDueAt: _followUpDueAt, followUpDuePartition: _followUpDuePartition, ...lead } = item;
  return leadSchema.parse(lead);
}

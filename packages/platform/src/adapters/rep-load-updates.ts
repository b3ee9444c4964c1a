import { leadsTableKeys } from './leads-table-keys';

/** The holding cap (持有上限): a rep's open-lead counter moves up only while it stays below `cap`. */
export function holdingCapIncrement(tableName: string, repId: string, cap: number) {
  return {
    Update: {
      TableName: tableName,
      Key: leadsTableKeys.repLoad(repId),
      UpdateExpression: 'ADD #open :one SET entity = :entity, repId = :repId',
      ConditionExpression: 'attribute_not_exists(#open) OR #open < :cap',
      ExpressionAttributeNames: { '#open': 'open' },
      ExpressionAttributeValues: { ':one': 1, ':entity': 'rep-load', ':repId': repId, ':cap': cap },
    },
  };
}

/** A lead leaves its owner: their open-lead counter goes down by one (it was counted when the lead became theirs, so it is above zero). */
export function openLeadDecrement(tableName: string, repId: string) {
  return {
    Update: {
      TableName: tableName,
      Key: leadsTableKeys.repLoad(repId),
      UpdateExpression: 'ADD #open :minusOne',
      ConditionExpression: '#open > :zero',
      ExpressionAttributeNames: { '#open': 'open' },
      ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
    },
  };
}

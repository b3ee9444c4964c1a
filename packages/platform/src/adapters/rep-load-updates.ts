import { leadsTableKeys } from './leads-table-keys';

/**
 * The holding cap (持有上限): a rep's open-lead counter moves up only while it stays below `cap`, and with
 * `seen` (the load a `least_busy` choice was ranked on) only while it is still that, so a concurrent change fails the write.
 */
export function holdingCapIncrement(tableName: string, repId: string, cap: number, seen?: number) {
  const underCap = '(attribute_not_exists(#open) OR #open < :cap)';
  const stillSeen = seen === undefined ? '' : seen === 0 ? ' AND (attribute_not_exists(#open) OR #open = :seen)' : ' AND #open = :seen';
  return {
    Update: {
      TableName: tableName,
      Key: leadsTableKeys.repLoad(repId),
      UpdateExpression: 'ADD #open :one SET entity = :entity, repId = :repId',
      ConditionExpression: `${underCap}${stillSeen}`,
      ExpressionAttributeNames: { '#open': 'open' },
      ExpressionAttributeValues: { ':one': 1, ':entity': 'rep-load', ':repId': repId, ':cap': cap, ...(seen === undefined ? {} : { ':seen': seen }) },
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

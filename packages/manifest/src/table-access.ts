/**
 * The DynamoDB actions of each level of table access a function may be given, from least to most.
 * A transaction needs the action of each item it holds (`TransactWriteItems` with a `Delete` needs
 * `DeleteItem`), so a function that deletes inside a transaction needs `readWriteDelete` too. No level
 * scans a table or runs PartiQL: nothing reads a table whole, and a query names its partition.
 *
 * @example table.grant(role, ...tableAccessActions[definition.tables.leads])
 */
export const tableAccessActions = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  // ConditionCheckItem is the condition-only item of a write transaction.
  readWrite: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
  // BatchWriteItem can delete as well as put, so it goes with DeleteItem.
  readWriteDelete: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
} as const satisfies Record<string, readonly `dynamodb:${string}`[]>;

/** How much of a table a function may touch: `read`, `readWrite` (puts and updates) or `readWriteDelete`. */
export type TableAccess = keyof typeof tableAccessActions;

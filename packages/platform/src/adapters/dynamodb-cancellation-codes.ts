/**
 * Why DynamoDB cancels an item of a transaction when it is busy, not when the write is wrong: throttled, or
 * another transaction on the item. `retryOnTransactionConflict` tries such a transaction again, and
 * `isBackendUnavailable` answers it 503 once the tries are spent. A module of its own, with no SDK import,
 * so the HTTP error handler of a function that calls no AWS service (`health`) can read it.
 */
export const busyCancellationCodes: ReadonlySet<string> = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

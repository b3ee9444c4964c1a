/** DynamoDB's limit of items in one `TransactWriteItems`. */
export const transactionItemLimit = 100;

/** DynamoDB's limit on the size of one `TransactWriteItems`, all its items together. */
export const transactionByteLimit = 4 * 1024 * 1024;

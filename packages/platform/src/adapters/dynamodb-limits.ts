/** DynamoDB's limit of items in one `TransactWriteItems`. */
export const transactionItemLimit = 100;

import { ConditionalCheckFailedException, TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { busyCancellationCodes } from './dynamodb-cancellation-codes';

/** One item of a `TransactWriteItems`. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Runs a conditional write whose failed condition means there is nothing to do. */
export async function ignoringFailedCondition(write: Promise<unknown>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** Whether a transaction was cancelled because another transaction was writing one of its items. */
export function isTransactionConflict(error: unknown): boolean {
  return error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict');
}

/**
 * Concurrent transactions on the same keys cancel each other with `TransactionConflict`, and a single write
 * to an item a transaction is writing fails with `TransactionConflictException`; trying again (after a short
 * random pause) lets one win and the others see its keys as held. A transaction cancelled because one of its
 * items' writes was throttled (which the SDK does not retry, as it does a throttled single write) is tried
 * again the same way. Once the tries are spent the error is thrown, and an HTTP handler answers it `503`.
 */
export async function retryOnTransactionConflict<T>(attempt: () => Promise<T>, attempts = 8): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      const passing = error instanceof TransactionConflictException || (error instanceof TransactionCanceledException && error.CancellationReasons?.some((reason) => busyCancellationCodes.has(reason.Code ?? '')));
      if (!passing || failedConditions(error) || tries >= attempts) throw error;
      await new Promise((done) => setTimeout(done, Math.random() * 20 * tries));
    }
  }
}

/** For a transaction cancelled by failed conditions, which of its items failed (by position); else undefined. */
export function failedConditions(error: unknown): boolean[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  if (!reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) return undefined;
  return reasons.map((reason) => reason.Code === 'ConditionalCheckFailed');
}

/**
 * For a transaction cancelled because writing an item would take it over DynamoDB's 400 KB item limit
 * (reason `ValidationError`, "Item size to update has exceeded the maximum allowed size"), which of its
 * items were too large (by position); else undefined. Sending it again cannot succeed.
 */
export function oversizedItems(error: unknown): boolean[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const oversized = (error.CancellationReasons ?? []).map((reason) => reason.Code === 'ValidationError' && /item size/i.test(reason.Message ?? ''));
  return oversized.some(Boolean) ? oversized : undefined;
}

/**
 * Whether a single write (`UpdateItem`, `PutItem`) was refused because it would take its item over DynamoDB's 400 KB
 * item limit (`ValidationException`, "Item size to update has exceeded the maximum allowed size"). Sending it again cannot succeed.
 */
export function isItemTooLarge(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException' && /item size/i.test(error.message);
}

/**
 * An item kept changing under a read-modify-write however often it was read again: sent again later, the
 * request may succeed, so an HTTP handler answers it `503` with `Retry-After` (`isBackendUnavailable` knows its name).
 */
export class WriteContentionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteContentionError';
  }
}

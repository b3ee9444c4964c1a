import { busyCancellationCodes } from '../adapters/dynamodb-cancellation-codes';

/** Seconds a client is asked to wait after a 503: long enough for the SDK's own retries to have given up and a blip to pass. */
export const backendRetryAfterSeconds = 5;

/** Node socket errors that mean the database (or another AWS endpoint) could not be reached or dropped the call. */
const unreachableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Errors that say "not now" rather than "not this request": a service's throttling and capacity, and our
 * own `WriteContentionError` (an item that kept changing under a read-modify-write, `adapters/dynamodb-writes.ts`) and
 * `UnprocessedKeysError` (a batch DynamoDB kept throttling, `adapters/dynamodb-batches.ts`).
 */
const busyNames = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'WriteContentionError',
  'UnprocessedKeysError',
]);

/**
 * Whether `error` (or an error it wraps as `cause`) means an AWS service was unavailable — unreachable,
 * silent past the client's request timeout, throttling, or failing on its side — rather than that the
 * request or the code was wrong. Such a request did not complete and may be sent again later.
 *
 * @example isBackendUnavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) // true
 */
export function isBackendUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    const { code, $fault, CancellationReasons } = current as Error & { code?: unknown; $fault?: unknown; CancellationReasons?: Array<{ Code?: string }> };
    if (current.name === 'TimeoutError' || busyNames.has(current.name)) return true;
    // Still cancelled once `retryOnTransactionConflict`'s tries are spent, and never for a failed condition alongside.
    if (
      current.name === 'TransactionCanceledException' &&
      CancellationReasons?.some((reason) => busyCancellationCodes.has(reason.Code ?? '')) &&
      !CancellationReasons.some((reason) => reason.Code === 'ConditionalCheckFailed')
    )
      return true;
    if (typeof code === 'string' && unreachableCodes.has(code)) return true;
    if ($fault === 'server') return true;
  }
  return false;
}

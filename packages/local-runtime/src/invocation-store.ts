import { AsyncLocalStorage } from 'node:async_hooks';
import { InvokeStoreBase } from '@aws/lambda-invoke-store';

type InvocationContext = Record<string | symbol, unknown>;

/**
 * Lambda's per-invocation store (`awslambda.InvokeStore`), as its runtime provides it where one
 * execution environment runs several invocations at once (`AWS_LAMBDA_MAX_CONCURRENCY`). Powertools
 * keeps each invocation's log keys (Lambda context, correlation id), log level and metrics in it, so
 * lines and metrics of overlapping invocations stay their own: the local runtime runs every function's
 * invocations side by side in one process.
 *
 * Unlike Lambda's, code outside any invocation (the runtime's own work, a handler a test calls
 * directly) shares one context, as a function that runs one invocation at a time does.
 */
class LocalInvokeStore extends InvokeStoreBase {
  private readonly invocations = new AsyncLocalStorage<InvocationContext>();
  private readonly outsideInvocations: InvocationContext = {};

  getContext(): InvocationContext {
    return this.invocations.getStore() ?? this.outsideInvocations;
  }

  hasContext(): boolean {
    return this.invocations.getStore() !== undefined;
  }

  get<T = unknown>(key: string | symbol): T | undefined {
    return this.getContext()[key] as T | undefined;
  }

  set<T = unknown>(key: string | symbol, value: T): void {
    if (this.isProtectedKey(key)) throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    this.getContext()[key] = value;
  }

  run<T>(context: InvocationContext, fn: () => T): T {
    return this.invocations.run({ ...context }, fn);
  }
}

const store = new LocalInvokeStore();

/**
 * Makes this process a Lambda execution environment that runs up to `maxConcurrency` invocations at
 * once: the store above as `awslambda.InvokeStore`, and the variable that tells Powertools to use it.
 * Call before the first invocation; calling again changes nothing.
 */
export function provideInvocationStore(maxConcurrency: number): void {
  const lambdaGlobal = ((globalThis as { awslambda?: { InvokeStore?: unknown } }).awslambda ??= {});
  lambdaGlobal.InvokeStore = store;
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= String(maxConcurrency);
}

/** Runs `fn` as the invocation with Lambda request id `requestId`, in a context of its own. */
export function runInvocation<T>(requestId: string, fn: () => T): T {
  return store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: requestId }, fn);
}

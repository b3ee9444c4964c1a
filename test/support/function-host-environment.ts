import { afterAll, beforeAll, vi } from 'vitest';

/**
 * For a describe block that loads a `FunctionHost`: loading one makes this process a Lambda environment running
 * several invocations at once (`awslambda.InvokeStore`, `AWS_LAMBDA_MAX_CONCURRENCY`), which Powertools then uses
 * everywhere, and the unit files share a worker (vitest.config.ts), so both are put back after the block.
 */
export function restoreLambdaEnvironmentAfterHost(): void {
  beforeAll(() => {
    vi.stubEnv('AWS_LAMBDA_MAX_CONCURRENCY', undefined);
    vi.stubGlobal('awslambda', { ...(globalThis as { awslambda?: object }).awslambda });
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    vi.unstubAllGlobals();
  });
}

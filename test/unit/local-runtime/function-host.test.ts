import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionLimits, type FunctionDefinition } from '@leadflow/manifest';
import { FunctionHost } from '../../../packages/local-runtime/src/function-host';

describe('FunctionHost', () => {
  const rootDir = mkdtempSync(join(tmpdir(), 'function-host-'));
  writeFileSync(join(rootDir, 'context-handler.mjs'), 'export const handler = async (_event, context) => ({ memory: context.memoryLimitInMB, remainingMs: context.getRemainingTimeInMillis() });\n');
  const definition = (overrides: Partial<FunctionDefinition>): FunctionDefinition => ({
    name: 'context-echo',
    description: 'Echoes its Lambda context',
    entry: 'context-handler.mjs',
    trigger: { kind: 'http', method: 'GET', path: '/echo', auth: { mode: 'public' } },
    tables: {},
    ...overrides,
  });

  it.each([
    ['an HTTP function with the defaults', definition({})],
    [
      'a schedule with its own timeout and memory',
      definition({ trigger: { kind: 'schedule', scheduleName: 'echo', expression: 'rate(1 minute)', timeZone: 'UTC', retryAttempts: 0, maxEventAgeSeconds: 60 }, timeoutSeconds: 45, memoryMb: 1024 }),
    ],
  ])('gives %s the timeout and memory CDK deploys', async (_case, functionDefinition) => {
    const host = new FunctionHost([functionDefinition], rootDir);
    await host.load();
    const limits = functionLimits(functionDefinition);
    const context = (await host.invoke('context-echo', {})) as { memory: string; remainingMs: number };
    expect(context.memory).toBe(String(limits.memoryMb));
    expect(context.remainingMs).toBeLessThanOrEqual(limits.timeoutSeconds * 1000);
    expect(context.remainingMs).toBeGreaterThan((limits.timeoutSeconds - 5) * 1000);
  });
});

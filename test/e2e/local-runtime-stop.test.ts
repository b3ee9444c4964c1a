import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { processRuns, type LocalRuntime } from '@leadflow/local-runtime';
import { LocalEventBus } from '../../packages/local-runtime/src/event-bus';
import { LocalScheduler } from '../../packages/local-runtime/src/scheduler';
import { startTestRuntime } from '../support/local-runtime';
import { readDataDirLock, startRuntimeProcess } from '../support/runtime-process';

let runtime: LocalRuntime | undefined;
afterEach(() => vi.restoreAllMocks());
afterAll(() => runtime?.stop());

describe('stopping the local runtime', () => {
  it('serves the stand-ins the handlers call until the bus has stopped, and no other request from the stop on', async () => {
    runtime = await startTestRuntime();
    const { url } = runtime;
    // Halted with the rest, the bus is held in its stop, as while a delivery under way runs whose handler may call a stand-in.
    let releaseBus!: () => void;
    let busHeld!: () => void;
    const busStopping = new Promise<void>((done) => (busHeld = done));
    vi.spyOn(LocalEventBus.prototype, 'stop').mockImplementation(
      () =>
        new Promise<void>((resume) => {
          releaseBus = resume;
          busHeld();
        }),
    );
    const stopping = runtime.stop();
    await busStopping;

    const standIn = await fetch(`${url}/_local/stand-ins/turnstile/siteverify`, { method: 'POST', body: 'secret=1x0000000000000000000000000000000AA&response=token' });
    expect({ status: standIn.status, success: ((await standIn.json()) as { success: boolean }).success }).toEqual({ status: 200, success: true });
    const capture = await fetch(`${url}/forms/demo/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Too Late', email: 'too-late@example.com' }) });
    expect(capture.status).toBe(503);

    releaseBus();
    await stopping;
    await expect(fetch(`${url}/_local/stand-ins/turnstile/siteverify`, { method: 'POST', body: 'secret=s&response=r' })).rejects.toThrow();
  });

  it('stops every part, DynamoDB Local included, when one fails to stop, and then says which failed', async () => {
    runtime = await startTestRuntime();
    const { url, endpoints } = runtime;
    vi.spyOn(LocalScheduler.prototype, 'stop').mockRejectedValue(new Error('the scheduler is stuck'));
    await expect(runtime.stop()).rejects.toThrow('The local runtime stopped, but 1 of its parts failed to: the scheduler: the scheduler is stuck');
    for (const endpoint of [url, endpoints.eventbridge, endpoints.dynamodb]) await expect(fetch(endpoint), endpoint).rejects.toThrow();
  });

  it('npm start, when a part fails to stop, says which and why on stderr, without a stack, and exits 1', { timeout: 240_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'leadflow-stop-'));
    try {
      const started = await startRuntimeProcess(dataDir, { preload: './test/support/stuck-scheduler-preload.ts' });
      const { dynamoDbLocalPid } = readDataDirLock(dataDir);
      const exited = new Promise<number | null>((done) => started.child.once('exit', (code) => done(code)));
      started.child.kill('SIGTERM');
      expect(await exited).toBe(1);
      expect(started.errorOutput()).toBe('Stopped, but 1 part failed to stop:\n  the scheduler: the scheduler is stuck\n');
      expect(processRuns(dynamoDbLocalPid!)).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

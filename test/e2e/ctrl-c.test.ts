import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processRuns } from '@leadflow/local-runtime';
import { settledAccount } from '../support/load-test';
import { processGroupOf, readDataDirLock, startRuntimeProcess, type RuntimeProcess } from '../support/runtime-process';

/** Far beyond a stop's graces (10 s for the bus, 10 s for the schedules): a stop that has not ended by then hangs. */
const hangsAfterMs = 60_000;

const dataDir = mkdtempSync(join(tmpdir(), 'leadflow-ctrl-c-'));
const processes: RuntimeProcess[] = [];
afterAll(() => {
  for (const { child } of processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function exitOf(runtime: RuntimeProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The runtime still runs ${hangsAfterMs} ms after the signal:\n${runtime.output().slice(-4000)}`)), hangsAfterMs);
    runtime.child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

describe('Ctrl-C of the local runtime', { timeout: 300_000 }, () => {
  it('stops with a lead on its way, DynamoDB Local last, and the next start on the directory finishes it: assigned once, emailed once', async () => {
    const first = await startRuntimeProcess(dataDir, { detached: true });
    processes.push(first);
    const { dynamoDbLocalPid } = readDataDirLock(dataDir);
    // Outside the group Ctrl-C reaches, so the runtime can stop it last, once nothing writes to it any more.
    expect(processGroupOf(dynamoDbLocalPid!)).not.toBe(first.child.pid);
    const response = await fetch(`${first.url}/forms/demo/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ctrl C', email: 'ctrl-c@example.com' }),
    });
    expect(response.status).toBe(202);
    const { leadId } = (await response.json()) as { leadId: string };

    // As a terminal sends Ctrl-C: to the whole foreground process group, while the lead is still being routed.
    const exited = exitOf(first);
    process.kill(-first.child.pid!, 'SIGINT');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(processRuns(dynamoDbLocalPid!)).toBe(false);
    expect(() => readDataDirLock(dataDir)).toThrow(/ENOENT/);

    const next = await startRuntimeProcess(dataDir, { detached: true });
    processes.push(next);
    try {
      expect(await settledAccount(next.url, [leadId], 120_000)).toEqual({ missing: [], notAssignedOnce: [], notNotifiedOnce: [] });
    } finally {
      const stopped = exitOf(next);
      process.kill(-next.child.pid!, 'SIGINT');
      expect(await stopped).toEqual({ code: 0, signal: null });
    }
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockFileName, processRuns, startDynamoDbLocal, startLocalRuntime, type LocalRuntime } from '@leadflow/local-runtime';
import { readLocalRuntimeSettings } from '@leadflow/local-runtime';
import { startTestRuntime } from '../support/local-runtime';
import { processGone, readDataDirLock, startRuntimeProcess } from '../support/runtime-process';

const rootDir = new URL('../..', import.meta.url).pathname;
const dirs: string[] = [];
const freshDataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-lock-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A PID that surely belonged to a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

describe('one local runtime per data directory', { timeout: 240_000 }, () => {
  it('refuses a second start on a directory whose owner is alive, naming it, leaves the first alone, and is released on a clean stop', async () => {
    const dataDir = freshDataDir();
    const first = await startTestRuntime({ dataDir });
    try {
      const second = startLocalRuntime(readLocalRuntimeSettings({ PORT: '0', LEADS_DATA_DIR: dataDir, LEADS_LOG_LEVEL: 'SILENT' }), rootDir);
      await expect(second).rejects.toThrow(`The data directory ${dataDir} is in use by another Leadflow local runtime (PID ${process.pid}`);
      expect((await fetch(`${first.url}/health`)).status).toBe(200);
      expect(readDataDirLock(dataDir).ownerPid).toBe(process.pid);
    } finally {
      await first.stop();
    }
    expect(() => readDataDirLock(dataDir)).toThrow(/ENOENT/);
  });

  it('takes the directory of a runtime killed with SIGKILL: its DynamoDB Local died with it, and the stale lock is cleared', async () => {
    const dataDir = freshDataDir();
    const killed = await startRuntimeProcess(dataDir);
    const { ownerPid, dynamoDbLocalPid } = readDataDirLock(dataDir);
    expect(ownerPid).toBe(killed.child.pid);
    expect(dynamoDbLocalPid).toBeGreaterThan(0);
    expect(processRuns(dynamoDbLocalPid!)).toBe(true);

    killed.child.kill('SIGKILL'); // only the node process, not its group
    await processGone(dynamoDbLocalPid!);

    const next = await startTestRuntime({ dataDir });
    try {
      expect(readDataDirLock(dataDir).ownerPid).toBe(process.pid);
      expect((await fetch(`${next.url}/health`)).status).toBe(200);
    } finally {
      await next.stop();
    }
  });

  it('stops a DynamoDB Local still running on the directory for a dead owner before starting its own', async () => {
    const dataDir = freshDataDir();
    const dynamoDbPath = join(dataDir, 'dynamodb');
    const orphan = await startDynamoDbLocal({ port: 0, dataDir: dynamoDbPath });
    writeFileSync(join(dataDir, lockFileName), JSON.stringify({ ownerPid: deadPid(), ownerCommand: 'node cli.ts', dynamoDbPath, dynamoDbLocalPid: orphan.pid, since: new Date().toISOString() }));
    let runtime: LocalRuntime | undefined;
    try {
      runtime = await startTestRuntime({ dataDir });
      expect(processRuns(orphan.pid)).toBe(false);
      expect(readDataDirLock(dataDir)).toMatchObject({ ownerPid: process.pid, dynamoDbPath });
      expect((await fetch(`${runtime.url}/health`)).status).toBe(200);
    } finally {
      await runtime?.stop();
      await orphan.stop();
    }
  });
});

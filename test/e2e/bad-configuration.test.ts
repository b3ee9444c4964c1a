import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const rootDir = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'leadflow-bad-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `npm start`'s command with the demo configuration as `edit` leaves it; resolves with how it failed, if it did. */
async function startWith(name: string, edit: (config: any) => void) {
  const config = JSON.parse(readFileSync(join(rootDir, 'config/leads.config.json'), 'utf8'));
  edit(config);
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'packages/local-runtime/src/cli.ts'], {
    cwd: rootDir,
    env: { ...process.env, LEADS_CONFIG_FILE: file, PORT: '0', LEADS_IN_MEMORY: '1' },
    timeout: 60_000,
  });
  return run.then(
    () => undefined,
    (error: { code: number; stderr: string; stdout: string }) => error,
  );
}

describe('npm start with a bad configuration', () => {
  it('refuses to start, naming the offending field, and starts nothing', async () => {
    const failure = await startWith('unknown-pool', (config) => (config.forms[0].poolId = 'nowhere'));
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('forms[0].poolId: unknown pool "nowhere"');
    expect(failure?.stdout).not.toContain('ready');
  });

  it('refuses an offer to a rep the configuration does not have', async () => {
    const failure = await startWith('unknown-offer-rep', (config) => (config.routing.routes[0].offer.reps = ['rep-ava', 'rep-zed']));
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('routing.routes[0].offer.reps[1]: unknown rep "rep-zed"');
    expect(failure?.stdout).not.toContain('ready');
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const rootDir = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'leadflow-bad-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm start with a bad configuration', () => {
  it('refuses to start, naming the offending field, and starts nothing', async () => {
    const config = JSON.parse(readFileSync(join(rootDir, 'config/leads.config.json'), 'utf8'));
    config.forms[0].poolId = 'nowhere';
    const file = join(dir, 'leads.config.json');
    writeFileSync(file, JSON.stringify(config));
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'packages/local-runtime/src/cli.ts'], {
      cwd: rootDir,
      env: { ...process.env, LEADS_CONFIG_FILE: file, PORT: '0', LEADS_IN_MEMORY: '1' },
      timeout: 60_000,
    });
    const failure = await run.then(
      () => undefined,
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('forms[0].poolId: unknown pool "nowhere"');
    expect(failure?.stdout).not.toContain('ready');
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** Runs a command in `cwd` and returns its exit status with what it printed. */
function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('.ci/run', () => {
  it('runs the type check and the linter, and stops at the first failure, before the test command', () => {
    const lines = readFileSync(join(root, '.ci/run'), 'utf8').split('\n');
    const at = (command: string) => {
      const index = lines.findIndex((line) => line.trim() === command);
      expect(index, command).toBeGreaterThanOrEqual(0);
      return index;
    };
    expect(lines).toContain('set -euo pipefail');
    expect(at('npm run typecheck')).toBeGreaterThan(at('npm ci --no-audit --no-fund'));
    expect(at('npm run lint')).toBeGreaterThan(at('npm run typecheck'));
    expect(at('npm test')).toBeGreaterThan(at('npm run lint'));
    expect(scripts.lint).toBe('eslint . && prettier --check .');
    expect(scripts.typecheck).toBe('tsc --noEmit -p tsconfig.json');
  });
});

// A throwaway project outside the repository, checked with the repository's own configuration files.
// Each check is a few seconds of work, but two shared cores under load can stretch that well past the default timeout.
describe('the checks .ci/run runs', { timeout: 180_000 }, () => {
  let project: string;
  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'leadflow-ci-checks-'));
    // No @types out here; the repository's strict options are what is being tried.
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ extends: join(root, 'tsconfig.json'), compilerOptions: { types: [] }, include: ['*.ts'] }));
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('tsc with the repository tsconfig fails on a type error', () => {
    writeFileSync(join(project, 'typed.ts'), "export const count: number = 'three';\n");
    const result = run(bin('tsc'), ['--noEmit', '-p', join(project, 'tsconfig.json')], project);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('TS2322');
  });

  it('ESLint with the repository configuration fails on a floating promise, an accidental any, a non-null assertion and unused code', () => {
    writeFileSync(
      join(project, 'linted.ts'),
      [
        'async function save(lead: string): Promise<string> {',
        '  return lead;',
        '}',
        'function unused(): void {}',
        'export function capture(leads: Map<string, string>, body: any): void {',
        "  save(leads.get('a')!);",
        "  leads.set(String(body), 'b');",
        '}',
        '',
      ].join('\n'),
    );
    const result = run(bin('eslint'), ['--config', join(root, 'eslint.config.js'), '--format', 'json', 'linted.ts'], project);
    expect(result.status).toBe(1);
    const [report] = JSON.parse(result.output) as Array<{ messages: Array<{ ruleId: string }> }>;
    expect(report?.messages.map((message) => message.ruleId)).toEqual(
      expect.arrayContaining(['@typescript-eslint/no-floating-promises', '@typescript-eslint/no-explicit-any', '@typescript-eslint/no-non-null-assertion', '@typescript-eslint/no-unused-vars']),
    );
  });

  it('Prettier with the repository configuration fails on unformatted code', () => {
    writeFileSync(join(project, 'formatted.ts'), 'export const lead = {id:"a"}\n');
    const result = run(bin('prettier'), ['--config', join(root, '.prettierrc.json'), '--check', 'formatted.ts'], project);
    expect(result.status).toBe(1);
    writeFileSync(join(project, 'formatted.ts'), "export const lead = { id: 'a' };\n");
    expect(run(bin('prettier'), ['--config', join(root, '.prettierrc.json'), '--check', 'formatted.ts'], project).status).toBe(0);
  });
});

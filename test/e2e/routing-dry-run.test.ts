import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '@leadflow/local-runtime';
import { runRoutingDryRun } from '../../scripts/operations/routing-dry-run';
import { recordingTerminal } from '../unit/operations/operator-fakes';
import { demoConfiguration } from '../support/demo-configuration';
import { leadsTableItems, startTestRuntime } from '../support/local-runtime';
import { spawnScript } from '../support/runtime-process';

let runtime: LocalRuntime;
const rootDir = new URL('../..', import.meta.url).pathname;
const workDir = mkdtempSync(join(tmpdir(), 'leadflow-dry-run-'));

/** The demo configuration without its hot-by-territory route, written where the command can read it. */
function withoutHotRoute(): string {
  const config = demoConfiguration();
  config.routing.routes = config.routing.routes.filter((route) => route.id !== 'hot-by-territory');
  const path = join(workDir, 'no-hot-route.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

const submit = (formId: string, body: Record<string, string>) => fetch(`${runtime.url}/forms/${formId}/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  runtime = await startTestRuntime();
  const hot = { title: 'VP Operations', company_size: '1000+', product_interest: 'Fleet software' };
  for (const response of await Promise.all([
    submit('demo', { name: 'Hal', email: 'hal@bigco.example', country: 'US', ...hot }),
    submit('demo', { name: 'Gwen', email: 'gwen@bigco.example', country: 'GB', ...hot }),
    submit('demo', { name: 'Wes', email: 'wes@smallco.example', country: 'US' }),
    submit('emea-contact', { name: 'Cy', email: 'info@gmail.com' }),
  ])) {
    expect(response.status).toBe(202);
  }
  await runtime.settle();
});
afterAll(() => runtime?.stop());

const dryRun = async (...argv: string[]) => {
  const terminal = recordingTerminal();
  const exit = await runRoutingDryRun(argv, { terminal, now: () => new Date() });
  return { exit, printed: terminal.printed.join('\n') };
};

describe('npm run routing:dry-run against the local runtime', () => {
  it('prints per route the leads that would move when a route is removed, and writes nothing', async () => {
    const before = await leadsTableItems(runtime);
    const { exit, printed } = await dryRun('--config', withoutHotRoute(), '--url', runtime.url, '--days', '7');
    expect(exit).toBe(0);
    expect(printed).toContain('over 4 leads captured since');
    expect(printed).toContain('Routes: 2 leads would take another route, 2 another pool.');
    expect(printed).toMatch(/^hot-by-territory\s+2\s+0\s+0\s+2$/m);
    expect(printed).toMatch(/^default\s+1\s+2\s+1\s+0$/m);
    expect(printed).toMatch(/^emea-least-busy\s+0\s+1\s+1\s+0$/m);
    expect(printed).toMatch(/^cold-to-nurture\s+1\s+1\s+0\s+0$/m);
    // Whether Dev took the GB lead depends on his working hours now, so the owner's part is not compared.
    expect(printed).toMatch(/route hot-by-territory → emea-least-busy, pool key-accounts → emea-inbound, grade A → A, temperature hot → hot, owner (rep-dev|none) → turn or load \(rep-chloe, rep-dev\)/);
    expect(await leadsTableItems(runtime)).toEqual(before);
  });

  it('finds nothing to move with the configuration the leads were routed by', async () => {
    const { exit, printed } = await dryRun('--config', join(rootDir, 'config/leads.config.json'), '--url', runtime.url);
    expect(exit).toBe(0);
    expect(printed).toContain('Routes: 0 leads would take another route, 0 another pool.');
    expect(printed).toContain('No lead would change.');
  });

  it('refuses a bad configuration naming the field (exit 1), and a wrong call with the usage (exit 2)', async () => {
    const config = demoConfiguration();
    config.routing.routes = config.routing.routes.map((route) => (route.id === 'cold-to-nurture' ? { ...route, poolId: 'no-such-pool' } : route));
    const coldRoute = config.routing.routes.findIndex((route) => route.id === 'cold-to-nurture');
    const badPath = join(workDir, 'bad.json');
    writeFileSync(badPath, JSON.stringify(config));
    // Both as their own process, as npm runs them (node with tsx, no npx in between), side by side.
    const [refused, usage] = await Promise.all([
      spawnScript('scripts/operations/routing-dry-run.ts', ['--config', badPath, '--url', runtime.url]).result,
      spawnScript('scripts/operations/routing-dry-run.ts', ['--days', 'a month']).result,
    ]);
    expect(refused).toMatchObject({ status: 1, stderr: expect.stringContaining(`routing.routes[${coldRoute}].poolId: unknown pool "no-such-pool"`) });
    expect(usage).toMatchObject({ status: 2, stderr: expect.stringContaining('Usage: npm run routing:dry-run') });
  }, 180_000);

  it('says when the local runtime cannot be reached (exit 1)', async () => {
    const terminal = recordingTerminal();
    await expect(runRoutingDryRun(['--config', withoutHotRoute(), '--url', 'http://127.0.0.1:1'], { terminal, now: () => new Date() })).rejects.toThrow(
      /cannot reach the local runtime at http:\/\/127\.0\.0\.1:1\/_local\/endpoints/,
    );
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '@leadflow/local-runtime';
import { localClientSettings } from '@leadflow/local-runtime';
import { tables } from '@leadflow/manifest';
import { createDynamoDbClient, documentClientOf, DynamoDbChannelRoiStore } from '@leadflow/platform';
import { runRoutingDryRun } from '../../scripts/operations/routing-dry-run';
import { recordingTerminal } from '../unit/operations/operator-fakes';
import { demoConfiguration } from '../support/demo-configuration';
import { startTestRuntime } from '../support/local-runtime';

let runtime: LocalRuntime;
const workDir = mkdtempSync(join(tmpdir(), 'leadflow-dry-run-priors-'));

/** The demo configuration, unchanged but for the measured priors' mode, written where the command can read it. */
function demoInMode(mode: 'suggest' | 'apply'): string {
  const config = demoConfiguration();
  config.channelRoi.measuredChannelPriors = { ...config.channelRoi.measuredChannelPriors, mode };
  const path = join(workDir, `demo-${mode}.json`);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

const submit = (body: Record<string, string>) => fetch(`${runtime.url}/forms/demo/submissions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  runtime = await startTestRuntime();
  for (const response of await Promise.all([submit({ name: 'Wes', email: 'wes@smallco.example', country: 'US' }), submit({ name: 'Vic', email: 'vic@midco.example', country: 'US' })])) {
    expect(response.status).toBe(202);
  }
  // Captures store the lead with its score before answering; this test compares scores only, so routing them is not waited for.
  // As the nightly rollup in `apply` mode stores them: the website channel measured well above its configured 10.
  const client = createDynamoDbClient(localClientSettings({ dynamodb: runtime.endpoints.dynamodb }));
  try {
    await new DynamoDbChannelRoiStore(documentClientOf(client), tables.leads.name).writeMeasuredPriors({ suggestedPriors: { website: 40 }, from: '2026-01-01', to: '2026-03-31', measuredAt: new Date().toISOString() });
  } finally {
    client.destroy();
  }
});
afterAll(() => runtime?.stop());

const dryRun = async (...argv: string[]) => {
  const terminal = recordingTerminal();
  const exit = await runRoutingDryRun(argv, { terminal, now: () => new Date() });
  return { exit, printed: terminal.printed.join('\n') };
};

describe('npm run routing:dry-run with measured channel priors', () => {
  it('in apply mode re-scores with the stored suggestions over the configured priors, as captures do', async () => {
    const { exit, printed } = await dryRun('--config', demoInMode('apply'), '--url', runtime.url, '--days', '7');
    expect(exit).toBe(0);
    expect(printed).toContain('over 2 leads captured since');
    // The leads were captured in suggest mode (website at 10): scored at 40 they would all gain 30 points.
    expect(printed).toContain('Score:  2 leads would change points');
    expect(printed).toContain('Scored with the channel priors measured from 2026-01-01 to 2026-03-31 (website 40) over the configured ones.');
  });

  it('outside apply mode scores with the configured priors only', async () => {
    const { exit, printed } = await dryRun('--config', demoInMode('suggest'), '--url', runtime.url, '--days', '7');
    expect(exit).toBe(0);
    expect(printed).not.toContain('Scored with the channel priors measured');
    expect(printed).toContain('Score:  0 leads would change points');
  });
});

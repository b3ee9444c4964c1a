import { describe, expect, it } from 'vitest';
import { maxDryRunDays, routingDryRunUsage, runRoutingDryRun } from '../../../scripts/operations/routing-dry-run';
import { runCommand } from '../../../scripts/operations/operator-kit';
import { recordingTerminal } from './operator-fakes';

const rootDir = new URL('../../..', import.meta.url).pathname;
// Nothing listens on port 9 (discard): a call that gets past its options stops where the runtime would be needed.
const nowhere = 'http://127.0.0.1:9';

async function dryRun(days: string) {
  const terminal = recordingTerminal();
  const argv = ['--config', `${rootDir}config/leads.config.json`, '--url', nowhere, '--days', days];
  const exit = await runCommand(() => runRoutingDryRun(argv, { terminal, now: () => new Date('2026-12-01T08:00:00Z') }), routingDryRunUsage, terminal);
  return { exit, terminal };
}

describe('npm run routing:dry-run --days', () => {
  it.each([['999999999'], [String(maxDryRunDays + 1)], ['0']])('refuses %s naming --days and the range (exit 2), not "Cannot read the leads … Invalid time value"', async (days) => {
    const { exit, terminal } = await dryRun(days);
    expect(exit).toBe(2);
    expect(terminal.warned).toEqual([`--days must be a whole number of days from 1 to 3650, such as 30, not "${days}"`, routingDryRunUsage]);
    expect(terminal.printed).toEqual([]);
  });

  it.each([['1'], [String(maxDryRunDays)]])('takes %s: the command goes on to the runtime', async (days) => {
    const { exit, terminal } = await dryRun(days);
    expect(exit).toBe(1);
    expect(terminal.warned).toEqual([expect.stringContaining(`cannot reach the local runtime at ${nowhere}/_local/endpoints`)]);
  });
});

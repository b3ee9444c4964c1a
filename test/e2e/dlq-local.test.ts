import { localClientSettings } from '@leadflow/local-runtime';
import { createEventBridgeClient } from '@leadflow/platform';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '@leadflow/local-runtime';
import { runDlq } from '../../scripts/operations/dlq';
import { eventually, startTestRuntime } from '../support/local-runtime';
import { warmScoredLead } from '../support/scored-lead';
import { recordingTerminal } from '../unit/operations/operator-fakes';

let runtime: LocalRuntime;

beforeAll(async () => {
  // Retries a quarter second apart, so a failing target is dead-lettered within the test's wait.
  runtime = await startTestRuntime({ env: { LEADS_EVENT_RETRY_DELAY_MS: '250' } });
});
afterAll(async () => {
  await runtime?.stop();
});

/** The local runtime needs no AWS client; these are never called. */
const unusedClients = { sqs: new SQSClient({ region: 'us-east-1' }), lambda: new LambdaClient({ region: 'us-east-1' }), cloudFormation: new CloudFormationClient({ region: 'us-east-1' }) };

async function dlq(...argv: string[]) {
  const terminal = recordingTerminal();
  const exit = await runDlq([...argv, '--url', runtime.url], { ...unusedClients, fetch, terminal });
  return { exit, terminal };
}

describe('npm run dlq against the local runtime', () => {
  it('lists, shows and redrives what a rule dead-lettered; a redrive that fails again keeps it', { timeout: 30_000 }, async () => {
    expect((await dlq('list')).terminal.printed).toEqual(['No dead letters.']);

    const client = createEventBridgeClient(localClientSettings({ eventbridge: runtime.endpoints.eventbridge }));
    // A warm US web-form lead takes the demo's default route to assign-lead, which cannot find it.
    const detail = warmScoredLead('ghost', 'e-ghost');
    await client.send(new PutEventsCommand({ Entries: [{ Source: 'leadflow.leads', DetailType: 'lead.scored', Detail: JSON.stringify(detail), EventBusName: 'leadflow' }] }));
    client.destroy();
    await eventually(async () => ((await (await fetch(`${runtime.url}/_local/dead-letters`)).json()) as unknown[]).length > 0 || undefined);

    const list = await dlq('list');
    expect(list.exit).toBe(0);
    expect(list.terminal.printed).toEqual([expect.stringMatching(/^assign-lead +1 waiting$/)]);

    const show = await dlq('show', 'assign-lead');
    expect(show.terminal.printed).toEqual([expect.stringContaining('(rule lead-route-default,')]);
    expect(show.terminal.printed[0]).toContain('"leadId":"ghost"');

    // The lead still does not exist, so assign-lead fails again and the dead letter stays.
    const redrive = await dlq('redrive', 'assign-lead');
    expect(redrive.exit).toBe(1);
    expect(redrive.terminal.warned).toEqual([expect.stringContaining('assign-lead failed again:')]);
    expect(redrive.terminal.printed).toEqual(['assign-lead: 0 of 1 dead letter(s) redriven.']);
    expect((await dlq('list')).terminal.printed).toEqual([expect.stringMatching(/^assign-lead +1 waiting$/)]);
  });

  it('says how to start the runtime when none answers', async () => {
    const terminal = recordingTerminal();
    await expect(runDlq(['list', '--url', 'http://127.0.0.1:9'], { ...unusedClients, fetch, terminal })).rejects.toMatchObject({ message: expect.stringContaining('start it with npm start'), exitCode: 1 });
  });
});
